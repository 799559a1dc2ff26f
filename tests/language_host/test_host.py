"""The project's language host over gRPC: what the engine asks, what it answers."""

from __future__ import annotations

import ctypes
import json
import os
import platform
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import language_pb2

from language_host import server
from tests.language_host.conftest import RunningHost, host_command, program_info, start_host

EXIT_AFTER_REPORTED_ERROR = 32
#: Linux's ``tgkill`` (send a signal to one thread of a process), by architecture.
_SYS_TGKILL = {"x86_64": 234, "aarch64": 131}.get(platform.machine())


def _run_request(root: Path, **options: str) -> language_pb2.RunRequest:
    request = language_pb2.RunRequest(
        project="proj",
        stack="dev",
        pwd=str(root),
        dryRun=True,
        parallel=8,
        monitor_address="127.0.0.1:1111",
        organization="organization",
        info=program_info(root, **options),
    )
    request.config["proj:greeting"] = "hello"
    request.config["aws:region"] = "us-west-2"
    request.configSecretKeys.append("proj:greeting")
    return request


def _write_distribution(
    site: Path, name: str, version: str, plugin: dict[str, object] | None = None
) -> None:
    module = name.replace("-", "_")
    info = site / f"{module}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    (site / module).mkdir()
    if plugin is not None:
        (site / module / "pulumi-plugin.json").write_text(json.dumps(plugin), encoding="utf-8")


def _children(pid: int) -> list[int]:
    """The processes that process ``pid`` started and that still run."""
    tasks = Path(f"/proc/{pid}/task").iterdir()
    return [int(child) for task in tasks for child in (task / "children").read_text().split()]


