"""Fixtures of the hostile suite: the fake endpoint, the logging proxy, TLS files, the CLI."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from tests.cli_run import HBR_CLIENTS, Run, run_in_process, run_process
from tests.hostile.servers import (
    LoggingProxy,
    ScriptedHbr,
    TlsFiles,
    make_self_signed,
    make_tls_files,
)

#: A factory of started :class:`ScriptedHbr` endpoints.
Scripted = Callable[..., ScriptedHbr]

#: Variables that would change where requests go or what they trust; every run starts clean.
_NETWORK_VARS = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
    "all_proxy", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
    "SSL_CERT_DIR", "HBR_ENDPOINT", "HBR_PROTOCOL", "DEBUG",
)  # fmt: skip


def cli_env(endpoint: str, protocol: str, env: Mapping[str, str] | None) -> dict[str, str]:
    """This environment without :data:`_NETWORK_VARS`, pointed at ``endpoint`` with STS keys."""
    environ = {k: v for k, v in os.environ.items() if k not in _NETWORK_VARS}
    environ.update(
        HBR_ENDPOINT=endpoint,
        HBR_PROTOCOL=protocol,
        ALIBABA_CLOUD_ACCESS_KEY_ID="LTAI-hostile-id",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET="hostile-secret-value",
        ALIBABA_CLOUD_SECURITY_TOKEN="hostile-sts-token-value",
    )
    environ.update(env or {})
    return environ


def run_cli(
    endpoint: str,
    *args: str,
    protocol: str = "http",
    env: Mapping[str, str] | None = None,
    process: bool = False,
) -> Run:
    """Run ``hbr-clients list --client-type ECS_CLIENT --format json ARGS`` against ``endpoint``.

    In this process (:func:`~tests.cli_run.run_in_process`) unless ``process`` is set.
    """
    command = ["list", "--client-type", "ECS_CLIENT", "--format", "json", *args]
    run = run_process if process else run_in_process
    return run(command, env=cli_env(endpoint, protocol, env), timeout=60)


def timed(endpoint: str, *args: str, **kwargs: Any) -> tuple[Run, float, float]:
    """Run the CLI as a process (:func:`run_cli`); the run, its wall time and its slack.

    A process, because the slack (:func:`slack_s`) is counted in process start-ups.
    """
    before = startup_s()
    started = time.monotonic()
    run = run_cli(endpoint, *args, process=True, **kwargs)
    elapsed = time.monotonic() - started
    return run, elapsed, slack_s(before)


def slack_s(before: float) -> float:
    """Seconds a command may take past its deadline: three times its start-up, and 2 s.

    The start-up is measured on both sides of the run (``before``, then now) and the larger
    counts: under a parallel run on two cores it varies from one second to the next. It is
    tripled because the run's own work beyond ``--version`` (the network stack's imports, TLS,
    the report) is larger and slows down with it: one loaded run took 5.1 s against a 3 s
    deadline, with start-ups of 0.5 s. The behaviours these bounds guard take 30 s or more.
    """
    return 3 * max(before, startup_s()) + 2.0


def startup_s() -> float:
    """What starting the CLI costs on this machine right now: ``hbr-clients --version``."""
    started = time.monotonic()
    subprocess.run([str(HBR_CLIENTS), "--version"], capture_output=True, check=True, timeout=60)
    return time.monotonic() - started


@pytest.fixture
def proxy() -> Iterator[LoggingProxy]:
    """A started logging proxy."""
    server = LoggingProxy().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def private_ca(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A private CA and a certificate for 127.0.0.1 signed by it."""
    return make_tls_files(tmp_path_factory.mktemp("private-ca"))


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1."""
    return make_self_signed(tmp_path_factory.mktemp("self-signed"))


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    """A factory of started scripted endpoints (``script=``, ``tls=``); stopped afterwards."""
    started: list[ScriptedHbr] = []

    def start(**kwargs: object) -> ScriptedHbr:
        server = ScriptedHbr(**kwargs).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
