"""The ``LanguageRuntime`` service: the RPCs the Pulumi engine sends a Python language host.

Served as the official host serves them (``sdk/python/cmd/pulumi-language-python/main.go``):
``GetPluginInfo``, ``Handshake``, ``GetRequiredPackages`` (and the older ``GetRequiredPlugins``),
``Run``, ``InstallDependencies``, ``About``, ``GetProgramDependencies``, ``RunPlugin``,
``GeneratePackage`` and ``Link`` (``pulumi package add``: see ``codegen`` and ``link``) and
``Cancel``. The other code-generation RPCs (``GenerateProject``, ``GenerateProgram``, ``Pack``,
``Template``, ``RuntimeOptionsPrompts``) answer ``UNIMPLEMENTED`` with a message naming the RPC.
"""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    language_pb2,
    language_pb2_grpc,
    plugin_pb2,
)

from language_host import codegen, link, packages
from language_host.install import install_dependencies
from language_host.options import HostError, PythonOptions
from language_host.processes import Chunk, output_of
from language_host.rpc import (
    declare_unimplemented,
    reports_errors,
    reports_stream_errors,
    stream_plugin,
)

# The exec script exits with this code after the program reported its error through the
# engine: the engine must not print a second, generic error (the official host's convention).
EXIT_AFTER_REPORTED_ERROR = 32
UNIMPLEMENTED = (
    "GenerateProject",
    "GenerateProgram",
    "Pack",
    "Template",
    "RuntimeOptionsPrompts",
)
_QUERY_TIMEOUT = 120.0
#: What ``About`` runs with the project's interpreter; the Go front runs the same file.
_DESCRIBE_INTERPRETER = (Path(__file__).parent / "describe_interpreter.py").read_text(
    encoding="utf-8"
)


def _run_arguments(
    request: language_pb2.RunRequest, *, engine_address: str, tracing: str
) -> list[str]:
    """The exec script's arguments for ``request``, exactly as the official host builds them."""
    args: list[str] = []
    for flag, value in (
        ("monitor", request.monitor_address),
        ("engine", engine_address),
        ("project", request.project),
        ("root_directory", request.info.root_directory),
        ("stack", request.stack),
        ("pwd", request.pwd),
        ("dry_run", "true" if request.dryRun else "false"),
        ("parallel", str(request.parallel)),
        ("tracing", tracing),
        ("organization", request.organization),
    ):
        if value:
            args += [f"--{flag}", value]
    args.append(request.info.entry_point or ".")
    args += request.args
    return args


