"""The real Pulumi engine, language runtime and dynamic-provider plugin work together here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.pulumi_cli import PulumiProject

pytestmark = pytest.mark.e2e

SMOKE = Path(__file__).parent / "smoke_project"


class TestSmoke:
    """One dynamic resource through preview, up, output, refresh and destroy."""

    def test_lifecycle_real_engine(self, tmp_path: Path) -> None:
        """Every workflow of the real CLI succeeds on a dynamic resource."""
        project = PulumiProject.create(SMOKE, tmp_path)

        preview = project.run("preview", check=True)
        assert "+ 2 to create" in preview.stdout

        up = project.run("up", "--yes", "--skip-preview", check=True)
        assert "+ 2 created" in up.stdout
        assert project.outputs() == {"greeting": "hello, pulumi"}

        refresh = project.run("refresh", "--yes", check=True)
        assert "2 unchanged" in refresh.stdout

        unchanged = project.run("preview", "--expect-no-changes", check=True)
        assert "2 unchanged" in unchanged.stdout

        destroy = project.run("destroy", "--yes", check=True)
        assert "- 2 deleted" in destroy.stdout
        assert project.outputs() == {}
