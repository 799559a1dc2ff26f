"""The offline ``pulumi-language-go`` over gRPC, started as the engine starts it.

Quick checks of what the end-to-end test does not reach: the ``PULUMI_*`` environment a
program gets, the exit codes, the runtime options, a compile error, the plugins and the
dependencies read from ``go.mod``, and the RPCs it leaves to the official host.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "tools" / "language_host_go"
EXAMPLE = ROOT / "examples" / "go"
ENGINE = "127.0.0.1:1"  # never dialled within a test: the engine check waits 60 s

RECORDER = """#!/bin/sh
env | grep '^PULUMI_' | sort > "$RECORD"
pwd >> "$RECORD"
exit "${FAKE_EXIT:-0}"
"""


class Host:
    """A host process serving on a local port, and a ``LanguageRuntime`` client."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(HOST), ENGINE],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip().isdigit(), f"the host printed {line!r} instead of its port"
        self.channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}")
        self.stub = language_pb2_grpc.LanguageRuntimeStub(self.channel)

    def stop(self) -> None:
        """Stop the host (SIGTERM) and wait for it."""
        self.channel.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    """A host started in ``tmp_path`` whose programs record into ``tmp_path/record``."""
    env = {**os.environ, "RECORD": str(tmp_path / "record"), "GOPROXY": "off", "GOWORK": "off"}
    started = Host(tmp_path, env)
    yield started
    started.stop()


def _info(directory: Path, **options: object) -> language_pb2.ProgramInfo:
    struct = struct_pb2.Struct()
    struct.update(options)
    return language_pb2.ProgramInfo(
        root_directory=str(directory),
        program_directory=str(directory),
        entry_point=".",
        options=struct,
    )


def _recorder(tmp_path: Path) -> Path:
    script = tmp_path / "program"
    script.write_text(RECORDER, encoding="utf-8")
    script.chmod(0o755)
    return script


def _run_request(tmp_path: Path, **options: object) -> language_pb2.RunRequest:
    return language_pb2.RunRequest(
        project="proj",
        stack="dev",
        pwd=str(tmp_path),
        config={"proj:b": "2", "proj:a": "1"},
        configSecretKeys=["proj:b"],
        dryRun=True,
        parallel=8,
        monitor_address="127.0.0.1:9",
        organization="org",
        info=_info(tmp_path, **options),
    )


def test_run_gives_the_program_the_variables_the_go_sdk_reads(host: Host, tmp_path: Path) -> None:
    """A ``binary`` program runs in ``pwd`` with every PULUMI_* variable of run.go."""
    answer = host.stub.Run(_run_request(tmp_path, binary=str(_recorder(tmp_path))))
    assert (answer.error, answer.bail) == ("", False)
    lines = (tmp_path / "record").read_text(encoding="utf-8").splitlines()
    recorded = dict(line.split("=", 1) for line in lines[:-1])
    # What the test run itself exports (``make test`` sets PULUMI_SKIP_UPDATE_CHECK...) is
    # passed through unchanged; the host's own variables are the rest.
    inherited = {k: v for k, v in os.environ.items() if k.startswith("PULUMI_")}
    recorded = {k: v for k, v in recorded.items() if inherited.get(k) != v}
    assert recorded == {
        "PULUMI_CONFIG": '{"proj:a":"1","proj:b":"2"}',
        "PULUMI_CONFIG_SECRET_KEYS": '["proj:b"]',
        "PULUMI_DRY_RUN": "true",
        "PULUMI_ENGINE": ENGINE,
        "PULUMI_MONITOR": "127.0.0.1:9",
        "PULUMI_ORGANIZATION": "org",
        "PULUMI_PARALLEL": "8",
        "PULUMI_PROJECT": "proj",
        "PULUMI_ROOT_DIRECTORY": str(tmp_path),
        "PULUMI_STACK": "dev",
    }
    assert lines[-1] == str(tmp_path)


def test_run_exit_codes(tmp_path: Path) -> None:
    """Exit 32 (error already reported) answers bail; another code names itself."""
    program = _recorder(tmp_path)
    for code, expected in (
        (32, ("", True)),
        (3, ("program exited with non-zero exit code: 3", False)),
    ):
        env = {**os.environ, "RECORD": str(tmp_path / "record"), "FAKE_EXIT": str(code)}
        started = Host(tmp_path, env)
        try:
            answer = started.stub.Run(_run_request(tmp_path, binary=str(program)))
        finally:
            started.stop()
        assert (answer.error, answer.bail) == expected


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"binary": 3}, "binary option must be a string"),
        ({"binary": "a", "buildTarget": "b"}, "binary and buildTarget cannot both be specified"),
        ({"binary": "no-such-program-here"}, "unable to find 'no-such-program-here' executable"),
    ],
)
def test_run_bad_options_are_named(
    host: Host, tmp_path: Path, options: dict[str, object], message: str
) -> None:
    """A bad runtime option fails Run with the option's name and the rule."""
    with pytest.raises(grpc.RpcError) as caught:
        host.stub.Run(_run_request(tmp_path, **options))
    assert message in str(caught.value.details())


@pytest.mark.skipif(shutil.which("go") is None, reason="building needs Go")
def test_run_compile_error_shows_the_compiler(host: Host, tmp_path: Path) -> None:
    """A program that does not compile fails Run with go build's message."""
    (tmp_path / "go.mod").write_text("module broken\n\ngo 1.21\n", encoding="utf-8")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() { undefinedThing() }\n")
    with pytest.raises(grpc.RpcError) as caught:
        host.stub.Run(_run_request(tmp_path))
    details = str(caught.value.details())
    assert "error in compiling Go: unable to run `go build`" in details
    assert "undefined: undefinedThing" in details


@pytest.mark.skipif(shutil.which("go") is None, reason="reading go.mod needs Go")
def test_required_packages_and_dependencies_of_the_example(host: Host) -> None:
    """The example's go.mod names plugin hbr at the SDK's version; the SDK has no version."""
    packages = host.stub.GetRequiredPackages(
        language_pb2.GetRequiredPackagesRequest(info=_info(EXAMPLE))
    ).packages
    found = {(p.name, p.version, p.kind) for p in packages}
    assert ("hbr", "0.1.0", "resource") in found
    dependencies = host.stub.GetProgramDependencies(
        language_pb2.GetProgramDependenciesRequest(info=_info(EXAMPLE))
    ).dependencies
    assert [(d.name, d.version) for d in dependencies] == [
        ("github.com/pulumi-hbr-clients/pulumi-hbr-clients/sdk/go", ""),
        ("github.com/pulumi/pulumi/sdk/v3", "v3.274.1"),
    ]
    about = host.stub.About(language_pb2.AboutRequest())
    assert about.version.startswith("go version go")


def test_plugin_info_handshake_and_unimplemented(host: Host, tmp_path: Path) -> None:
    """The followed release's version; a handshake needs an address; codegen is named."""
    assert host.stub.GetPluginInfo(empty_pb2.Empty()).version == "3.274.1"
    with pytest.raises(grpc.RpcError) as caught:
        host.stub.Handshake(language_pb2.LanguageHandshakeRequest())
    assert "Must contain address in request" in str(caught.value.details())
    for name, call, request in (
        ("GenerateProject", host.stub.GenerateProject, language_pb2.GenerateProjectRequest()),
        ("Pack", host.stub.Pack, language_pb2.PackRequest()),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call(request)
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        assert f"LanguageRuntime.{name} is not implemented" in str(caught.value.details())
