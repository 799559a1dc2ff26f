"""The ``LanguageRuntime`` service: the RPCs the Pulumi engine sends a Node.js language host.

Served as the official host serves them (``sdk/nodejs/cmd/pulumi-language-nodejs/main.go``):
``GetPluginInfo``, ``Handshake``, ``GetRequiredPackages`` (and, for engines older than it,
``GetRequiredPlugins``, which the official host answered the same way before it had the
former), ``Run``, ``InstallDependencies``, ``About``, ``GetProgramDependencies``,
``RunPlugin`` (plugins; not policy packs), ``GeneratePackage`` and ``Link`` (``pulumi package
add``: ``language_host.codegen`` and ``language_host.link``, shared by every runtime's host) and
``Cancel``, and for ``pulumi new`` ``Template`` and ``RuntimeOptionsPrompts``. The other
code-generation RPCs (``GenerateProject``, ``GenerateProgram``, ``Pack``) answer
``UNIMPLEMENTED`` with a message naming the RPC.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from language_host import codegen, link
from language_host.options import HostError
from language_host.processes import output_of
from language_host.rpc import (
    as_responses,
    declare_unimplemented,
    reports_errors,
    reports_stream_errors,
    stream_plugin,
    stream_process,
)
from language_host_nodejs import packages
from language_host_nodejs.options import NodeOptions, ToolNotFoundError
from language_host_nodejs.run import (
    DEFAULT_RUN_PATH,
    config_variable,
    locate_module,
    run_arguments,
    run_failure,
)

#: The version this host reports: the official host's release whose behaviour it follows.
VERSION = "3.274.1"
UNIMPLEMENTED = ("GenerateProject", "GenerateProgram", "Pack")
#: The package managers ``pulumi new`` offers, as the official host lists them.
PACKAGE_MANAGER_CHOICES = ("npm", "pnpm", "yarn", "bun")
#: The official host's ``cmd.WaitDelay``: a program interrupted by ``Cancel`` is killed after it.
CANCEL_GRACE_S = 5.0
_QUERY_TIMEOUT_S = 60.0
_INSTALL_ARGS = {
    "npm": ("install", "--loglevel=error"),
    "yarn": ("install",),
    "pnpm": ("install", "--use-stderr"),
    "bun": ("install",),
}
_NODE_HINT = "Node.js is installed from https://nodejs.org/ (or your system's package manager)"


class NodeLanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The Node.js language host's RPCs, for one engine."""

    def __init__(
        self,
        *,
        engine_address: str,
        tracing: str = "",
        verbose: int = 0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        """Serve ``engine_address`` (it may also come later, with ``Handshake``)."""
        self.engine_address = engine_address
        self.tracing = tracing
        self.verbose = verbose
        self.environ = dict(os.environ if environ is None else environ)
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def _log(self, message: str) -> None:
        if self.verbose >= 5:
            print(f"pulumi-language-nodejs: {message}", file=sys.stderr, flush=True)

    def _node(self) -> str:
        found = shutil.which("node", path=self.environ.get("PATH"))
        if found is None:
            raise ToolNotFoundError("node", _NODE_HINT)
        return found

    # -- Plugin information -----------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:  # noqa: N802
        """The version of the official host this one follows."""
        return plugin_pb2.PluginInfo(version=VERSION)

    def Handshake(  # noqa: N802
        self, request: language_pb2.LanguageHandshakeRequest, context: Any
    ) -> language_pb2.LanguageHandshakeResponse:
        """Take the engine's address from the handshake (when started without one)."""
        if request.engine_address:
            self.engine_address = request.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def Cancel(self, request: empty_pb2.Empty, context: Any) -> empty_pb2.Empty:  # noqa: N802
        """Interrupt running programs (SIGINT), and kill those still running 5 s later."""
        with self._lock:
            running = list(self._running)
        for process in running:
            _interrupt(process)
        return empty_pb2.Empty()

    # -- Dependencies -------------------------------------------------------------------------

    def GetRequiredPackages(  # noqa: N802
        self, request: language_pb2.GetRequiredPackagesRequest, context: Any
    ) -> language_pb2.GetRequiredPackagesResponse:
        """The resource plugins that the packages in the program's ``node_modules`` name."""
        return language_pb2.GetRequiredPackagesResponse(
            packages=[
                plugin_pb2.PackageDependency(
                    name=req.name,
                    version=req.version,
                    kind="resource",
                    server=req.server,
                    parameterization=_parameterization(req.parameterization),
                )
                for req in packages.required_plugins(_program_dir(request.info))
            ]
        )

    def GetRequiredPlugins(  # noqa: N802
        self, request: language_pb2.GetRequiredPluginsRequest, context: Any
    ) -> language_pb2.GetRequiredPluginsResponse:
        """The same plugins, for engines older than ``GetRequiredPackages``."""
        directory = (
            _program_dir(request.info) if request.HasField("info") else Path(request.program or ".")
        )
        return language_pb2.GetRequiredPluginsResponse(
            plugins=[
                plugin_pb2.PluginDependency(
                    name=req.name, version=req.version, kind="resource", server=req.server
                )
                for req in packages.required_plugins(directory)
            ]
        )

    @reports_stream_errors
    def InstallDependencies(  # noqa: N802
        self, request: language_pb2.InstallDependenciesRequest, context: Any
    ) -> Iterator[language_pb2.InstallDependenciesResponse]:
        """``npm install`` (or the project's package manager) in the program's directory."""
        options = NodeOptions.from_info(request.info)
        name, executable = options.package_manager(self.environ)
        yield language_pb2.InstallDependenciesResponse(stdout=b"Installing dependencies...\n\n")
        argv = [executable, *_INSTALL_ARGS[name]]
        chunks = stream_process(
            argv,
            env=self.environ,
            cwd=options.program_dir,
            context=context,
            cannot_start=f"installing dependencies: cannot run {executable}",
        )
        returncode = yield from as_responses(chunks, language_pb2.InstallDependenciesResponse)
        if returncode != 0:
            msg = (
                f"installing dependencies via '{' '.join(argv)}' in {options.program_dir}: "
                f"exit status {returncode}"
            )
            raise HostError(msg)
        yield language_pb2.InstallDependenciesResponse(
            stdout=b"Finished installing dependencies\n\n"
        )

    @reports_errors
    def About(  # noqa: N802
        self, request: language_pb2.AboutRequest, context: Any
    ) -> language_pb2.AboutResponse:
        """``node`` and its version, the package manager and its version."""
        options = (
            NodeOptions.from_info(request.info)
            if request.HasField("info")
            else NodeOptions(root=Path.cwd(), program_dir=Path.cwd())
        )
        name, manager = options.package_manager(self.environ)
        node = self._node()
        return language_pb2.AboutResponse(
            executable=node,
            version=self._version_of(node, options),
            metadata={
                "packagemanager": name,
                "packagemanagerVersion": self._version_of(manager, options).lstrip("v"),
            },
        )

    def _version_of(self, executable: str, options: NodeOptions) -> str:
        """``EXECUTABLE --version``, or empty when it fails (as the official host tolerates)."""
        try:
            out = output_of(
                [executable, "--version"],
                env=self.environ,
                cwd=options.program_dir,
                timeout_s=_QUERY_TIMEOUT_S,
                what=f"{executable} --version",
            )
        except HostError:
            return ""
        return out.strip()

    @reports_errors
    def GetProgramDependencies(  # noqa: N802
        self, request: language_pb2.GetProgramDependenciesRequest, context: Any
    ) -> language_pb2.GetProgramDependenciesResponse:
        """The packages of the program's ``package-lock.json`` (direct ones unless transitive)."""
        options = NodeOptions.from_info(request.info)
        name, _ = options.package_manager(self.environ)
        if name != "npm":
            msg = (
                f"this build's pulumi-language-nodejs lists npm's package-lock.json only, and "
                f"the project uses {name}; install the Pulumi CLI "
                "(https://www.pulumi.com/docs/install/), whose host reads every lock file"
            )
            raise HostError(msg)
        listed = packages.locked_dependencies(
            options.program_dir, transitive=request.transitiveDependencies
        )
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[
                language_pb2.DependencyInfo(name=d.name, version=d.version) for d in listed
            ]
        )

    # -- Programs and plugins -----------------------------------------------------------------

    def Run(self, request: language_pb2.RunRequest, context: Any) -> language_pb2.RunResponse:  # noqa: N802
        """Run the program with ``@pulumi/pulumi``'s ``cmd/run``, its output going to the engine.

        What stops the program from starting (a bad runtime option, no ``node``, no
        ``@pulumi/pulumi``) is the response's error, as the official host answers it.
        """
        try:
            argv, env = self._program_command(request)
        except HostError as exc:
            return language_pb2.RunResponse(error=str(exc))
        self._log(f"launching process: {' '.join(argv)}")
        try:
            process = subprocess.Popen(argv, env=env)
        except OSError as exc:
            return language_pb2.RunResponse(
                error=f"Problem executing program (could not run language executor): {exc}"
            )
        with self._lock:
            self._running.add(process)
        context.add_callback(lambda: _interrupt(process))  # the engine gave up on the call
        try:
            returncode = process.wait()
        finally:
            with self._lock:
                self._running.discard(process)
            sys.stdout.flush()
            sys.stderr.flush()
        return language_pb2.RunResponse() if returncode == 0 else run_failure(returncode)

    def _program_command(
        self, request: language_pb2.RunRequest
    ) -> tuple[list[str], dict[str, str]]:
        """The ``node`` command line and environment that run ``request``'s program."""
        options = NodeOptions.from_info(request.info)
        node = self._node()
        env = options.environment(self.environ)
        run_path = locate_module(
            self.environ.get("PULUMI_LANGUAGE_NODEJS_RUN_PATH") or DEFAULT_RUN_PATH,
            node=node,
            program_dir=options.program_dir,
            env=env,
            install_hint="pulumi install",
        )
        env["PULUMI_CONFIG"] = config_variable(request.config)
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        arguments = run_arguments(
            request, run_path=run_path, engine_address=self.engine_address, tracing=self.tracing
        )
        return [node, *options.nodeargs, *arguments], env

    @reports_stream_errors
    def RunPlugin(  # noqa: N802
        self, request: language_pb2.RunPluginRequest, context: Any
    ) -> Iterator[language_pb2.RunPluginResponse]:
        """Run a Node.js plugin with ``@pulumi/pulumi/cmd/run-plugin``, streaming its output.

        ``node <run-plugin> [nodeargs] <plugin dir> ARGS`` in ``pwd``, with the engine's
        environment. Policy packs (``kind=analyzer``) are not run: the official host serves
        them through a proxy of the engine's analyzer protocol that this build does not have.
        """
        if request.kind == "analyzer":
            msg = (
                f"policy pack {request.info.program_directory}: this build's "
                "pulumi-language-nodejs does not run TypeScript or JavaScript policy packs; "
                "install the Pulumi CLI (https://www.pulumi.com/docs/install/) for them"
            )
            raise HostError(msg)
        options = NodeOptions.from_info(request.info)
        engine_env = {}
        for entry in request.env:
            key, _, value = entry.partition("=")
            engine_env[key] = value
        env = options.environment(engine_env)
        node = self._node()
        run_module = self.environ.get("PULUMI_LANGUAGE_NODEJS_RUN_PATH") or (
            "@pulumi/pulumi/cmd/run-plugin"
        )
        run_path = locate_module(
            run_module,
            node=node,
            program_dir=options.program_dir,
            env=env,
            install_hint=f"npm install in {options.program_dir}",
        )
        argv = [node, run_path, *options.nodeargs, str(options.program_dir), *request.args]
        self._log(f"launching plugin: {' '.join(argv)}")
        returncode = yield from stream_plugin(
            argv, env=env, cwd=request.pwd or None, context=context
        )
        if returncode:
            msg = f"Program exited with non-zero exit code: {returncode}"
            raise HostError(msg)

    # -- Project templates (pulumi new) ----------------------------------------------------

    def Template(  # noqa: N802
        self, request: language_pb2.TemplateRequest, context: Any
    ) -> language_pb2.TemplateResponse:
        """Nothing to adapt in a template, as the official host answers."""
        return language_pb2.TemplateResponse()

    def RuntimeOptionsPrompts(  # noqa: N802
        self, request: language_pb2.RuntimeOptionsRequest, context: Any
    ) -> language_pb2.RuntimeOptionsResponse:
        """Ask for ``packagemanager`` when the project does not set it (found ones first)."""
        if "packagemanager" in request.info.options.fields:
            return language_pb2.RuntimeOptionsResponse()
        path = self.environ.get("PATH")
        found = {
            name: shutil.which(name, path=path) is not None for name in PACKAGE_MANAGER_CHOICES
        }
        ordered = sorted(PACKAGE_MANAGER_CHOICES, key=lambda name: not found[name])
        string = language_pb2.RuntimeOptionPrompt.STRING
        prompt = language_pb2.RuntimeOptionPrompt(
            key="packagemanager",
            description="The package manager to use for installing dependencies",
            promptType=string,
            choices=[
                language_pb2.RuntimeOptionPrompt.RuntimeOptionValue(
                    promptType=string,
                    stringValue=name,
                    displayName=name if found[name] else f"{name} [not found]",
                )
                for name in ordered
            ],
            default=language_pb2.RuntimeOptionPrompt.RuntimeOptionValue(
                promptType=string, stringValue="npm"
            ),
        )
        return language_pb2.RuntimeOptionsResponse(prompts=[prompt])

    # -- Code generation (pulumi package add) -------------------------------------------

    @reports_errors
    def GeneratePackage(  # noqa: N802
        self, request: language_pb2.GeneratePackageRequest, context: Any
    ) -> language_pb2.GeneratePackageResponse:
        """Write the TypeScript SDK of ``request.schema`` into ``request.directory``."""
        return codegen.generate_package(request, language="nodejs", environ=self.environ)

    @reports_errors
    def Link(self, request: language_pb2.LinkRequest, context: Any) -> language_pb2.LinkResponse:  # noqa: N802
        """Point ``package.json``'s dependency on each generated SDK at its directory."""
        return link.link(request, language="nodejs", environ=self.environ)


def _program_dir(info: language_pb2.ProgramInfo) -> Path:
    return Path(info.program_directory or info.root_directory or ".").absolute()


def _interrupt(process: subprocess.Popen[bytes]) -> None:
    """SIGINT ``process`` if it runs, and SIGKILL it after :data:`CANCEL_GRACE_S`."""
    if process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGINT)
    except OSError:
        return

    def kill() -> None:
        if process.poll() is None:
            process.kill()

    timer = threading.Timer(CANCEL_GRACE_S, kill)
    timer.daemon = True
    timer.start()


def _parameterization(value: Mapping[str, Any] | None) -> plugin_pb2.PackageParameterization | None:
    if not value:
        return None
    return plugin_pb2.PackageParameterization(
        name=value.get("name", ""),
        version=value.get("version", ""),
        value=base64.b64decode(value.get("value", "")),
    )


declare_unimplemented(NodeLanguageHost, UNIMPLEMENTED, host="pulumi-language-nodejs")
