"""make setup's provide-nodejs.sh and provide-go.sh: an installed CLI's official host wins."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "pulumi-cli"
#: Each runtime: its provide script and how its offline host names itself.
RUNTIMES = {"nodejs": "Node.js", "go": "Go"}


def _executable(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    path.chmod(0o755)
    return path


def _provide(runtime: str, bin_dir: Path, path: str) -> None:
    subprocess.run(
        [str(TOOLS / f"provide-{runtime}.sh"), str(bin_dir), "--host-only"],
        env={**os.environ, "PATH": path},
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """A bin directory with a Python: this venv's, as a venv's own bin has it."""
    directory = tmp_path / "bin"
    directory.mkdir()
    _executable(directory / "python", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n'.encode())
    return directory


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_installed_cli_official_host_is_linked(runtime: str, tmp_path: Path, bin_dir: Path) -> None:
    """A pulumi on PATH with a pulumi-language-RUNTIME binary beside it: that host is linked."""
    installed = tmp_path / "pulumi-cli"
    installed.mkdir()
    _executable(installed / "pulumi", b"\x7fELF stand-in")
    official = _executable(installed / f"pulumi-language-{runtime}", b"\x7fELF stand-in")
    _provide(runtime, bin_dir, f"{installed}{os.pathsep}{os.environ['PATH']}")
    assert (bin_dir / f"pulumi-language-{runtime}").resolve() == official


@pytest.mark.parametrize("runtime", sorted(RUNTIMES))
def test_without_one_the_offline_host_serves(runtime: str, tmp_path: Path, bin_dir: Path) -> None:
    """Without an official host (another checkout's script does not count), this one serves."""
    other = tmp_path / "other-checkout"
    other.mkdir()
    _executable(other / "pulumi", b"\x7fELF stand-in")
    _executable(other / f"pulumi-language-{runtime}", b"#!/bin/sh\n")
    path = os.pathsep.join(
        [
            str(other),
            *(
                p
                for p in os.environ["PATH"].split(os.pathsep)
                if shutil.which("pulumi", path=p) is None
            ),
        ]
    )
    _provide(runtime, bin_dir, path)
    host = bin_dir / f"pulumi-language-{runtime}"
    assert not host.is_symlink()
    assert f"the {RUNTIMES[runtime]} language host of this offline build" in host.read_text()
    proc = subprocess.Popen([str(host)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip().isdigit()  # it serves, printing its port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.skipif(shutil.which("go") is None, reason="the Python host's Go front needs Go")
def test_the_python_hosts_go_front_is_formatted_and_vetted() -> None:
    """tools/pulumi-language-python passes gofmt and go vet, as the SDK's Go code does."""
    front = ROOT / "tools" / "pulumi-language-python"
    env = {**os.environ, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    unformatted = subprocess.run(
        ["gofmt", "-l", "."], cwd=front, capture_output=True, text=True, check=True, timeout=60
    )
    assert unformatted.stdout == ""
    vet = subprocess.run(
        ["go", "vet", "."],
        cwd=front,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert vet.returncode == 0, vet.stdout + vet.stderr
