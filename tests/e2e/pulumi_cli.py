"""Drive the real `pulumi` CLI on a project in a temp dir with a local file backend."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tools" / "pulumi_run.py"
PASSPHRASE = "hbr-clients-local"  # the documented passphrase of local test stacks


@attrs.frozen
class Result:
    """What one CLI command did."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr


@attrs.define
class PulumiProject:
    """A copy of a Pulumi project with its own local backend and stack."""

    directory: Path
    state: Path
    env: dict[str, str]

    @classmethod
    def create(
        cls, source: Path, workdir: Path, *, env: Mapping[str, str] | None = None
    ) -> PulumiProject:
        """Copy ``source`` into ``workdir`` and create stack ``test`` in a file backend."""
        directory = workdir / "project"
        shutil.copytree(source, directory, ignore=shutil.ignore_patterns("__pycache__"))
        state = workdir / "state"
        state.mkdir()
        bin_dir = Path(sys.executable).parent
        base = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_BACKEND_URL": state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(workdir / "pulumi-home"),
            "PYTHONPATH": str(directory),
            "NO_COLOR": "1",
            **(env or {}),
        }
        project = cls(directory=directory, state=state, env=base)
        project.run("stack", "init", "test", check=True)
        return project

    def run(self, *args: str, check: bool = False, timeout: float = 300) -> Result:
        """Run ``pulumi ARGS`` in the project (through the runner, which hosts the program)."""
        proc = subprocess.run(
            [sys.executable, str(RUNNER), "-C", str(self.directory), *args, "--non-interactive"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            msg = f"pulumi {' '.join(args)} failed ({proc.returncode}):\n{result.output}"
            raise AssertionError(msg)
        return result

    def outputs(self, *, show_secrets: bool = False) -> dict[str, Any]:
        """The stack outputs (``pulumi stack output --json``)."""
        args = ["stack", "output", "--json"] + (["--show-secrets"] if show_secrets else [])
        value: dict[str, Any] = json.loads(self.run(*args, check=True).stdout)
        return value

    def export(self) -> str:
        """The raw state (``pulumi stack export``)."""
        return self.run("stack", "export", check=True).stdout
