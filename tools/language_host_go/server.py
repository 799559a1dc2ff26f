"""The ``LanguageRuntime`` service: the RPCs the Pulumi engine sends a Go language host.

Served as the official host serves them (``sdk/go/pulumi-language-go/main.go``):
``GetPluginInfo``, ``Handshake``, ``GetRequiredPackages`` (and ``GetRequiredPlugins``, for
engines older than it, with the same answer), ``Run``, ``InstallDependencies``, ``About``,
``GetProgramDependencies``, ``RunPlugin``, ``RuntimeOptionsPrompts`` (no prompts),
``GeneratePackage`` and ``Link`` (``pulumi package add``: ``language_host.codegen`` and
``language_host.link``, shared by every runtime's host) and ``Cancel``. The other
code-generation RPCs (``GenerateProject``, ``GenerateProgram``, ``Pack``, ``Template``) answer
``UNIMPLEMENTED`` with a message naming the RPC.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2, json_format  # type: ignore[import-untyped]
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from language_host import codegen, link
from language_host.options import HostError
from language_host.rpc import (
    as_responses,
    declare_unimplemented,
    reports_errors,
    reports_stream_errors,
    stream_plugin,
    stream_process,
)
from language_host_go import modules, program
from language_host_go.toolchain import find_executable, find_go, go_output

#: The version this host reports: the official host's release whose behaviour it follows.
VERSION = "3.274.1"
UNIMPLEMENTED = (
    "GenerateProject",
    "GenerateProgram",
    "Pack",
    "Template",
)


class GoLanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The Go language host's RPCs, for one engine."""

    def __init__(
        self,
        *,
        engine_address: str,
        cwd: Path,
        verbose: int = 0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        """Serve ``engine_address`` (it may also come later, with ``Handshake``).

        ``cwd`` is the directory the engine started the host in (the project's): ``About``
        runs there and a relative ``binary`` option is looked up there.
        """
        self.engine_address = engine_address
        self.cwd = cwd
        self.verbose = verbose
        self.environ = dict(os.environ if environ is None else environ)

    def _log(self, message: str) -> None:
        if self.verbose >= 5:
            print(f"pulumi-language-go: {message}", file=sys.stderr, flush=True)

    # -- Plugin information -----------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:  # noqa: N802
        """The version of the official host this one follows."""
        return plugin_pb2.PluginInfo(version=VERSION)

    @reports_errors
    def Handshake(  # noqa: N802
        self, request: language_pb2.LanguageHandshakeRequest, context: Any
    ) -> language_pb2.LanguageHandshakeResponse:
        """Take the engine's address from the handshake (when started without one)."""
        if not request.engine_address:
            msg = "Must contain address in request"
            raise HostError(msg)
        self.engine_address = request.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def Cancel(self, request: empty_pb2.Empty, context: Any) -> empty_pb2.Empty:  # noqa: N802
        """Acknowledge; a running program is stopped with the host's process group."""
        return empty_pb2.Empty()

    def RuntimeOptionsPrompts(  # noqa: N802
        self, request: language_pb2.RuntimeOptionsRequest, context: Any
    ) -> language_pb2.RuntimeOptionsResponse:
        """No questions for ``pulumi new``: a Go project needs no runtime option."""
        return language_pb2.RuntimeOptionsResponse()

    # -- Dependencies -------------------------------------------------------------------------

    @reports_errors
    def GetRequiredPackages(  # noqa: N802
        self, request: language_pb2.GetRequiredPackagesRequest, context: Any
    ) -> language_pb2.GetRequiredPackagesResponse:
        """The resource plugins named by the modules the program's ``go.mod`` requires."""
        found = modules.required_packages(
            find_go(self.environ),
            Path(request.info.program_directory or self.cwd),
            self.environ,
            self._log,
        )
        return language_pb2.GetRequiredPackagesResponse(
            packages=[
                plugin_pb2.PackageDependency(
                    name=p.name,
                    version=p.version,
                    kind="resource",
                    server=p.server,
                    parameterization=(
                        plugin_pb2.PackageParameterization(**p.parameterization)
                        if p.parameterization
                        else None
                    ),
                )
                for p in found
            ]
        )

    @reports_errors
    def GetRequiredPlugins(  # noqa: N802
        self, request: language_pb2.GetRequiredPluginsRequest, context: Any
    ) -> language_pb2.GetRequiredPluginsResponse:
        """The same plugins, for engines older than ``GetRequiredPackages``."""
        directory = request.info.program_directory or request.program or str(self.cwd)
        found = modules.required_packages(
            find_go(self.environ), Path(directory), self.environ, self._log
        )
        return language_pb2.GetRequiredPluginsResponse(
            plugins=[
                plugin_pb2.PluginDependency(
                    name=p.name, version=p.version, kind="resource", server=p.server
                )
                for p in found
            ]
        )

    @reports_stream_errors
    def InstallDependencies(  # noqa: N802
        self, request: language_pb2.InstallDependenciesRequest, context: Any
    ) -> Iterator[language_pb2.InstallDependenciesResponse]:
        """``go mod tidy -compat=1.18`` in the program's directory, its output streamed."""
        yield language_pb2.InstallDependenciesResponse(stdout=b"Installing dependencies...\n\n")
        argv = [find_go(self.environ), "mod", "tidy", "-compat=1.18"]
        directory = Path(request.info.program_directory or self.cwd)
        chunks = stream_process(
            argv,
            env=self.environ,
            cwd=directory,
            context=context,
            cannot_start="`go mod tidy` failed to install dependencies",
        )
        returncode = yield from as_responses(chunks, language_pb2.InstallDependenciesResponse)
        if returncode != 0:
            msg = (
                "`go mod tidy` failed to install dependencies: "
                f"exit status {returncode} (in {directory})"
            )
            raise HostError(msg)
        yield language_pb2.InstallDependenciesResponse(
            stdout=b"Finished installing dependencies\n\n"
        )

    @reports_errors
    def About(  # noqa: N802
        self, request: language_pb2.AboutRequest, context: Any
    ) -> language_pb2.AboutResponse:
        """``go`` and what ``go version`` prints."""
        go = find_go(self.environ)
        version = go_output(go, ["version"], cwd=self.cwd, environ=self.environ)
        return language_pb2.AboutResponse(executable=go, version=version.strip())

    @reports_errors
    def GetProgramDependencies(  # noqa: N802
        self, request: language_pb2.GetProgramDependenciesRequest, context: Any
    ) -> language_pb2.GetProgramDependenciesResponse:
        """The requirements of ``go.mod`` (direct ones unless transitive; replaced: no version)."""
        gomod = modules.load_gomod(
            find_go(self.environ),
            Path(request.info.program_directory or self.cwd),
            self.environ,
        )
        listed = modules.program_dependencies(gomod, transitive=request.transitiveDependencies)
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[
                language_pb2.DependencyInfo(name=name, version=version) for name, version in listed
            ]
        )

    # -- Programs and plugins -----------------------------------------------------------------

    @reports_errors
    def Run(self, request: language_pb2.RunRequest, context: Any) -> language_pb2.RunResponse:  # noqa: N802
        """Build the program (or take the ``binary`` option) and run it in ``pwd``."""
        if not self.engine_address:
            msg = "when debugging or running explicitly, must call Handshake before Run"
            raise HostError(msg)
        options = program.GoOptions.from_options(_options(request.info))
        env = program.environment(request, engine_address=self.engine_address, environ=self.environ)
        if options.binary:
            binary = find_executable(options.binary, cwd=self.cwd, environ=self.environ)
            if binary is None:
                msg = (
                    f"unable to find '{options.binary}' executable (runtime.options.binary in "
                    f"Pulumi.yaml): looked in {self.cwd} and on PATH"
                )
                raise HostError(msg)
            return self._run([binary], request=request, env=env)
        program_dir = Path(request.info.program_directory or self.cwd)
        go = find_go(self.environ)
        if self.environ.get("PULUMI_GO_USE_RUN"):
            # The deprecated `go run` mode: `go run` exits 1 on any failure, so any is a bail.
            answer = self._run(
                [go, "run", str(program_dir)], request=request, env=env, cwd=self.cwd
            )
            return answer if not answer.error else language_pb2.RunResponse(bail=True)
        self._log(f"building the Go program in {program_dir}")
        built = program.build(go, program_dir, output=options.build_target, environ=self.environ)
        try:
            return self._run([str(built)], request=request, env=env)
        finally:
            if not options.build_target:
                with contextlib.suppress(FileNotFoundError):
                    built.unlink()

    def _run(
        self,
        argv: list[str],
        *,
        request: language_pb2.RunRequest,
        env: Mapping[str, str],
        cwd: Path | None = None,
    ) -> language_pb2.RunResponse:
        directory = cwd or Path(request.pwd or self.cwd)
        self._log(f"launching process: {' '.join(argv)} in {directory}")
        try:
            returncode = subprocess.call(
                argv, env=dict(env), cwd=directory, stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            return language_pb2.RunResponse(error=f"command errored unexpectedly: {exc}")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return language_pb2.RunResponse() if returncode == 0 else program.run_failure(returncode)

    @reports_stream_errors
    def RunPlugin(  # noqa: N802
        self, request: language_pb2.RunPluginRequest, context: Any
    ) -> Iterator[language_pb2.RunPluginResponse]:
        """Build a Go plugin, run it with ``args`` in ``pwd`` and ``env``, stream its output."""
        program_dir = Path(request.info.program_directory or self.cwd)
        built = program.build(find_go(self.environ), program_dir, output="", environ=self.environ)
        env = dict(entry.partition("=")[::2] for entry in request.env)
        try:
            returncode = yield from stream_plugin(
                [str(built), *request.args], env=env, cwd=request.pwd or None, context=context
            )
            if returncode:
                yield language_pb2.RunPluginResponse(exitcode=returncode if returncode > 0 else -1)
        finally:
            with contextlib.suppress(FileNotFoundError):
                built.unlink()

    # -- Code generation (pulumi package add) -------------------------------------------

    @reports_errors
    def GeneratePackage(  # noqa: N802
        self, request: language_pb2.GeneratePackageRequest, context: Any
    ) -> language_pb2.GeneratePackageResponse:
        """Write the Go SDK of ``request.schema`` into ``request.directory``."""
        return codegen.generate_package(request, language="go", environ=self.environ)

    @reports_errors
    def Link(self, request: language_pb2.LinkRequest, context: Any) -> language_pb2.LinkResponse:  # noqa: N802
        """Require each generated SDK's module in ``go.mod``, replaced by its directory."""
        return link.link(request, language="go", environ=self.environ)


def _options(info: language_pb2.ProgramInfo) -> dict[str, Any]:
    if not info.HasField("options"):
        return {}
    options: dict[str, Any] = json_format.MessageToDict(info.options)
    return options


declare_unimplemented(GoLanguageHost, UNIMPLEMENTED, host="pulumi-language-go")
