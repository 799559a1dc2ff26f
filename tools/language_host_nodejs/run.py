"""The ``cmd/run`` command line and environment of a program, as the official host builds them.

``node [nodeargs] <@pulumi/pulumi>/cmd/run --monitor M --engine E --organization O --project P
--root-directory R --stack S --pwd D [--dry-run] --parallel N [--tracing T] <entry point>
[args...]``, run in the host's working directory, with ``PULUMI_CONFIG`` (a JSON object whose
keys are spelled ``<namespace>:config:<name>``, the form every ``@pulumi/pulumi`` reads),
``PULUMI_CONFIG_SECRET_KEYS`` (a JSON array) and the TypeScript variables of the runtime
options.

Two parts of the official host are left out, because the SDK no longer uses them: it serves a
proxy of the engine's resource monitor and passes ``--sync DIR``, a pair of pipes for
synchronous invokes. ``@pulumi/pulumi`` 3.x talks to the engine's monitor over gRPC only (its
``tryGetSyncInvokes`` has no caller), so the monitor's own address is passed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pulumi.runtime.proto import language_pb2

from language_host.options import HostError
from language_host.processes import output_of

#: The module the official host runs; ``PULUMI_LANGUAGE_NODEJS_RUN_PATH`` overrides it.
DEFAULT_RUN_PATH = "@pulumi/pulumi/cmd/run"
#: The exit code of a program that already reported its error (``cmd/run``'s own constant).
EXIT_AFTER_REPORTED_ERROR = 32
_LOCATE_TIMEOUT_S = 60.0
_LOCATE_SCRIPT = (
    "try { console.log(require.resolve(process.argv[1])); } catch (error) {"
    " if (error.code === 'MODULE_NOT_FOUND') {"
    " console.error('It looks like the Pulumi SDK has not been installed. Have you run ' +"
    " process.argv[2] + '?'); } else { console.error(error.message); }"
    " process.exit(1); }"
)


class SdkNotFoundError(HostError):
    """The program's directory cannot resolve ``@pulumi/pulumi`` (``npm install`` was not run)."""


def locate_module(
    module: str, *, node: str, program_dir: Path, env: Mapping[str, str], install_hint: str
) -> str:
    """The file ``module`` resolves to from ``program_dir``, as ``node`` resolves it.

    Raises:
        SdkNotFoundError: it does not resolve; the message says which install to run.
    """
    argv = [node, "-e", _LOCATE_SCRIPT, module, install_hint]
    try:
        out = output_of(
            argv, env=env, cwd=program_dir, timeout_s=_LOCATE_TIMEOUT_S, what="locating " + module
        )
    except HostError as exc:
        message = str(exc)
        if "It looks like the Pulumi SDK has not been installed" in message:
            message = message[message.index("It looks like") :]
        raise SdkNotFoundError(message) from None
    return out.strip()


def config_variable(config: Mapping[str, str]) -> str:
    """``PULUMI_CONFIG``: ``ns:name`` keys spelled ``ns:config:name``, as the official host does.

    Raises:
        HostError: a key has no namespace (the engine never sends one).
    """
    transformed: dict[str, str] = {}
    for key, value in config.items():
        namespace, sep, name = key.partition(":")
        if not sep or not namespace or not name:
            msg = f"config key {key!r} must be of the form <namespace>:<name>"
            raise HostError(msg)
        name = name.removeprefix("config:")
        transformed[f"{namespace}:config:{name}"] = value
    return json.dumps(transformed, sort_keys=True)


def run_arguments(
    request: language_pb2.RunRequest, *, run_path: str, engine_address: str, tracing: str
) -> list[str]:
    """``cmd/run`` and its flags for ``request``, in the official host's order."""
    args = [run_path]
    for flag, value in (
        ("monitor", request.monitor_address),
        ("engine", engine_address),
        ("organization", request.organization),
        ("project", request.project),
        ("root-directory", request.info.root_directory),
        ("stack", request.stack),
        ("pwd", request.info.program_directory),
    ):
        if value:
            args += [f"--{flag}", value]
    if request.dryRun:
        args.append("--dry-run")
    args += ["--parallel", str(request.parallel)]
    if tracing:
        args += ["--tracing", tracing]
    args.append(request.info.entry_point or ".")
    args += request.args
    return args


def run_failure(returncode: int) -> language_pb2.RunResponse:
    """The answer to a program that exited with ``returncode`` (not 0)."""
    if returncode == EXIT_AFTER_REPORTED_ERROR:
        return language_pb2.RunResponse(bail=True)
    if returncode < 0:
        return language_pb2.RunResponse(
            error=f"Program exited unexpectedly: killed by signal {-returncode}"
        )
    return language_pb2.RunResponse(error=f"Program exited with non-zero exit code: {returncode}")
