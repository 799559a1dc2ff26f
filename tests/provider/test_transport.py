"""Tests of :mod:`hbr_clients_provider.api.transport`: wire equivalence, validation, deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from alibabacloud_hbr20170908 import models as sdk_models
from alibabacloud_hbr20170908.client import Client as SdkClient
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.core import DaraCore

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.models import ClientsPage
from hbr_clients_provider.api.query import ClientQuery
from hbr_clients_provider.api.transport import Transport
from hbr_clients_provider.errors import (
    ApiError,
    DeadlineExceeded,
    HbrError,
    MalformedResponseError,
    TransportError,
)
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from tests.hostile.servers import CLIENT, FakeHbr

from ._support import connect


def test_transport_wire_matches_official_sdk(emulator: Emulator) -> None:
    """A query sent by our transport and by the official SDK arrives identically."""
    ids = [c["ClientId"] for c in emulator.backend.clients(account="self")[:3]]
    query = ClientQuery.from_inputs(
        {
            "client_type": "ECS_CLIENT",
            "cluster_id": "cl-000ge4wa61b4d337xblq",
            "client_ids": ids,
            "instance_ids": ["i-1", "i-2"],
            "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "a b&c"}],
            "cross_account_type": "CROSS_ACCOUNT",
            "cross_account_user_id": 1234567890123456,
            "cross_account_role_name": "hbrcrossrole",
            "filters": [{"key": "k", "values": ["v1", "v2"]}],
        }
    )
    Transport(connect(emulator)).call(query.request_params(page_number=2, page_size=50))
    sdk = SdkClient(
        Config(
            access_key_id=DEFAULT_ACCESS_KEY_ID,
            access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
            endpoint=emulator.endpoint,
            protocol="HTTP",
        )
    )
    sdk.describe_backup_clients(
        sdk_models.DescribeBackupClientsRequest(
            client_type="ECS_CLIENT",
            cluster_id="cl-000ge4wa61b4d337xblq",
            client_ids=ids,
            instance_ids=["i-1", "i-2"],
            tag=[
                sdk_models.DescribeBackupClientsRequestTag(key="env", value="prod"),
                sdk_models.DescribeBackupClientsRequestTag(key="team", value="a b&c"),
            ],
            cross_account_type="CROSS_ACCOUNT",
            cross_account_user_id=1234567890123456,
            cross_account_role_name="hbrcrossrole",
            filters=[sdk_models.DescribeBackupClientsRequestFilters(key="k", values=["v1", "v2"])],
            page_number=2,
            page_size=50,
        )
    )
    ours, theirs = emulator.backend.request_log()[-2:]
    assert ours["status"] == theirs["status"] == 200
    assert ours["params"] == theirs["params"]
    assert ours["params"]["ClientIds"] == "[" + ",".join(f'"{i}"' for i in ids) + "]"
    assert ours["params"]["Tag.2.Value"] == "a b&c"
    assert ours["params"]["Filters.1.Values.2"] == "v2"


def test_transport_repr_has_no_secret(emulator: Emulator) -> None:
    """The transport's repr shows the endpoint only."""
    transport = Transport(connect(emulator))
    assert DEFAULT_ACCESS_KEY_SECRET not in repr(transport)
    assert emulator.endpoint in repr(transport)


ANSWER = {"RequestId": "R", "Success": True, "Code": "200", "TotalCount": 1, "Clients": [CLIENT]}