def _gone_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` has exited within ``seconds`` (polled every 0.1 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


class TestPluginInfo:
    """GetPluginInfo and the RPCs the host does not serve."""

    def test_get_plugin_info_reports_the_sdk_version(self, host: RunningHost) -> None:
        """The host reports the version of the Python SDK it serves."""
        info = host.stub.GetPluginInfo(empty_pb2.Empty(), timeout=10)
        assert info.version == metadata.version("pulumi")

    def test_unimplemented_rpc_names_itself(self, host: RunningHost, tmp_path: Path) -> None:
        """A code-generation RPC answers UNIMPLEMENTED with a message naming the RPC."""
        with pytest.raises(grpc.RpcError) as caught:
            host.stub.GenerateProject(language_pb2.GenerateProjectRequest(), timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        assert "LanguageRuntime.GenerateProject" in caught.value.details()
        assert "install the Pulumi CLI" in caught.value.details()

    def test_every_rpc_is_served_or_named_unimplemented(self) -> None:
        """Each LanguageRuntime method is either implemented or in the UNIMPLEMENTED list."""
        service = language_pb2.DESCRIPTOR.services_by_name["LanguageRuntime"]
        names = {method.name for method in service.methods}
        implemented = {name for name in names if name in vars(server.LanguageHost)}
        assert implemented == names
        assert set(server.UNIMPLEMENTED) < names


class TestRun:
    """Run: the interpreter, the exec script's arguments, and the exit code's meaning."""

    def test_run_passes_the_official_arguments_and_config(
        self, host: RunningHost, tmp_path: Path, executor: Path, bare_venv: Path
    ) -> None:
        """The exec script gets the official flags, the entry point, and the config as JSON."""
        response = host.stub.Run(_run_request(tmp_path, virtualenv=str(bare_venv)), timeout=30)
        assert response.error == ""
        assert not response.bail
        record = json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))
        assert record["argv"] == [
            "--monitor", "127.0.0.1:1111",
            "--project", "proj",
            "--root_directory", str(tmp_path),
            "--stack", "dev",
            "--pwd", str(tmp_path),
            "--dry_run", "true",
            "--parallel", "8",
            "--organization", "organization",
            ".",
        ]  # fmt: skip
        assert json.loads(record["config"]) == {"aws:region": "us-west-2", "proj:greeting": "hello"}
        assert json.loads(record["secret_keys"]) == ["proj:greeting"]
        assert record["virtual_env"] == str(bare_venv)
        assert Path(record["executable"]).parent == bare_venv / "bin"

    def test_run_relative_virtualenv_resolves_from_the_root(
        self, host: RunningHost, tmp_path: Path, bare_venv: Path
    ) -> None:
        """A relative ``virtualenv`` option is found from the project's root directory."""
        relative = os.path.relpath(bare_venv, tmp_path)
        response = host.stub.Run(_run_request(tmp_path, virtualenv=relative), timeout=30)
        assert response.error == ""
        record = json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))
        assert Path(record["virtual_env"]).resolve() == bare_venv.resolve()

    def test_run_reported_error_answers_bail(
        self, host_factory: Callable[..., RunningHost], tmp_path: Path
    ) -> None:
        """Exit code 32 (the program already reported its error) answers bail, no message."""
        host = host_factory(FAKE_EXIT=str(EXIT_AFTER_REPORTED_ERROR))
        response = host.stub.Run(_run_request(tmp_path), timeout=30)
        assert response.bail
        assert response.error == ""

    def test_run_other_exit_code_is_an_error(
        self, host_factory: Callable[..., RunningHost], tmp_path: Path
    ) -> None:
        """Another non-zero exit code becomes the official host's error message."""
        host = host_factory(FAKE_EXIT="3")
        response = host.stub.Run(_run_request(tmp_path), timeout=30)
        assert not response.bail
        assert response.error == "program exited with non-zero exit code: 3"

    def test_run_missing_virtualenv_names_the_path_and_the_fix(
        self, host: RunningHost, tmp_path: Path
    ) -> None:
        """A ``virtualenv`` that does not exist fails with its path and the commands to make it."""
        with pytest.raises(grpc.RpcError) as caught:
            host.stub.Run(_run_request(tmp_path, virtualenv="venv"), timeout=30)
        details = caught.value.details()
        assert f"'{tmp_path / 'venv'}' doesn't exist" in details
        assert f"python3 -m venv {tmp_path / 'venv'}" in details
        assert "pulumi install" in details
        assert not (tmp_path / "record.json").exists()

    def test_run_unsupported_toolchain_says_what_to_do(
        self, host: RunningHost, tmp_path: Path
    ) -> None:
        """``toolchain: uv`` fails, naming the toolchain and the pip alternative."""
        with pytest.raises(grpc.RpcError) as caught:
            host.stub.Run(_run_request(tmp_path, toolchain="uv"), timeout=30)
        assert "selects 'uv'" in caught.value.details()
        assert "toolchain: pip" in caught.value.details()


class TestPackages:
    """GetRequiredPackages and GetProgramDependencies read the project's environment."""

    def test_required_packages_follow_pulumi_plugin_json(
        self, host: RunningHost, tmp_path: Path
    ) -> None:
        """Pulumi packages need plugins, unless their pulumi-plugin.json opts out."""
        environment = tmp_path / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", environment], check=True)
        site = next((environment / "lib").glob("python3*/site-packages"))
        _write_distribution(site, "pulumi-aws", "6.1")
        _write_distribution(site, "pulumi-random", "4.2.0b3", {"resource": True, "name": "rnd"})
        _write_distribution(site, "pulumi-tls", "5.0.post1.dev2")
        _write_distribution(site, "pulumi-helpers", "1.0.0", {"resource": False})
        _write_distribution(site, "pulumi-policy", "1.21.0")
        parameterization = {"name": "acme", "version": "1.0.0", "value": "cGFyYW1z"}
        _write_distribution(
            site,
            "acme-cloud",
            "2.0.0",
            {"resource": True, "version": "v2.5.0", "parameterization": parameterization},
        )
        _write_distribution(site, "requests-extra", "1.0.0")
        response = host.stub.GetRequiredPackages(
            language_pb2.GetRequiredPackagesRequest(
                info=program_info(tmp_path, virtualenv=str(environment))
            ),
            timeout=60,
        )
        found = {(p.name, p.version, p.kind) for p in response.packages}
        assert found == {
            ("aws", "v6.1.0", "resource"),
            ("rnd", "v4.2.0-beta.3", "resource"),
            ("tls", "v5.0.0+post1dev2", "resource"),
            ("acme-cloud", "v2.5.0", "resource"),
        }
        (acme,) = (p for p in response.packages if p.name == "acme-cloud")
        assert (acme.parameterization.name, acme.parameterization.version) == ("acme", "1.0.0")
        assert acme.parameterization.value == b"params"

    def test_this_projects_environment_needs_no_plugin(
        self, host: RunningHost, tmp_path: Path
    ) -> None:
        """pulumi-hbr-clients (editable here) says it has no plugin, so none is required."""
        response = host.stub.GetRequiredPackages(
            language_pb2.GetRequiredPackagesRequest(
                info=program_info(tmp_path, virtualenv=sys.prefix)
            ),
            timeout=60,
        )
        assert [p.name for p in response.packages] == []

    def test_required_packages_of_a_plain_environment_are_none(
        self, host: RunningHost, tmp_path: Path
    ) -> None:
        """A fresh virtual environment needs no plugins."""
        fresh = tmp_path / "fresh"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", fresh], check=True)
        response = host.stub.GetRequiredPackages(
            language_pb2.GetRequiredPackagesRequest(
                info=program_info(tmp_path, virtualenv=str(fresh))
            ),
            timeout=60,
        )
        assert list(response.packages) == []

    def test_about_reports_the_project_interpreter(
        self, host: RunningHost, tmp_path: Path, bare_venv: Path
    ) -> None:
        """About names the virtual environment's interpreter and its version."""
        response = host.stub.About(
            language_pb2.AboutRequest(info=program_info(tmp_path, virtualenv=str(bare_venv))),
            timeout=30,
        )
        assert Path(response.executable).parent == bare_venv / "bin"
        assert response.version == ".".join(map(str, sys.version_info[:3]))

    def test_program_dependencies_list_the_environment(
        self, host: RunningHost, tmp_path: Path
    ) -> None:
        """GetProgramDependencies lists what pip sees in the project's environment."""
        response = host.stub.GetProgramDependencies(
            language_pb2.GetProgramDependenciesRequest(
                info=program_info(tmp_path, virtualenv=str(Path(sys.executable).parents[1])),
                transitiveDependencies=True,
            ),
            timeout=120,
        )
        names = {d.name: d.version for d in response.dependencies}
        assert names["pulumi"] == metadata.version("pulumi")
        assert "grpcio" in names


class TestRunPlugin:
    """RunPlugin streams a plugin's output as it is written, and its exit code."""

    def _plugin(self, root: Path, body: str) -> Path:
        plugin = root / "plugin"
        plugin.mkdir()
        (plugin / "__main__.py").write_text(body, encoding="utf-8")
        return plugin

    def test_run_plugin_streams_output_and_exit_code(
        self, host: RunningHost, tmp_path: Path, bare_venv: Path
    ) -> None:
        """stdout, stderr and a non-zero exit code come back in the stream; args reach it."""
        plugin = self._plugin(
            tmp_path,
            "import sys\nprint('out', *sys.argv[1:])\nprint('err', file=sys.stderr)\nsys.exit(3)\n",
        )
        responses = list(
            host.stub.RunPlugin(
                language_pb2.RunPluginRequest(
                    pwd=str(tmp_path),
                    args=["127.0.0.1:9"],
                    env=["SOME=value"],
                    kind="analyzer",
                    info=program_info(plugin, virtualenv=str(bare_venv)),
                ),
                timeout=60,
            )
        )
        stdout = b"".join(r.stdout for r in responses)
        stderr = b"".join(r.stderr for r in responses)
        assert stdout == b"out 127.0.0.1:9\n"
        assert stderr == b"err\n"
        assert responses[-1].WhichOneof("output") == "exitcode"
        assert responses[-1].exitcode == 3

    def test_run_plugin_output_is_unbuffered_and_cancel_kills(
        self, host: RunningHost, tmp_path: Path, bare_venv: Path
    ) -> None:
        """A port printed without flush arrives at once; cancelling the call kills the plugin."""
        plugin = self._plugin(
            tmp_path,
            "import os, time\n"
            "open('pid', 'w').write(str(os.getpid()))\n"
            "print('12345')\n"
            "time.sleep(120)\n",
        )
        call = host.stub.RunPlugin(
            language_pb2.RunPluginRequest(
                pwd=str(tmp_path),
                kind="analyzer",
                info=program_info(plugin, virtualenv=str(bare_venv)),
            ),
            timeout=60,
        )
        first_line = b""
        while not first_line.endswith(b"\n"):
            first_line += next(call).stdout
        assert first_line == b"12345\n"
        pid = int((tmp_path / "pid").read_text(encoding="utf-8"))
        call.cancel()
        if not _gone_within(pid, 10):
            pytest.fail(f"plugin process {pid} still runs after the call was cancelled")

    def test_run_plugin_default_virtualenv_is_venv(self, host: RunningHost, tmp_path: Path) -> None:
        """Without a ``virtualenv`` option a plugin needs ``venv`` beside it, and says so."""
        plugin = self._plugin(tmp_path, "print('never')\n")
        with pytest.raises(grpc.RpcError) as caught:
            list(
                host.stub.RunPlugin(
                    language_pb2.RunPluginRequest(
                        pwd=str(tmp_path), kind="analyzer", info=program_info(plugin)
                    ),
                    timeout=60,
                )
            )
        assert f"'{plugin / 'venv'}' doesn't exist" in caught.value.details()


class TestLifecycle:
    """The host's process: its command line, and when it exits."""

    def test_host_exits_on_sigterm(
        self, tmp_path: Path, executor: Path, implementation: str
    ) -> None:
        """SIGTERM stops the host promptly with status 0."""
        host = start_host(
            "--use-executor", str(executor), cwd=tmp_path, implementation=implementation
        )
        host.proc.send_signal(signal.SIGTERM)
        assert host.proc.wait(timeout=10) == 0

    def test_front_stops_the_python_host_it_started(
        self, tmp_path: Path, executor: Path, bare_venv: Path
    ) -> None:
        """An RPC the Go front passes on starts the Python host; stopping the front stops it.

        ``About``, which the engine asks before every update, and ``RunPlugin`` of a plugin
        or policy pack with a ``__main__.py`` the front answers itself.
        """
        host = start_host("--use-executor", str(executor), cwd=tmp_path, implementation="go-front")
        about = host.stub.About(
            language_pb2.AboutRequest(info=program_info(tmp_path, virtualenv=str(bare_venv))),
            timeout=30,
        )
        assert Path(about.executable).parent == bare_venv / "bin"
        plugin = tmp_path / "plugin"
        plugin.mkdir()
        (plugin / "__main__.py").write_text("print('served')\n", encoding="utf-8")
        ran = host.stub.RunPlugin(
            language_pb2.RunPluginRequest(
                pwd=str(tmp_path), info=program_info(plugin, virtualenv=str(bare_venv))
            ),
            timeout=60,
        )
        assert b"".join(r.stdout for r in ran) == b"served\n"
        assert _children(host.proc.pid) == [], "the front answers About and RunPlugin itself"
        environment = str(Path(sys.executable).parents[1])
        dependencies = host.stub.GetProgramDependencies(
            language_pb2.GetProgramDependenciesRequest(
                info=program_info(tmp_path, virtualenv=environment), transitiveDependencies=True
            ),
            timeout=120,
        )
        assert "pulumi" in {d.name for d in dependencies.dependencies}
        (python_host,) = _children(host.proc.pid)
        host.proc.send_signal(signal.SIGTERM)
        assert host.proc.wait(timeout=10) == 0
        assert _gone_within(python_host, 10)

    @pytest.mark.skipif(_SYS_TGKILL is None, reason="tgkill's number is known for x86_64, aarch64")
    def test_host_exits_on_sigterm_delivered_to_any_thread(
        self, tmp_path: Path, executor: Path
    ) -> None:
        """A SIGTERM the kernel hands to one of gRPC's threads stops the host just as promptly.

        ``kill`` lets the kernel pick any thread of the process; this sends the signal to one
        thread other than the main one (``tgkill``), as the kernel may, so the test does not
        depend on which thread the kernel would have picked.
        """
        host = start_host("--use-executor", str(executor), cwd=tmp_path)
        pid = host.proc.pid
        tids = (int(task.name) for task in Path(f"/proc/{pid}/task").iterdir())
        others = sorted(tid for tid in tids if tid != pid)
        assert others, "the host runs gRPC's threads beside its main thread"
        libc = ctypes.CDLL(None, use_errno=True)
        try:
            assert libc.syscall(_SYS_TGKILL, pid, others[-1], signal.SIGTERM) == 0
            assert host.proc.wait(timeout=5) == 0
        finally:
            host.channel.close()
            host.proc.kill()

    def test_host_exits_when_its_parent_goes_away(
        self, tmp_path: Path, executor: Path, implementation: str
    ) -> None:
        """A host whose parent exited (the engine died) stops by itself."""
        command = " ".join(shlex.quote(part) for part in host_command(implementation))
        shell = subprocess.Popen(
            [
                "sh",
                "-c",
                f"{command} --use-executor {executor} >port & echo $!;"
                " while [ ! -s port ]; do sleep 0.1; done",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert shell.stdout is not None
        pid = int(shell.stdout.readline())
        shell.wait(timeout=10)
        if not _gone_within(pid, 15):
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the host kept running after its parent exited")

    def test_engine_flags_are_accepted(
        self, tmp_path: Path, executor: Path, implementation: str
    ) -> None:
        """The flags the engine passes (and the obsolete ones) do not stop the host starting."""
        host = start_host(
            "--logtostderr",
            "-v=9",
            "--tracing",
            "",
            "-root=/x",
            "-virtualenv",
            "venv",
            "--use-executor",
            str(executor),
            "127.0.0.1:1",
            cwd=tmp_path,
            implementation=implementation,
        )
        try:
            assert host.stub.GetPluginInfo(empty_pb2.Empty(), timeout=10).version
        finally:
            host.stop()

    def test_unknown_flag_is_a_usage_error(self, tmp_path: Path, implementation: str) -> None:
        """An unknown flag exits 2 with Go's message."""
        proc = subprocess.run(
            [*host_command(implementation), "--bogus"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert proc.returncode == 2
        assert "flag provided but not defined: -bogus" in proc.stderr
