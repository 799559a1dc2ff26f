"""`make demo`'s script: the quickstart against a seeded emulator, twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.pulumi_cli import ROOT

pytestmark = pytest.mark.e2e


def _demo(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "tools" / "demo.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class TestDemo:
    """The demo deploys the quickstart, prints its outputs and is idempotent."""

    def test_demo_twice_second_run_changes_nothing(self, tmp_path: Path) -> None:
        """The first run creates the lookups; the second finds nothing to change."""
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DEMO_STATE_DIR": str(tmp_path / "state"),
            "PULUMI_HOME": str(tmp_path / "home"),
            "NO_COLOR": "1",
        }
        first = _demo(env)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "+ 3 created" in first.stdout
        assert "total_count" in first.stdout
        assert "production_client_ids" in first.stdout

        second = _demo(env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "3 unchanged" in second.stdout
        assert "to update" not in second.stdout
