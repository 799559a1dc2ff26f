"""The offline Node.js language host over gRPC: what the engine asks, what it answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="the host runs node")

HOST = Path(__file__).resolve().parents[2] / "tools" / "language_host_nodejs"
ENGINE = "127.0.0.1:9"  # never called within a test (the health check waits a minute)
FAKE_RUN = """\
const fs = require("fs");
fs.writeFileSync(process.env.FAKE_RECORD, JSON.stringify({
    argv: process.argv.slice(2),
    config: process.env.PULUMI_CONFIG,
    secretKeys: process.env.PULUMI_CONFIG_SECRET_KEYS,
    typescript: process.env.PULUMI_NODEJS_TYPESCRIPT || null,
    tsconfig: process.env.PULUMI_NODEJS_TSCONFIG_PATH || null,
    cwd: process.cwd(),
}));
console.log("plugin says " + process.argv.slice(2).join(" "));
process.exit(Number(process.env.FAKE_EXIT || "0"));
"""


class Host:
    """A started host process and a ``LanguageRuntime`` client of it."""

    def __init__(self, proc: subprocess.Popen[str], port: int) -> None:
        self.proc = proc
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = language_pb2_grpc.LanguageRuntimeStub(self.channel)

    def stop(self) -> None:
        """Stop the host (SIGTERM) and wait for it."""
        self.channel.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def start_host(tmp_path: Path) -> Iterator[Callable[..., Host]]:
    """Start hosts as the engine does (``python -I`` on the source), with ``env`` overrides."""
    started: list[Host] = []

    def start(**env: str) -> Host:
        environ = {**os.environ, "FAKE_RECORD": str(tmp_path / "record.json"), **env}
        proc = subprocess.Popen(
            [sys.executable, "-I", str(HOST), ENGINE],
            cwd=tmp_path,
            env=environ,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip().isdigit(), f"the host printed {line!r} instead of its port"
        host = Host(proc, int(line))
        started.append(host)
        return host

    yield start
    for host in started:
        host.stop()


@pytest.fixture
def fake_run(tmp_path: Path) -> Path:
    """A stand-in for ``@pulumi/pulumi/cmd/run``: records its argv and environment."""
    script = tmp_path / "fake-run.js"
    script.write_text(FAKE_RUN, encoding="utf-8")
    return script


def _info(directory: Path, **options: object) -> language_pb2.ProgramInfo:
    struct = struct_pb2.Struct()
    struct.update(options)
    return language_pb2.ProgramInfo(
        root_directory=str(directory),
        program_directory=str(directory),
        entry_point=".",
        options=struct,
    )


def _run_request(directory: Path, **options: object) -> language_pb2.RunRequest:
    request = language_pb2.RunRequest(
        project="proj",
        stack="dev",
        pwd=str(directory),
        dryRun=True,
        parallel=4,
        monitor_address="127.0.0.1:1111",
        organization="organization",
        info=_info(directory, **options),
    )
    request.config["proj:greeting"] = "hello"
    request.config["hbr:endpoint"] = "127.0.0.1:8080"
    request.configSecretKeys.append("proj:greeting")
    return request


def _package(directory: Path, manifest: dict[str, object]) -> None:
    directory.mkdir(parents=True)
    (directory / "package.json").write_text(json.dumps(manifest), encoding="utf-8")


class TestRun:
    """Run starts ``node <cmd/run> FLAGS PROGRAM`` as the official host does."""

    def test_run_passes_the_official_flags_and_config(
        self, tmp_path: Path, start_host: Callable[..., Host], fake_run: Path
    ) -> None:
        """Flags in the official order, config keys as ns:config:name, TypeScript on."""
        host = start_host(PULUMI_LANGUAGE_NODEJS_RUN_PATH=str(fake_run))
        response = host.stub.Run(_run_request(tmp_path, tsconfig="tsconfig.prod.json"))
        assert response.error == ""
        assert not response.bail
        record = json.loads((tmp_path / "record.json").read_text())
        assert record["argv"] == [
            "--monitor", "127.0.0.1:1111", "--engine", ENGINE, "--organization", "organization",
            "--project", "proj", "--root-directory", str(tmp_path), "--stack", "dev",
            "--pwd", str(tmp_path), "--dry-run", "--parallel", "4", ".",
        ]  # fmt: skip
        assert json.loads(record["config"]) == {
            "proj:config:greeting": "hello",
            "hbr:config:endpoint": "127.0.0.1:8080",
        }
        assert json.loads(record["secretKeys"]) == ["proj:greeting"]
        assert record["typescript"] == "true"
        assert record["tsconfig"] == "tsconfig.prod.json"

    def test_exit_32_bails_and_another_code_is_an_error(
        self, tmp_path: Path, start_host: Callable[..., Host], fake_run: Path
    ) -> None:
        """Exit 32 (the program reported its error) bails quietly; exit 3 is named."""
        bail = start_host(PULUMI_LANGUAGE_NODEJS_RUN_PATH=str(fake_run), FAKE_EXIT="32")
        response = bail.stub.Run(_run_request(tmp_path))
        assert response.bail
        assert response.error == ""
        fail = start_host(PULUMI_LANGUAGE_NODEJS_RUN_PATH=str(fake_run), FAKE_EXIT="3")
        response = fail.stub.Run(_run_request(tmp_path, typescript=False))
        assert response.error == "Program exited with non-zero exit code: 3"
        assert json.loads((tmp_path / "record.json").read_text())["typescript"] is None

    def test_cancel_interrupts_a_running_program(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """Cancel sends SIGINT to the running program; Run answers how it ended."""
        started = tmp_path / "started"
        script = tmp_path / "wait.js"
        script.write_text(
            f"require('fs').writeFileSync({json.dumps(str(started))}, '');"
            "setTimeout(() => process.exit(0), 60000);"
        )
        host = start_host(PULUMI_LANGUAGE_NODEJS_RUN_PATH=str(script))
        future = host.stub.Run.future(_run_request(tmp_path))
        deadline = time.monotonic() + 30
        while not started.exists():
            assert time.monotonic() < deadline, "the program did not start"
            time.sleep(0.05)
        host.stub.Cancel(empty_pb2.Empty())
        response = future.result(timeout=30)
        assert response.error == "Program exited unexpectedly: killed by signal 2"

    def test_missing_sdk_says_to_install(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """Without node_modules/@pulumi/pulumi, Run says to run pulumi install."""
        response = start_host().stub.Run(_run_request(tmp_path))
        assert response.error == (
            "It looks like the Pulumi SDK has not been installed. Have you run pulumi install?"
        )

    @pytest.mark.parametrize(
        ("option", "value", "rule"),
        [
            ("typescript", "yes", "it must be a boolean"),
            ("packagemanager", "maven", "it must be one of auto, npm, yarn, pnpm, bun"),
            ("nodeargs", "--max-old-space-size='4096", "it must split as shell words"),
        ],
    )
    def test_bad_runtime_option_is_named(
        self,
        tmp_path: Path,
        start_host: Callable[..., Host],
        option: str,
        value: str,
        rule: str,
    ) -> None:
        """A bad runtime option fails Run naming the option, its value and the rule."""
        response = start_host().stub.Run(_run_request(tmp_path, **{option: value}))
        assert f"runtime option '{option}' in Pulumi.yaml is {value!r}: {rule}" in response.error
        assert "Traceback" not in response.error


class TestDependencies:
    """The plugins of node_modules, the lock file's packages and npm install."""

    def test_required_packages_are_those_node_modules_name(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """Packages with pulumi.resource name plugins; policy packs and others are skipped."""
        modules = tmp_path / "node_modules"
        _package(
            modules / "@pulumi-hbr-clients" / "hbr",
            {
                "name": "@pulumi-hbr-clients/hbr",
                "version": "0.1.0",
                "pulumi": {"resource": True, "name": "hbr", "version": "0.1.0"},
            },
        )
        hbr = modules / "@pulumi-hbr-clients" / "hbr"
        _package(hbr / "bin", json.loads((hbr / "package.json").read_text()))  # its copy
        _package(
            modules / "@pulumi" / "aws",
            {"name": "@pulumi/aws", "version": "6.1.0", "pulumi": {"resource": True}},
        )
        _package(modules / "@pulumi" / "pulumi", {"name": "@pulumi/pulumi", "version": "3.270.0"})
        _package(
            modules / "@acme" / "unnamed",
            {"name": "@acme/unnamed", "version": "1.0.0", "pulumi": {"resource": True}},
        )
        _package(
            modules / "dep" / "node_modules" / "@pulumi" / "random",
            {
                "name": "@pulumi/random",
                "version": "4.0.0",
                "pulumi": {"resource": True, "server": "https://example.test/plugins"},
            },
        )
        _package(
            tmp_path / "policy" / "node_modules" / "@pulumi" / "gcp",
            {"name": "@pulumi/gcp", "version": "7.0.0", "pulumi": {"resource": True}},
        )
        (tmp_path / "policy" / "PulumiPolicy.yaml").write_text("runtime: nodejs\n")
        linked = tmp_path.parent / f"{tmp_path.name}-linked"
        _package(
            linked,
            {"name": "linked", "version": "2.0.0", "pulumi": {"resource": True, "name": "lnk"}},
        )
        (modules / "linked").symlink_to(linked)
        (tmp_path / "package.json").write_text(json.dumps({"pulumi": {"resource": True}}))

        response = start_host().stub.GetRequiredPackages(
            language_pb2.GetRequiredPackagesRequest(info=_info(tmp_path))
        )
        found = {(p.name, p.version, p.server, p.kind) for p in response.packages}
        assert found == {
            ("hbr", "v0.1.0", "", "resource"),
            ("aws", "v6.1.0", "", "resource"),
            ("random", "v4.0.0", "https://example.test/plugins", "resource"),
            ("lnk", "v2.0.0", "", "resource"),
        }

    def test_program_dependencies_come_from_the_lock_file(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """Direct dependencies by default, every locked package when transitive."""
        (tmp_path / "package.json").write_text(
            json.dumps({"dependencies": {"@pulumi/pulumi": "3.270.0"}})
        )
        lock = {
            "lockfileVersion": 3,
            "packages": {
                "": {"name": "proj"},
                "node_modules/@pulumi/pulumi": {"version": "3.270.0"},
                "node_modules/@pulumi/pulumi/node_modules/semver": {"version": "7.6.0"},
            },
        }
        (tmp_path / "package-lock.json").write_text(json.dumps(lock))
        host = start_host()

        def listed(transitive: bool) -> list[tuple[str, str]]:
            response = host.stub.GetProgramDependencies(
                language_pb2.GetProgramDependenciesRequest(
                    info=_info(tmp_path), transitiveDependencies=transitive
                )
            )
            return [(d.name, d.version) for d in response.dependencies]

        assert listed(False) == [("@pulumi/pulumi", "3.270.0")]
        assert listed(True) == [("@pulumi/pulumi", "3.270.0"), ("semver", "7.6.0")]

        # Without package-lock.json: npm's copy in node_modules (make setup's linked install).
        hidden = tmp_path / "node_modules" / ".package-lock.json"
        hidden.parent.mkdir()
        (tmp_path / "package-lock.json").rename(hidden)
        assert listed(False) == [("@pulumi/pulumi", "3.270.0")]

    def test_install_dependencies_runs_npm_install(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """pulumi install's RPC streams npm install between the official messages."""
        (tmp_path / "package.json").write_text(json.dumps({"name": "proj", "version": "1.0.0"}))
        host = start_host(npm_config_offline="true", npm_config_update_notifier="false")
        stream = host.stub.InstallDependencies(
            language_pb2.InstallDependenciesRequest(info=_info(tmp_path))
        )
        stdout = b"".join(r.stdout for r in stream).decode()
        assert stdout.startswith("Installing dependencies...\n\n")
        assert stdout.endswith("Finished installing dependencies\n\n")
        assert (tmp_path / "package-lock.json").is_file()

    def test_about_names_node_and_npm(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """About answers node's path and version and the package manager."""
        response = start_host().stub.About(language_pb2.AboutRequest(info=_info(tmp_path)))
        assert Path(response.executable).name == "node"
        assert response.version.startswith("v")
        assert response.metadata["packagemanager"] == "npm"
        assert response.metadata["packagemanagerVersion"][0].isdigit()


class TestPluginsAndRpcs:
    """RunPlugin, the plugin's version, and the RPCs this build leaves out."""

    def test_run_plugin_streams_its_output(
        self, tmp_path: Path, start_host: Callable[..., Host], fake_run: Path
    ) -> None:
        """A plugin runs as run-plugin <dir> ARGS in pwd, its stdout streamed back."""
        host = start_host(PULUMI_LANGUAGE_NODEJS_RUN_PATH=str(fake_run))
        env = [f"PATH={os.environ['PATH']}", f"FAKE_RECORD={tmp_path / 'record.json'}"]
        stream = host.stub.RunPlugin(
            language_pb2.RunPluginRequest(
                pwd=str(tmp_path), args=["a", "b"], env=env, info=_info(tmp_path), kind="tool"
            )
        )
        stdout = b"".join(r.stdout for r in stream).decode()
        assert stdout == f"plugin says {tmp_path} a b\n"

    def test_policy_packs_are_refused_by_name(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """A TypeScript policy pack gets an error naming it, not a hang."""
        stream = start_host().stub.RunPlugin(
            language_pb2.RunPluginRequest(info=_info(tmp_path), kind="analyzer")
        )
        with pytest.raises(grpc.RpcError) as caught:
            list(stream)
        assert "does not run TypeScript or JavaScript policy packs" in caught.value.details()

    @pytest.mark.parametrize("rpc", ["GenerateProject", "Pack"])
    def test_code_generation_rpcs_are_unimplemented_by_name(
        self, start_host: Callable[..., Host], rpc: str
    ) -> None:
        """GenerateProject, Pack, ...: UNIMPLEMENTED with a message naming the RPC."""
        host = start_host()
        request_type = {
            "GenerateProject": language_pb2.GenerateProjectRequest,
            "Pack": language_pb2.PackRequest,
        }[rpc]
        with pytest.raises(grpc.RpcError) as caught:
            getattr(host.stub, rpc)(request_type())
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        assert f"LanguageRuntime.{rpc} is not implemented" in caught.value.details()

    def test_pulumi_new_asks_for_a_package_manager_unless_set(
        self, tmp_path: Path, start_host: Callable[..., Host]
    ) -> None:
        """RuntimeOptionsPrompts offers npm first (it is installed), and nothing once set."""
        host = start_host()
        prompts = host.stub.RuntimeOptionsPrompts(
            language_pb2.RuntimeOptionsRequest(info=_info(tmp_path))
        ).prompts
        assert [p.key for p in prompts] == ["packagemanager"]
        assert prompts[0].default.stringValue == "npm"
        assert prompts[0].choices[0].displayName == "npm"
        assert {c.stringValue for c in prompts[0].choices} == {"npm", "pnpm", "yarn", "bun"}
        chosen = host.stub.RuntimeOptionsPrompts(
            language_pb2.RuntimeOptionsRequest(info=_info(tmp_path, packagemanager="npm"))
        )
        assert list(chosen.prompts) == []

    def test_plugin_info_is_the_official_release_followed(
        self, start_host: Callable[..., Host]
    ) -> None:
        """GetPluginInfo answers the release of the official host this one follows."""
        assert start_host().stub.GetPluginInfo(empty_pb2.Empty()).version == "3.274.1"
