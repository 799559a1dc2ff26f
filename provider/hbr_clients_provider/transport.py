"""One signed ``DescribeBackupClients`` call over ``alibabacloud-tea-openapi``.

:class:`Transport` owns a ``tea-openapi`` client built from
:class:`~hbr_clients_provider.connection.ConnectionSettings` and sends exactly what the
official SDK sends (``POST /``, RPC style, ``ACS3-HMAC-SHA256``, query plus form body from
:func:`hbr_clients_provider.wire.encode_request`). It makes one attempt per call: the
SDK's own retry loop is off (no ``retry_options``), retries are
:mod:`hbr_clients_provider.retry`'s job. Errors come out translated by
:func:`~hbr_clients_provider.errors.map_exceptions`.

Connections are pooled per host by ``requests`` sessions inside ``darabonba``; the pool
size (``max_idle_conns``) is set to at least the caller's concurrency so keep-alive works
across worker threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hbr_clients_provider import wire
from hbr_clients_provider.connection import ConnectionSettings
from hbr_clients_provider.errors import TransportError, map_exceptions
from hbr_clients_provider.models import ClientsPage

__all__ = ["Transport"]


class Transport:
    """Sends single ``DescribeBackupClients`` requests; thread-safe, one attempt per call."""

    def __init__(self, connection: ConnectionSettings, *, pool_size: int = 16) -> None:
        from alibabacloud_tea_openapi.client import Client  # noqa: PLC0415
        from alibabacloud_tea_openapi.utils_models import Config, Params  # noqa: PLC0415
        from darabonba.runtime import RuntimeOptions  # noqa: PLC0415

        self.connection = connection
        config = Config(
            access_key_id=connection.access_key_id,
            access_key_secret=connection.access_key_secret,
            security_token=connection.security_token,
            endpoint=connection.endpoint,
            region_id=connection.region,
            protocol=connection.protocol.upper(),
            connect_timeout=int(connection.connect_timeout_s * 1000),
            read_timeout=int(connection.read_timeout_s * 1000),
            max_idle_conns=max(1, pool_size),
        )
        with map_exceptions():
            self._client = Client(config)
        self._params = Params(
            action=wire.ACTION,
            version=wire.VERSION,
            protocol=connection.protocol.upper(),
            pathname="/",
            method="POST",
            auth_type="AK",
            style="RPC",
            req_body_type="formData",
            body_type="json",
        )
        self._runtime_type = RuntimeOptions
        self.calls = 0

    def __repr__(self) -> str:
        return f"Transport(endpoint={self.connection.endpoint!r})"

    def call(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request with snake_case ``params``; return the decoded JSON body."""
        from alibabacloud_tea_openapi.utils_models import OpenApiRequest  # noqa: PLC0415

        query, body = wire.encode_request(params)
        request = OpenApiRequest(query=query, body=body)
        self.calls += 1
        with map_exceptions():
            response = self._client.call_api(self._params, request, self._runtime_type())
        payload = response.get("body") if isinstance(response, Mapping) else None
        if not isinstance(payload, dict):
            msg = "the response body was not a JSON object"
            raise TransportError(msg)
        return payload

    def describe(self, params: Mapping[str, Any]) -> ClientsPage:
        """Send one request and return the typed page."""
        return ClientsPage.from_wire(self.call(params))
