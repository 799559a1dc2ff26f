"""Helpers for the emulator tests: official-SDK clients and hand-signed requests."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any

from alibabacloud_hbr20170908 import models as hbr_models
from alibabacloud_hbr20170908.client import Client
from alibabacloud_tea_openapi import models as open_api_models

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.signing import sign_acs3

SdkFactory = Callable[..., Client]


def sdk_client(
    endpoint: str,
    *,
    access_key_id: str = DEFAULT_ACCESS_KEY_ID,
    access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET,
    security_token: str | None = None,
    read_timeout: int | None = None,
) -> Client:
    """Return the official HBR SDK client pointed at ``endpoint`` over HTTP."""
    config = open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
        endpoint=endpoint,
        protocol="HTTP",
        region_id="cn-hangzhou",
        read_timeout=read_timeout,
    )
    return Client(config)


def describe(client: Client, **kwargs: Any) -> hbr_models.DescribeBackupClientsResponseBody:
    """Call ``DescribeBackupClients`` with the SDK's request fields and return the body."""
    kwargs.setdefault("client_type", "ECS_CLIENT")
    request = hbr_models.DescribeBackupClientsRequest(**kwargs)
    body: hbr_models.DescribeBackupClientsResponseBody = client.describe_backup_clients(
        request
    ).body
    return body


def list_all(
    client: Client, **kwargs: Any
) -> list[hbr_models.DescribeBackupClientsResponseBodyClients]:
    """List every page of 99 with the SDK and return all clients."""
    clients: list[hbr_models.DescribeBackupClientsResponseBodyClients] = []
    page = 1
    while True:
        body = describe(client, page_number=page, page_size=99, **kwargs)
        clients.extend(body.clients)
        if len(clients) >= body.total_count or not body.clients:
            return clients
        page += 1


def raw_call(
    endpoint: str,
    *,
    query: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    **sign: Any,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """Send a hand-signed ACS3 request; return status, headers and the JSON body."""
    sign.setdefault("access_key_id", DEFAULT_ACCESS_KEY_ID)
    sign.setdefault("access_key_secret", DEFAULT_ACCESS_KEY_SECRET)
    sign.setdefault("action", "DescribeBackupClients")
    sign.setdefault("version", "2017-09-08")
    target, signed, body = sign_acs3(
        host=endpoint, query=query or {"ClientType": "ECS_CLIENT"}, form=form, **sign
    )
    signed.update(headers or {})
    host, port = endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", target, body=body, headers=signed)
        response = connection.getresponse()
        payload = response.read()
        return response.status, dict(response.getheaders()), json.loads(payload or b"{}")
    finally:
        connection.close()