@pytest.mark.parametrize(
    ("body", "error", "text"),
    [
        ({**ANSWER, "Success": False, "Code": "InternalError"}, ApiError, "InternalError"),
        ({**ANSWER, "Success": "false"}, ApiError, "Success=false"),
        ({**ANSWER, "Code": "Forbidden.RAM"}, ApiError, "Forbidden.RAM"),
        ({"RequestId": "R"}, MalformedResponseError, "TotalCount is missing"),
        ({**ANSWER, "TotalCount": "many"}, MalformedResponseError, "not a non-negative integer"),
        ({**ANSWER, "TotalCount": -1}, MalformedResponseError, "not a non-negative integer"),
        ({**ANSWER, "TotalCount": True}, MalformedResponseError, "not a non-negative integer"),
        ({"RequestId": "R", "TotalCount": 3}, MalformedResponseError, "Clients is missing"),
        ({**ANSWER, "Clients": {"a": 1}}, MalformedResponseError, "not an array"),
        ({**ANSWER, "Clients": ["c-1"]}, MalformedResponseError, "Clients[0] is a str"),
        ({**ANSWER, "Clients": [{"ClientId": ""}]}, MalformedResponseError, "has no ClientId"),
        ([ANSWER], MalformedResponseError, "a JSON list, not an object"),
    ],
)
def test_check_answer_refuses_what_is_not_an_answer(
    body: Any, error: type[HbrError], text: str
) -> None:
    """Error envelopes and incomplete answers raise; none becomes an empty page."""
    with pytest.raises(error) as info:
        ClientsPage.from_wire(body, endpoint="h:1")
    assert text in str(info.value)
    if isinstance(info.value, ApiError | MalformedResponseError):
        assert info.value.request_id == ("R" if isinstance(body, dict) else None)


def test_check_answer_empty_fleet_only_when_said() -> None:
    """TotalCount 0 with no Clients, or an empty Clients array, is an empty page."""
    assert ClientsPage.from_wire({"RequestId": "R", "TotalCount": 0}).clients == ()
    assert ClientsPage.from_wire({"TotalCount": "0", "Clients": []}).total_count == 0


def _fake_transport(server: FakeHbr, **settings: Any) -> Transport:
    """A transport to the fake endpoint ``server`` over HTTP, with ``settings`` on top."""
    return Transport(
        ConnectionSettings(
            endpoint=server.endpoint,
            protocol="http",
            access_key_id="a",
            access_key_secret="b",
            **settings,
        )
    )


def test_transport_deadline_cuts_a_dripping_body(fake_hbr: Callable[..., FakeHbr]) -> None:
    """A body that drips within the read timeout is cut at the deadline, with one request."""
    server = fake_hbr(mode="drip")
    transport = _fake_transport(server, read_timeout_s=5.0)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        transport.call({"client_type": "ECS_CLIENT"}, deadline=started + 1.0)
    assert time.monotonic() - started < 2.0
    assert len(server.requests) == 1


def test_transport_deadline_already_passed_sends_nothing(
    fake_hbr: Callable[..., FakeHbr],
) -> None:
    """A deadline in the past raises before a request leaves."""
    server = fake_hbr()
    transport = _fake_transport(server)
    with pytest.raises(DeadlineExceeded):
        transport.call({"client_type": "ECS_CLIENT"}, deadline=time.monotonic() - 1)
    assert server.connections == 0


def test_transport_keeps_the_connection_alive(fake_hbr: Callable[..., FakeHbr]) -> None:
    """Calls in a row reuse one connection: reading the body to the end releases it."""
    server = fake_hbr()
    transport = _fake_transport(server)
    for _ in range(3):
        assert transport.describe({"client_type": "ECS_CLIENT"}).total_count == 1
    assert (len(server.requests), server.connections) == (3, 1)


def test_transport_refuses_a_request_that_bypassed_the_policy(
    fake_hbr: Callable[..., FakeHbr],
) -> None:
    """If darabonba sent a request past the policy session, the call fails instead."""
    server = fake_hbr()
    transport = _fake_transport(server)
    key = next(k for k in DaraCore._sessions if server.endpoint in k)
    DaraCore._sessions[key] = requests.Session()
    try:
        with pytest.raises(TransportError) as info:
            transport.call({"client_type": "ECS_CLIENT"})
    finally:
        del DaraCore._sessions[key]
    assert "bypassed the network policy" in str(info.value)