def _run_failure(returncode: int) -> language_pb2.RunResponse:
    if returncode == EXIT_AFTER_REPORTED_ERROR:
        return language_pb2.RunResponse(bail=True)
    if returncode < 0:
        return language_pb2.RunResponse(
            error=f"program exited unexpectedly: killed by signal {-returncode}"
        )
    return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {returncode}")


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The Python language host's RPCs, for one engine."""

    def __init__(
        self,
        *,
        executor: Path,
        engine_address: str,
        tracing: str = "",
        verbose: int = 0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        """Serve ``engine_address``, running programs through the ``executor`` exec script."""
        self.executor = executor
        self.engine_address = engine_address
        self.tracing = tracing
        self.verbose = verbose
        self.environ = dict(os.environ if environ is None else environ)

    def _log(self, message: str) -> None:
        if self.verbose >= 5:
            print(f"pulumi-language-python: {message}", file=sys.stderr, flush=True)

    # -- Plugin information ---------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:  # noqa: N802
        """The host's version: the version of the Python SDK it serves."""
        from importlib import metadata  # noqa: PLC0415 - only this RPC needs it

        return plugin_pb2.PluginInfo(version=metadata.version("pulumi"))

    def Handshake(  # noqa: N802
        self, request: language_pb2.LanguageHandshakeRequest, context: Any
    ) -> language_pb2.LanguageHandshakeResponse:
        """Take the engine's address from the handshake when none was given on the command line."""
        if request.engine_address:
            self.engine_address = request.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def Cancel(self, request: empty_pb2.Empty, context: Any) -> empty_pb2.Empty:  # noqa: N802
        """Acknowledge the engine's cancellation; a running program is stopped by its signal."""
        return empty_pb2.Empty()

    # -- Dependencies -----------------------------------------------------------------------

    def _engine_log(self) -> Callable[[Chunk], None]:
        """A sink that shows install output as ephemeral engine messages (or on stderr)."""
        if not self.engine_address:

            def to_stderr(chunk: Chunk) -> None:
                sys.stderr.buffer.write(chunk.data)

            return to_stderr
        channel = grpc.insecure_channel(self.engine_address)
        engine = engine_pb2_grpc.EngineStub(channel)
        stream_id = random.randint(1, 2**31 - 1)  # noqa: S311 - an id, not a secret

        def log(chunk: Chunk) -> None:
            severity = engine_pb2.INFO if chunk.stream == "stdout" else engine_pb2.ERROR
            engine.Log(
                engine_pb2.LogRequest(
                    severity=severity,
                    message=chunk.data.decode("utf-8", "replace"),
                    ephemeral=True,
                    streamId=stream_id,
                ),
                timeout=30,
            )

        return log

    def _ensure_virtualenv(self, options: PythonOptions) -> None:
        """Create the named virtual environment when it is missing or empty (``EnsureVenv``)."""
        path = options.virtualenv_path
        if path is None or options.is_virtualenv_ready():
            return
        if path.exists() and not path.is_dir():
            msg = (
                f"the 'virtualenv' option in Pulumi.yaml is set to '{path}' "
                "but it is not a directory"
            )
            raise HostError(msg)
        if path.is_dir() and any(path.iterdir()):
            return  # not empty: validate_virtualenv explains what is wrong with it
        log = self._engine_log()
        for chunk in install_dependencies(
            options, environ=self.environ, program_dir=options.program_dir
        ):
            log(chunk)

    @reports_errors
    def GetRequiredPackages(  # noqa: N802
        self, request: language_pb2.GetRequiredPackagesRequest, context: Any
    ) -> language_pb2.GetRequiredPackagesResponse:
        """The resource plugins the installed Pulumi packages need."""
        return language_pb2.GetRequiredPackagesResponse(
            packages=[
                plugin_pb2.PackageDependency(
                    name=req.name,
                    version=req.version,
                    kind="resource",
                    server=req.server,
                    parameterization=_parameterization(req.parameterization),
                )
                for req in self._required_plugins(request.info)
            ]
        )

    @reports_errors
    def GetRequiredPlugins(  # noqa: N802
        self, request: language_pb2.GetRequiredPluginsRequest, context: Any
    ) -> language_pb2.GetRequiredPluginsResponse:
        """The same plugins, for engines older than ``GetRequiredPackages``."""
        return language_pb2.GetRequiredPluginsResponse(
            plugins=[
                plugin_pb2.PluginDependency(
                    name=req.name, version=req.version, kind="resource", server=req.server
                )
                for req in self._required_plugins(request.info)
            ]
        )

    def _required_plugins(
        self, info: language_pb2.ProgramInfo
    ) -> tuple[packages.PluginRequirement, ...]:
        options = PythonOptions.from_info(info)
        self._ensure_virtualenv(options)
        options.validate_virtualenv()
        installed = packages.list_installed(
            options.interpreter(self.environ),
            env=options.environment(self.environ),
            cwd=options.program_dir,
        )
        return packages.required_plugins(installed)

    @reports_stream_errors
    def InstallDependencies(  # noqa: N802
        self, request: language_pb2.InstallDependenciesRequest, context: Any
    ) -> Iterator[language_pb2.InstallDependenciesResponse]:
        """Create the virtual environment, ``pip install -r requirements.txt``, stream output."""
        options = PythonOptions.from_info(request.info)
        if request.is_plugin:
            options = options.with_default_virtualenv()
        yield language_pb2.InstallDependenciesResponse(stdout=b"Installing dependencies...\n\n")
        for chunk in install_dependencies(
            options, environ=self.environ, program_dir=Path(request.info.program_directory)
        ):
            yield language_pb2.InstallDependenciesResponse(**{chunk.stream: chunk.data})
        yield language_pb2.InstallDependenciesResponse(
            stdout=b"Finished installing dependencies\n\n"
        )

    @reports_errors
    def About(  # noqa: N802
        self, request: language_pb2.AboutRequest, context: Any
    ) -> language_pb2.AboutResponse:
        """The project's interpreter and its version."""
        options = (
            PythonOptions.from_info(request.info)
            if request.HasField("info")
            else PythonOptions(root=Path.cwd(), program_dir=Path.cwd())
        )
        python = options.interpreter(self.environ)
        out = self._query(options, [python, "-c", _DESCRIBE_INTERPRETER])
        executable, _, version = out.strip().partition("\n")
        return language_pb2.AboutResponse(executable=executable, version=version)

    @reports_errors
    def GetProgramDependencies(  # noqa: N802
        self, request: language_pb2.GetProgramDependenciesRequest, context: Any
    ) -> language_pb2.GetProgramDependenciesResponse:
        """``pip list`` of the project's interpreter (only top-level packages unless transitive)."""
        options = PythonOptions.from_info(request.info)
        options.validate_virtualenv()
        argv = [options.interpreter(self.environ), "-m", "pip", "list", "--format", "json"]
        if not request.transitiveDependencies:
            argv.append("--not-required")
        listed = json.loads(self._query(options, argv))
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[
                language_pb2.DependencyInfo(
                    name=packages.normalize_name(item["name"]),
                    version=item["version"],
                )
                for item in listed
            ]
        )

    def _query(self, options: PythonOptions, argv: list[str]) -> str:
        return output_of(
            argv,
            env=options.environment(self.environ),
            cwd=options.program_dir,
            timeout_s=_QUERY_TIMEOUT,
            what=f"calling `{' '.join(argv)}`",
        )

    # -- Programs and plugins ---------------------------------------------------------------

    @reports_errors
    def Run(self, request: language_pb2.RunRequest, context: Any) -> language_pb2.RunResponse:  # noqa: N802
        """Run the program through the exec script, its output going straight to the engine."""
        options = PythonOptions.from_info(request.info)
        options.validate_virtualenv()
        python = options.interpreter(self.environ)
        argv = [
            python,
            "-u",
            str(self.executor),
            *_run_arguments(request, engine_address=self.engine_address, tracing=self.tracing),
        ]
        env = options.environment(self.environ)
        if request.config:
            env["PULUMI_CONFIG"] = json.dumps(dict(sorted(request.config.items())))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        self._log(f"launching process: {' '.join(argv)}")
        try:
            returncode = subprocess.call(argv, env=env)
        except OSError as exc:
            return language_pb2.RunResponse(
                error=f"problem executing program (could not run language executor): {exc}"
            )
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return language_pb2.RunResponse() if returncode == 0 else _run_failure(returncode)

    @reports_stream_errors
    def RunPlugin(  # noqa: N802
        self, request: language_pb2.RunPluginRequest, context: Any
    ) -> Iterator[language_pb2.RunPluginResponse]:
        """Run a Python plugin or policy pack, streaming its output and a non-zero exit code.

        Runs ``python -u <plugin dir> ARGS`` (its ``__main__.py``) or, for a buildable package
        without one, ``python -u -m pulumi.run.plugin <project name> ARGS``, with the plugin's
        ``virtualenv`` (default ``venv``). ``-u`` matters: a policy pack prints its port without
        flushing, and the engine waits for that line.
        """
        options = PythonOptions.from_info(request.info).with_default_virtualenv()
        options.validate_virtualenv()
        python = options.interpreter(self.environ)
        argv = [python, "-u", *_plugin_entry(options, request), *request.args]
        env = options.environment(self.environ)
        for entry in request.env:
            key, _, value = entry.partition("=")
            env[key] = value
        self._log(f"launching plugin: {' '.join(argv)}")
        returncode = yield from stream_plugin(
            argv, env=env, cwd=request.pwd or None, context=context
        )
        if returncode:
            yield language_pb2.RunPluginResponse(exitcode=returncode if returncode > 0 else -1)

    # -- Code generation (pulumi package add) -------------------------------------------

    @reports_errors
    def GeneratePackage(  # noqa: N802
        self, request: language_pb2.GeneratePackageRequest, context: Any
    ) -> language_pb2.GeneratePackageResponse:
        """Write the Python SDK of ``request.schema`` into ``request.directory``."""
        return codegen.generate_package(request, language="python", environ=self.environ)

    @reports_errors
    def Link(self, request: language_pb2.LinkRequest, context: Any) -> language_pb2.LinkResponse:  # noqa: N802
        """Add the generated SDKs' paths to the project's ``requirements.txt``."""
        return link.link(request, language="python", environ=self.environ)


def _plugin_entry(options: PythonOptions, request: language_pb2.RunPluginRequest) -> list[str]:
    if (options.root / "__main__.py").is_file():
        return [request.info.program_directory or str(options.root)]
    pyproject = options.root / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        project = {}
    name = project.get("project", {}).get("name")
    if "build-system" not in project or not name:
        msg = (
            f"plugin in {options.root} is not runnable, it provides neither __main__.py "
            "nor a buildable pyproject.toml"
        )
        raise HostError(msg)
    return ["-m", "pulumi.run.plugin", name]


def _parameterization(value: Mapping[str, Any] | None) -> plugin_pb2.PackageParameterization | None:
    if not value:
        return None
    return plugin_pb2.PackageParameterization(
        name=value.get("name", ""),
        version=value.get("version", ""),
        value=base64.b64decode(value.get("value", "")),
    )


declare_unimplemented(LanguageHost, UNIMPLEMENTED, host="pulumi-language-python")
