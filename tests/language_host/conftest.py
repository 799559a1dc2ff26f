"""A running language host (this project's ``pulumi-language-python``) and a client for it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "tools" / "language_host"
# The host's source is not an installed package: the tests import it from tools/.
if str(HOST.parent) not in sys.path:
    sys.path.insert(0, str(HOST.parent))
START_TIMEOUT = 30.0
#: The host as make setup installs it: the Go front where Go built it (it answers the frequent
#: RPCs and hands the others to the Python host), else the Python host's script.
INSTALLED = Path(sys.executable).parent / "pulumi-language-python"
#: The two ways to start the host: its Python source, and the installed Go front.
IMPLEMENTATIONS = ("python", "go-front")


def installed_front() -> Path:
    """The Go front make setup installed; skip where it is not used (an installed Pulumi CLI's
    official host, or no Go), fail where Go could have built it."""
    if INSTALLED.is_symlink():
        pytest.skip(f"{INSTALLED} is an installed Pulumi CLI's official host: no front serves")
    if INSTALLED.is_file():
        with INSTALLED.open("rb") as binary:
            if binary.read(4) == b"\x7fELF":
                return INSTALLED
    if shutil.which("go") is None:
        pytest.skip("Go is not installed: make setup installs the Python host alone")
    pytest.fail(f"{INSTALLED} is not the Go front though Go is installed: run `make setup`")


class RunningHost:
    """A host process serving on a local port, with a ``LanguageRuntime`` client."""

    def __init__(self, proc: subprocess.Popen[str], port: int) -> None:
        self.proc = proc
        self.port = port
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = language_pb2_grpc.LanguageRuntimeStub(self.channel)

    def stop(self) -> None:
        """Stop the host (SIGTERM) and wait for it."""
        self.channel.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def host_command(implementation: str = "python") -> list[str]:
    """The command that starts the host: ``python -I`` on its source, or the Go front."""
    if implementation == "go-front":
        return [str(installed_front())]
    return [sys.executable, "-I", str(HOST)]


def start_host(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    launcher: list[str] | None = None,
    implementation: str = "python",
) -> RunningHost:
    """Start the host as the engine does (``python -I`` on the source, or the Go front) and
    read its port."""
    proc = subprocess.Popen(
        [*(launcher or []), *host_command(implementation), *args],
        cwd=cwd,
        env=env or dict(os.environ),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip().isdigit(), f"the host printed {line!r} instead of its port"
    return RunningHost(proc, int(line))


@pytest.fixture
def executor(tmp_path: Path) -> Path:
    """A stand-in exec script: records its argv and config env, exits with $FAKE_EXIT."""
    script = tmp_path / "fake-exec"
    script.write_text(
        "import json, os, sys\n"
        "with open(os.environ['FAKE_RECORD'], 'w') as f:\n"
        "    json.dump({'argv': sys.argv[1:], 'config': os.environ.get('PULUMI_CONFIG'),\n"
        "               'secret_keys': os.environ.get('PULUMI_CONFIG_SECRET_KEYS'),\n"
        "               'virtual_env': os.environ.get('VIRTUAL_ENV'),\n"
        "               'executable': sys.executable}, f)\n"
        "sys.exit(int(os.environ.get('FAKE_EXIT', '0')))\n",
        encoding="utf-8",
    )
    return script


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(request: pytest.FixtureRequest) -> str:
    """Each way to start the host: every test that takes it runs against both."""
    return str(request.param)


@pytest.fixture
def host_factory(
    tmp_path: Path, executor: Path, implementation: str
) -> Iterator[Callable[..., RunningHost]]:
    """Start hosts with the stand-in executor and ``env`` overrides; all stopped afterwards."""
    started: list[RunningHost] = []

    def start(**env: str) -> RunningHost:
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        environ.update({"FAKE_RECORD": str(tmp_path / "record.json"), **env})
        host = start_host(
            "--use-executor",
            str(executor),
            cwd=tmp_path,
            env=environ,
            implementation=implementation,
        )
        started.append(host)
        return host

    yield start
    for host in started:
        host.stop()


@pytest.fixture
def host(host_factory: Callable[..., RunningHost]) -> RunningHost:
    """A host with the stand-in executor, exiting 0."""
    return host_factory()


@pytest.fixture(scope="session")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment without pip (fast to create) on this Python."""
    path = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(with_pip=False).create(path)
    return path


def program_info(root: Path, **options: str) -> language_pb2.ProgramInfo:
    """A ``ProgramInfo`` for a project in ``root`` with these runtime options."""
    struct = struct_pb2.Struct()
    struct.update(options)
    return language_pb2.ProgramInfo(
        root_directory=str(root), program_directory=str(root), entry_point=".", options=struct
    )
