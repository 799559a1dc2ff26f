"""The host as the engine uses it: plain ``pulumi`` commands on small programs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.pulumi_cli import PulumiProject

pytestmark = pytest.mark.e2e

FAILING_PROGRAM = """\
import pulumi

pulumi.export("before", 1)
raise ValueError("the program's own error: tags must be KEY=VALUE")
"""


def _project(tmp_path: Path, program: str) -> PulumiProject:
    source = tmp_path / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text("name: host-check\nruntime: python\n", encoding="utf-8")
    (source / "__main__.py").write_text(program, encoding="utf-8")
    return PulumiProject.create(source, tmp_path / "work")


class TestThroughPulumi:
    """What a user sees of the host."""

    def test_program_error_is_reported_once(self, tmp_path: Path) -> None:
        """A program's exception fails the update once, without the generic exit-code error."""
        project = _project(tmp_path, FAILING_PROGRAM)
        result = project.run("up", "--yes")
        assert result.returncode != 0
        assert result.output.count("ValueError: the program's own error") == 1
        assert "non-zero exit code" not in result.output
        assert "from $PATH" not in result.output

    def test_about_names_the_interpreter(self, tmp_path: Path) -> None:
        """``pulumi about`` reports the language host and the program's Python."""
        project = _project(tmp_path, "import pulumi\n")
        result = project.run("about")
        assert result.returncode == 0, result.output
        assert "python" in result.output.lower()
        assert "from $PATH" not in result.output
