"""Helpers for the emulator tests: official-SDK clients (HBR, ECS, STS, RM), signed requests."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_hbr20170908 import models as hbr_models
from alibabacloud_hbr20170908.client import Client
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
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
    host: str | None = None,
    **sign: Any,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """Send a hand-signed ACS3 request to ``endpoint``; return status, headers and JSON body.

    ``host`` is the ``Host`` header signed and sent (default: ``endpoint``), as curl's
    ``--connect-to`` does: the connection goes to ``endpoint`` whatever the host names.
    """
    sign.setdefault("access_key_id", DEFAULT_ACCESS_KEY_ID)
    sign.setdefault("access_key_secret", DEFAULT_ACCESS_KEY_SECRET)
    sign.setdefault("action", "DescribeBackupClients")
    sign.setdefault("version", "2017-09-08")
    target, signed, body = sign_acs3(
        host=host or endpoint, query=query or {"ClientType": "ECS_CLIENT"}, form=form, **sign
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


def ecs_client(endpoint: str, *, region_id: str = "cn-hangzhou", **config: Any) -> EcsClient:
    """Return the official ECS SDK client pointed at ``endpoint`` over HTTP."""
    config.setdefault("access_key_id", DEFAULT_ACCESS_KEY_ID)
    config.setdefault("access_key_secret", DEFAULT_ACCESS_KEY_SECRET)
    return EcsClient(
        open_api_models.Config(endpoint=endpoint, protocol="HTTP", region_id=region_id, **config)
    )


def describe_instances(
    client: EcsClient, **kwargs: Any
) -> ecs_models.DescribeInstancesResponseBody:
    """Call ``DescribeInstances`` with the SDK's request fields and return the body."""
    request = ecs_models.DescribeInstancesRequest(**kwargs)
    body: ecs_models.DescribeInstancesResponseBody = client.describe_instances(request).body
    return body


def all_instances(
    client: EcsClient, *, page_size: int = 10, **kwargs: Any
) -> list[ecs_models.DescribeInstancesResponseBodyInstancesInstance]:
    """Page through ``DescribeInstances`` by number with the SDK; return every instance."""
    instances: list[ecs_models.DescribeInstancesResponseBodyInstancesInstance] = []
    page = 1
    while True:
        body = describe_instances(client, page_number=page, page_size=page_size, **kwargs)
        instances.extend(body.instances.instance)
        if not body.instances.instance or len(instances) >= body.total_count:
            return instances
        page += 1


def tag_filter(**tags: str | None) -> list[ecs_models.DescribeInstancesRequestTag]:
    """Return ``DescribeInstancesRequest.tag`` for ``key=value`` pairs (None: any value)."""
    return [ecs_models.DescribeInstancesRequestTag(key=k, value=v) for k, v in tags.items()]


def sts_client(endpoint: str, **config: Any) -> StsClient:
    """Return the official STS SDK client pointed at ``endpoint`` over HTTP (default keys)."""
    config.setdefault("access_key_id", DEFAULT_ACCESS_KEY_ID)
    config.setdefault("access_key_secret", DEFAULT_ACCESS_KEY_SECRET)
    config.setdefault("region_id", "cn-hangzhou")
    return StsClient(open_api_models.Config(endpoint=endpoint, protocol="HTTP", **config))


def rm_client(endpoint: str, **config: Any) -> RmClient:
    """Return the official ResourceManager SDK client pointed at ``endpoint`` over HTTP."""
    config.setdefault("access_key_id", DEFAULT_ACCESS_KEY_ID)
    config.setdefault("access_key_secret", DEFAULT_ACCESS_KEY_SECRET)
    config.setdefault("region_id", "cn-hangzhou")
    return RmClient(open_api_models.Config(endpoint=endpoint, protocol="HTTP", **config))


def assume_role(
    client: StsClient, role_arn: str, *, session_name: str = "audit", **kwargs: Any
) -> sts_models.AssumeRoleResponseBody:
    """Call ``AssumeRole`` with the SDK's request fields and return the body."""
    request = sts_models.AssumeRoleRequest(
        role_arn=role_arn, role_session_name=session_name, **kwargs
    )
    body: sts_models.AssumeRoleResponseBody = client.assume_role(request).body
    return body


def session_config(body: sts_models.AssumeRoleResponseBody) -> dict[str, Any]:
    """The ``Config`` fields that sign with an ``AssumeRole`` answer's credentials."""
    credentials = body.credentials
    return {
        "access_key_id": credentials.access_key_id,
        "access_key_secret": credentials.access_key_secret,
        "security_token": credentials.security_token,
    }


def list_accounts(client: RmClient, **kwargs: Any) -> rm_models.ListAccountsResponseBody:
    """Call ``ListAccounts`` with the SDK's request fields and return the body."""
    request = rm_models.ListAccountsRequest(**kwargs)
    body: rm_models.ListAccountsResponseBody = client.list_accounts(request).body
    return body


def hbr_via_host(
    endpoint: str,
    host: str,
    *,
    action: str = "DescribeBackupClients",
    sign: dict[str, Any] | None = None,
    **query: str,
) -> tuple[int, dict[str, Any]]:
    """Call HBR through ``Host: host`` at ``endpoint``; return the status and the JSON body.

    ``ClientType`` defaults to ``ECS_CLIENT``; ``sign`` holds other keys to sign with
    (``access_key_id``, ``access_key_secret``, ``security_token``).
    """
    query.setdefault("ClientType", "ECS_CLIENT")
    status, _, body = raw_call(endpoint, host=host, action=action, query=query, **(sign or {}))
    return status, body


def list_clients_via_host(
    endpoint: str, host: str, *, sign: dict[str, Any] | None = None, **query: str
) -> list[dict[str, Any]]:
    """Every client of one type (default ``ECS_CLIENT``) HBR answers through ``Host: host``."""
    clients: list[dict[str, Any]] = []
    page = 1
    while True:
        status, body = hbr_via_host(
            endpoint, host, sign=sign, PageNumber=str(page), PageSize="99", **query
        )
        assert status == 200, body
        clients.extend(body["Clients"])
        if not body["Clients"] or len(clients) >= body["TotalCount"]:
            return clients
        page += 1
