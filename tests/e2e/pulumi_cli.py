"""Drive the real `pulumi` CLI on a project in a temp dir with a local file backend.

Every command is plain ``pulumi`` from the venv's ``bin`` (first on ``PATH``), run in the
project's directory, as a user types it; the program runs through the Python language host
found beside ``pulumi``. Nothing of the checkout is put on ``PYTHONPATH``: a project gets this
package from the interpreter its ``Pulumi.yaml`` selects.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from tests.provider._support import endpoint_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSPHRASE = "hbr-clients-local"  # the documented passphrase of local test stacks
#: The program that runs the lookups on the query in ``E2E_QUERY``.
LOOKUP = Path(__file__).parent / "programs" / "lookup"


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


_VIRTUALENV = re.compile(r"^(?P<key>\s*virtualenv:\s*)(?P<path>\S+)\s*$", re.MULTILINE)


def _pin_virtualenv(source: Path, project_file: Path) -> None:
    text = project_file.read_text(encoding="utf-8")

    def pin(match: re.Match[str]) -> str:
        path = Path(match["path"].strip("'\""))
        if path.is_absolute():
            return match[0]
        original = (source / path).resolve()
        target = original if (original / "bin" / "python").exists() else Path(sys.prefix)
        return f"{match['key']}{target}"

    project_file.write_text(_VIRTUALENV.sub(pin, text), encoding="utf-8")


def local_backend_env(state: Path, home: Path) -> dict[str, str]:
    """The variables that run ``pulumi`` on the file backend ``state``: no prompts, no downloads."""
    return {
        "PULUMI_BACKEND_URL": state.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "NO_COLOR": "1",
    }


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
        """Copy ``source`` into ``workdir`` and create stack ``test`` in a file backend.

        A relative ``virtualenv`` option is pinned to the absolute directory it named from
        ``source`` (or, when that is no virtual environment, to this interpreter's venv), so
        that the copy runs on the same interpreter as the original.
        """
        directory = workdir / "project"
        shutil.copytree(source, directory, ignore=shutil.ignore_patterns("__pycache__"))
        _pin_virtualenv(source, directory / "Pulumi.yaml")
        state = workdir / "state"
        state.mkdir()
        base = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            **local_backend_env(state, workdir / "pulumi-home"),
            **(env or {}),
        }
        path = base.get("PATH", "")
        if not path.startswith(f"{BIN}{os.pathsep}"):
            base["PATH"] = f"{BIN}{os.pathsep}{path}"
        project = cls(directory=directory, state=state, env=base)
        project.run("stack", "init", "test", check=True)
        return project

    def run(self, *args: str, check: bool = False, timeout: float = 300) -> Result:
        """Run plain ``pulumi ARGS --non-interactive`` in the project's directory."""
        proc = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.directory,
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

    def resource_outputs(self, name: str) -> dict[str, Any]:
        """The state outputs of the ``BackupClients`` resource ``name`` (what refresh updates)."""
        resources = json.loads(self.export())["deployment"]["resources"]
        outputs: dict[str, Any] = next(
            r
            for r in resources
            if r["type"].endswith("BackupClients") and r["urn"].endswith(f"::{name}")
        )["outputs"]
        return outputs


def emulator_env(emu: Emulator) -> dict[str, str]:
    """The environment that points a project at ``emu``, with the emulator's credentials."""
    return endpoint_env(emu.endpoint)


def emulator_config(emu: Emulator, *, route: str = "endpoint") -> tuple[str, ...]:
    """``pulumi`` arguments that point a stack at ``emu`` through ``hbr:*`` config alone.

    One ``config set-all``: the endpoint and protocol in plain text, the keys as secrets.
    ``route="connectTo"`` sets ``hbr:connectTo`` instead of ``hbr:endpoint``: every region's
    requests go to ``emu`` with their real ``Host`` (an estate or organisation emulator).
    """
    return (
        "config",
        "set-all",
        *("--plaintext", f"hbr:{route}={emu.endpoint}"),
        *("--plaintext", "hbr:protocol=http"),
        *("--secret", f"hbr:accessKey={DEFAULT_ACCESS_KEY_ID}"),
        *("--secret", f"hbr:secretKey={DEFAULT_ACCESS_KEY_SECRET}"),
    )


def lookup_project(workdir: Path, emu: Emulator, query: Mapping[str, Any]) -> PulumiProject:
    """The :data:`LOOKUP` program on ``query`` against ``emu``, in ``workdir``."""
    return PulumiProject.create(
        LOOKUP, workdir, env={"E2E_QUERY": json.dumps(query), **emulator_env(emu)}
    )
