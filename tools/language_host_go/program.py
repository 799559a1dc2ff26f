"""Building a Go program and the environment it runs in.

As the official host's ``Run``: the ``binary`` runtime option names a prebuilt executable (in
the working directory or on ``PATH``); otherwise ``go build -o OUT`` compiles the program's
directory, ``OUT`` being the ``buildTarget`` option (kept) or a temporary file (removed after
the run). The program learns everything else from ``PULUMI_*`` variables, the ones the Go SDK
reads in ``sdk/go/pulumi/run.go`` (``getEnvInfo``).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from pulumi.runtime.proto import language_pb2

from language_host.options import HostError

#: The Go SDK exits with this code after the program reported its error to the engine.
EXIT_AFTER_REPORTED_ERROR = 32
_BUILD_TIMEOUT_S = 1800.0


@attrs.frozen(kw_only=True)
class GoOptions:
    """The ``runtime.options`` of a Go project."""

    binary: str = ""
    build_target: str = ""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> GoOptions:
        """Read ``binary`` and ``buildTarget``, which must be strings and not both set."""
        values: dict[str, str] = {}
        for option, field in (("binary", "binary"), ("buildTarget", "build_target")):
            if option in options:
                value = options[option]
                if not isinstance(value, str):
                    msg = (
                        f"{option} option must be a string (got {value!r}); "
                        f"set runtime.options.{option} in Pulumi.yaml to a path"
                    )
                    raise HostError(msg)
                values[field] = value
        if values.get("binary") and values.get("build_target"):
            msg = (
                "binary and buildTarget cannot both be specified: keep `binary` to run a "
                "prebuilt program, or `buildTarget` to choose where `go build` writes it"
            )
            raise HostError(msg)
        return cls(**values)


def build(go: str, program_dir: Path, *, output: str, environ: Mapping[str, str]) -> Path:
    """``go build -o OUTPUT`` in ``program_dir``; the executable's path.

    ``output`` empty: a new temporary file (``pulumi-go.*``), which the caller removes.
    A failed build raises a :class:`HostError` carrying what ``go build`` printed.
    """
    if not any(program_dir.glob("*.go")):
        msg = f"Failed to find go files for 'go build' matching {program_dir / '*.go'}"
        raise HostError(msg)
    if not output:
        handle, output = tempfile.mkstemp(prefix="pulumi-go.")
        os.close(handle)
    target = program_dir / output  # an absolute output stays as it is
    try:
        proc = subprocess.run(
            [go, "build", "-o", str(target)],
            cwd=program_dir,
            env=dict(environ),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_BUILD_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        msg = f"error in compiling Go: unable to run `go build`: {exc}"
        raise HostError(msg) from exc
    if proc.returncode != 0:
        printed = (proc.stderr + proc.stdout).strip()
        msg = f"error in compiling Go: unable to run `go build`: exit status {proc.returncode}"
        raise HostError(f"{msg}\n{printed}" if printed else msg)
    if not os.access(target, os.X_OK):
        msg = "go program is not executable, does your program have a 'main' package?"
        raise HostError(msg)
    return target


def environment(
    request: language_pb2.RunRequest, *, engine_address: str, environ: Mapping[str, str]
) -> dict[str, str]:
    """The host's environment plus the run's ``PULUMI_*`` variables (those that have a value)."""
    env = dict(environ)
    config = (
        json.dumps(dict(request.config), sort_keys=True, separators=(",", ":"))
        if request.config
        else ""
    )
    secret_keys = json.dumps(list(request.configSecretKeys), separators=(",", ":"))
    for name, value in (
        ("PULUMI_ORGANIZATION", request.organization),
        ("PULUMI_PROJECT", request.project),
        ("PULUMI_ROOT_DIRECTORY", request.info.root_directory),
        ("PULUMI_STACK", request.stack),
        ("PULUMI_CONFIG", config),
        ("PULUMI_CONFIG_SECRET_KEYS", secret_keys),
        ("PULUMI_DRY_RUN", "true" if request.dryRun else "false"),
        ("PULUMI_PARALLEL", str(request.parallel)),
        ("PULUMI_MONITOR", request.monitor_address),
        ("PULUMI_ENGINE", engine_address),
    ):
        if value:
            env[name] = value
    return env


def run_failure(returncode: int) -> language_pb2.RunResponse:
    """The answer to a program that exited with ``returncode`` (not 0)."""
    if returncode == EXIT_AFTER_REPORTED_ERROR:
        return language_pb2.RunResponse(bail=True)
    # Go's WaitStatus.ExitStatus() is -1 for a program killed by a signal.
    code = returncode if returncode > 0 else -1
    return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {code}")
