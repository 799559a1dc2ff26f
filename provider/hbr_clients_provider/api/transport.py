"""One signed API call over ``alibabacloud-tea-openapi``, for any :class:`~.operations.Operation`.

:class:`Transport` owns a ``tea-openapi`` client built from
:class:`~hbr_clients_provider.api.connection.ConnectionSettings` and sends exactly what the
official SDKs send (``POST /``, RPC style, ``ACS3-HMAC-SHA256``, query plus form body from
the operation's ``encode``: :func:`hbr_clients_provider.api.wire.encode_request` for HBR).
One transport serves one endpoint; HBR ``DescribeBackupClients`` is the default operation,
and ECS ``DescribeInstances`` or HBR ``DescribeRegions`` go through the same code. It makes
one attempt per call: the
SDK's own retry loop is off (no ``retry_options``), retries are
:mod:`hbr_clients_provider.api.retry`'s job. The HTTP step runs under an
:class:`~hbr_clients_provider.api.exchange.Exchange`: the proxy and CA bundle resolved by
:mod:`hbr_clients_provider.api.network`, the timeouts clamped to the caller's deadline, the body
read so that a dripping one is cut at the deadline. The body is decoded by
:func:`~hbr_clients_provider.api.decode.decode_json` alone. Errors come out translated by
:func:`~hbr_clients_provider.api.translate.translate`, and every answer is validated
(:meth:`~hbr_clients_provider.api.models.ClientsPage.from_wire`) before it is trusted.

Connections are pooled per host by ``requests`` sessions inside ``darabonba``; the pool
size (``max_idle_conns``) is set to at least the caller's concurrency so keep-alive works
across worker threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.decode import decode_json
from hbr_clients_provider.api.exchange import Exchange, install_log_redaction, install_session
from hbr_clients_provider.api.hbr_api import DESCRIBE_BACKUP_CLIENTS
from hbr_clients_provider.api.models import ClientsPage
from hbr_clients_provider.api.network import NetworkSettings, resolve_network
from hbr_clients_provider.api.operations import Operation, Page
from hbr_clients_provider.api.translate import translate, translate_response
from hbr_clients_provider.errors import CredentialsError, MalformedResponseError

__all__ = ["Transport"]


class Transport:
    """Sends single ``DescribeBackupClients`` requests; thread-safe, one attempt per call."""

    def __init__(self, connection: ConnectionSettings, *, pool_size: int = 16) -> None:
        """Build the client for ``connection``; resolve its proxy and CAs now, once.

        :raises InvalidQuery: a proxy variable or CA bundle that cannot work.
        """
        from alibabacloud_tea_openapi.client import Client  # noqa: PLC0415
        from alibabacloud_tea_openapi.utils_models import Config, Params  # noqa: PLC0415
        from darabonba.core import DaraCore  # noqa: PLC0415
        from darabonba.runtime import RuntimeOptions  # noqa: PLC0415

        self.connection = connection
        protocol = connection.protocol.lower()
        self.network: NetworkSettings = connection.network_settings or resolve_network(
            f"{protocol}://{connection.endpoint}/", ca_bundle=connection.ca_bundle
        )
        pool = max(1, pool_size)
        config = Config(
            access_key_id=connection.access_key_id,
            access_key_secret=connection.access_key_secret,
            security_token=connection.security_token,
            endpoint=connection.endpoint,
            region_id=connection.region,
            protocol=connection.protocol.upper(),
            connect_timeout=int(connection.connect_timeout_s * 1000),
            read_timeout=int(connection.read_timeout_s * 1000),
            max_idle_conns=pool,
        )
        try:
            self._client = Client(config)
        except Exception as exc:  # tea-openapi refuses a config without credentials
            msg = "could not set up the API client: the AccessKey or STS token is missing"
            raise CredentialsError(msg) from exc
        # darabonba's own session key (DaraCore.do_action): the host header is the endpoint,
        # the port always 80, the pool the resolved maxIdleConns.
        pool_key = DaraCore._resolve_pool_maxsize({"maxIdleConns": DaraCore.to_number(pool)})
        install_session(f"{protocol}://{connection.endpoint}:80:pool={pool_key}", pool)
        install_log_redaction()
        self._params_type = Params
        self._params_by_operation: dict[Operation, Any] = {}
        self._runtime_type = RuntimeOptions
        self.calls = 0

    def _params(self, operation: Operation) -> Any:
        params = self._params_by_operation.get(operation)
        if params is None:
            params = self._make_params(operation)
            self._params_by_operation[operation] = params
        return params

    def _make_params(self, operation: Operation) -> Any:
        return self._params_type(
            action=operation.action,
            version=operation.version,
            protocol=self.connection.protocol.upper(),
            pathname="/",
            method="POST",
            auth_type="AK",
            style="RPC",
            req_body_type="formData",
            # The bytes, not tea's ``json.loads``: every answer is decoded by
            # :func:`~hbr_clients_provider.api.decode.decode_json`, under its bounds.
            body_type="byte",
        )

    def __repr__(self) -> str:
        return f"Transport(endpoint={self.connection.endpoint!r})"

    def call(
        self,
        params: Mapping[str, Any],
        *,
        deadline: float | None = None,
        operation: Operation = DESCRIBE_BACKUP_CLIENTS,
    ) -> dict[str, Any]:
        """Send one ``operation`` request with snake_case ``params``; return the JSON object.

        ``deadline`` is an absolute :func:`time.monotonic` instant the request must not
        outlive: the timeouts are clamped to it and a body still arriving then is cut.

        :raises HbrError: the taxonomy of :mod:`hbr_clients_provider.errors`.
        """
        from alibabacloud_tea_openapi.utils_models import OpenApiRequest  # noqa: PLC0415

        query, body = operation.encode(params)
        request = OpenApiRequest(query=query, body=body)
        exchange = Exchange(
            endpoint=self.connection.endpoint,
            network=self.network,
            connect_timeout_s=self.connection.connect_timeout_s,
            read_timeout_s=self.connection.read_timeout_s,
            deadline=deadline,
            connect_to=self.connection.connect_to,
        )
        self.calls += 1
        with exchange:
            try:
                response = self._client.call_api(
                    self._params(operation), request, self._runtime_type()
                )
            except Exception as exc:
                raise translate(exc, exchange) from None
        exchange.require_used()
        if exchange.status is None or not 200 <= exchange.status < 300:
            error = translate_response(exchange)
            if error is not None:
                raise error
        raw = response.get("body") if isinstance(response, Mapping) else None
        payload = decode_json(
            raw if isinstance(raw, bytes) else exchange.body,
            endpoint=self.connection.endpoint,
            status=exchange.status,
            content_type=exchange.content_type,
        )
        if not isinstance(payload, dict):
            kind = type(payload).__name__ if payload is not None else "null"
            msg = f"the body is a JSON {kind}, not an object"
            raise MalformedResponseError(msg, endpoint=self.connection.endpoint)
        return payload

    def fetch_page(
        self, operation: Operation, params: Mapping[str, Any], *, deadline: float | None = None
    ) -> Page:
        """Send one request of a paged ``operation``; return its validated page.

        :raises ValueError: ``operation`` does not page (a bug of the caller).
        """
        if operation.paging is None:
            msg = f"{operation.name} does not page"
            raise ValueError(msg)
        answer = self.call(params, deadline=deadline, operation=operation)
        return operation.paging.read(answer, self.connection.endpoint)

    def describe(self, params: Mapping[str, Any], *, deadline: float | None = None) -> ClientsPage:
        """Send one ``DescribeBackupClients`` request; return the validated, typed page."""
        return ClientsPage.from_wire(
            self.call(params, deadline=deadline), endpoint=self.connection.endpoint
        )
