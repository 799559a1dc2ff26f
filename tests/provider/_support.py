"""Helpers shared by the provider tests that talk to the emulator."""

from __future__ import annotations

from typing import Any, Protocol

import pytest

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.retry import RetryPolicy
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

#: The client version the audit tests treat as the newest one.
LATEST_VERSION = "2.13.10"

#: Retries fast enough for tests, as many attempts as the default.
FAST_RETRY = RetryPolicy(base_delay_s=0.005, max_delay_s=0.05, max_retry_after_s=0.2, deadline_s=20)


def endpoint_env(endpoint: str) -> dict[str, str]:
    """The standard variables that point a program at ``endpoint`` (HTTP, emulator keys)."""
    return {
        "HBR_ENDPOINT": endpoint,
        "HBR_PROTOCOL": "http",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
    }


def point_env_at(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """Set :func:`endpoint_env` in this process for one test."""
    for name, value in endpoint_env(endpoint).items():
        monkeypatch.setenv(name, value)


class Server(Protocol):
    """Anything that serves HBR's API at ``endpoint``: the emulator, a fake endpoint."""

    @property
    def endpoint(self) -> str:
        """``host:port``."""
        ...


def connect(emu: Server, **overrides: Any) -> ConnectionSettings:
    """Connection settings for ``emu`` (HTTP) with the emulator's default credentials."""
    fields: dict[str, Any] = {
        "endpoint": emu.endpoint,
        "protocol": "http",
        "access_key_id": DEFAULT_ACCESS_KEY_ID,
        "access_key_secret": DEFAULT_ACCESS_KEY_SECRET,
        **overrides,
    }
    return ConnectionSettings(**fields)


def expected_ids(
    emu: Emulator, client_type: str = "ECS_CLIENT", account: str = "self"
) -> list[str]:
    """The client IDs the emulator holds for ``client_type``, in listing order."""
    return [
        c["ClientId"]
        for c in emu.backend.clients(account=account)
        if c.get("ClientType") == client_type
    ]


def healthy_wire_client(
    client_id: str, instance_id: str, *, heartbeat: int, **fields: Any
) -> dict[str, Any]:
    """A wire client that breaks no audit rule unless ``fields`` say otherwise.

    ``heartbeat`` is its ``LastHeartBeatTime`` (epoch seconds).
    """
    return {
        "ClientId": client_id,
        "InstanceId": instance_id,
        "Status": "ACTIVATED",
        "BackupStatus": "PROTECTED",
        "ZoneId": "cn-hangzhou-h",
        "ClientVersion": LATEST_VERSION,
        "MaxClientVersion": LATEST_VERSION,
        "LastHeartBeatTime": heartbeat,
        **fields,
    }
