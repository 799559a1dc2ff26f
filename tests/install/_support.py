"""A user's machine, outside the checkout: plain ``pulumi`` on a PATH without this repository.

The user's ``PATH`` holds a directory with ``pulumi`` and the language hosts, as an installed
Pulumi CLI puts them in ``~/.pulumi/bin``; the base Python the venv was made from (``python3``,
the Python of the plugin's wheels); and the rest of the caller's ``PATH`` without any directory
that holds a ``pulumi-resource-hbr`` (the checkout's ``.venv/bin``). ``PULUMI_HOME`` and the
backend are temporary. pip installs only from the wheels of the plugin archive
(``PIP_NO_INDEX``, ``PIP_FIND_LINKS``), so nothing is downloaded.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from hbr_emulator import Emulator
from tests.e2e.pulumi_cli import emulator_config, local_backend_env

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
#: What the engine prints for a plugin it found on PATH instead of installed or declared.
PATH_WARNING = re.compile(r"using pulumi-resource-hbr from \$PATH")
#: The host executables a Pulumi CLI installation ships beside ``pulumi``.
HOSTS = (
    "pulumi",
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-language-nodejs",
    "pulumi-language-go",
)


def archive_path() -> Path:
    """Build the plugin archive with ``make plugin`` (a no-op when up to date); return it.

    Test files running in parallel build it once: the others wait for the first.
    """
    (ROOT / "dist").mkdir(exist_ok=True)
    with (ROOT / "dist" / ".make-plugin.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.run(
            ["make", "--no-print-directory", "plugin"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    archives = sorted((ROOT / "dist").glob("pulumi-resource-hbr-v*.tar.gz"))
    assert archives, f"make plugin wrote no archive: {proc.stdout}{proc.stderr}"
    return max(archives, key=lambda path: path.stat().st_mtime)


def unpack_wheels(archive: Path, into: Path) -> Path:
    """The ``wheels/`` of ``archive``, unpacked under ``into`` (pip's only package source)."""
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.lstrip("./").startswith("wheels/")]
        tar.extractall(into, members=members, filter="data")
    return into / "wheels"


def user_bin(directory: Path) -> Path:
    """A ``bin`` directory like an installed CLI's: ``pulumi`` and the hosts, no plugin."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in HOSTS:
        if (VENV_BIN / name).exists():
            (directory / name).symlink_to(VENV_BIN / name)
    return directory


def user_environment(
    tmp: Path, *, wheels: Path, pulumi_home: Path | None = None, extra: Mapping[str, str] = {}
) -> dict[str, str]:
    """The environment of a user outside the checkout, with a temporary backend and home."""
    path = [str(user_bin(tmp / "bin")), str(Path(sys.base_prefix) / "bin")]
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and not (Path(entry) / "pulumi-resource-hbr").exists():
            path.append(entry)
    state = tmp / "state"
    state.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALIBABA_CLOUD_", "HBR_", "PULUMI_", "PIP_", "VIRTUAL_ENV"))
        and k != "PYTHONPATH"
    }
    env.update(
        {
            "PATH": os.pathsep.join(path),
            **local_backend_env(state, pulumi_home or tmp / "pulumi-home"),
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(wheels),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **extra,
        }
    )
    return env


@attrs.define
class UserProject:
    """A project in a temporary directory, driven with plain ``pulumi`` as its user types it."""

    directory: Path
    env: dict[str, str]
    outputs: list[str] = attrs.field(factory=list)

    def pulumi(self, *args: str, timeout: float = 600) -> str:
        """Run ``pulumi ARGS --non-interactive``; fail with its output unless it succeeds."""
        proc = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = proc.stdout + proc.stderr
        self.outputs.append(output)
        assert proc.returncode == 0, f"pulumi {' '.join(args)} failed:\n{output}"
        return output

    def use_emulator(self, emu: Emulator) -> None:
        """Create stack ``test`` whose ``hbr:*`` config points at ``emu`` (keys as secrets)."""
        self.pulumi("stack", "init", "test")
        self.pulumi(*emulator_config(emu))

    def path_warnings(self) -> list[str]:
        """Every line any command printed that warns of a plugin taken from PATH."""
        return [
            line
            for output in self.outputs
            for line in output.splitlines()
            if PATH_WARNING.search(line)
        ]


def copy_checkout(into: Path, parts: Iterable[str], *, keep: Iterable[str] = ()) -> Path:
    """The working tree's files under ``parts`` (tracked and untracked, not ignored), copied.

    Whatever ``into`` held before is removed first, except the paths in ``keep`` (relative to
    ``into``): a virtual environment a previous run installed, say.
    """
    _clear(into, {into / name for name in keep})
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "--", *parts],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        source = ROOT / name
        if source.is_file() and "__pycache__" not in source.parts:
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def _clear(directory: Path, kept: set[Path]) -> None:
    """Remove what ``directory`` holds, except ``kept`` paths and the directories above them."""
    if not directory.is_dir():
        return
    for entry in directory.iterdir():
        if entry in kept:
            continue
        if any(path.is_relative_to(entry) for path in kept):
            _clear(entry, kept)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
