"""examples/ecs-backup-plan, tested with Pulumi mocks in a venv of its own."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ecs-backup-plan"


class TestEcsBackupPlanExample:
    """The real-cloud example creates one backup plan per unprotected instance."""

    def test_example_passes_its_mock_test_in_its_own_venv(self) -> None:
        """The example's mock test passes with pulumi-alicloud installed beside it."""
        subprocess.run([str(ROOT / "tools" / "examples_venv.sh")], check=True, timeout=600)
        result = subprocess.run(
            [
                str(ROOT / ".venv-examples" / "bin" / "python"),
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(EXAMPLE / "test_program.py"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=EXAMPLE,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 passed" in result.stdout

    def test_pulumi_alicloud_stays_out_of_the_test_venv(self) -> None:
        """The venv the end-to-end tests use has no pulumi-* provider package."""
        assert importlib.util.find_spec("pulumi_alicloud") is None
