"""Tests of :mod:`hbr_clients_provider.api.transport`: wire equivalence, validation, deadline."""

from __future__ import annotations

import datetime
import json
import socket
import threading
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
from hbr_clients_provider.api.exchange import PHASES, Exchange
from hbr_clients_provider.api.limits import ListingLimits
from hbr_clients_provider.api.models import ClientsPage
from hbr_clients_provider.api.network import NetworkSettings
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.api.query import ClientQuery
from hbr_clients_provider.api.translate import retry_after_ms
from hbr_clients_provider.api.transport import Transport
from hbr_clients_provider.errors import (
    ApiError,
    DeadlineExceeded,
    HbrError,
    HttpStatusError,
    MalformedResponseError,
    TransportError,
)
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from tests.hostile.servers import CLIENT, FakeHbr, Reply, Script, ScriptedHbr, drip_headers_on

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


def _scripted(script: Script, **kwargs: Any) -> ScriptedHbr:
    """A started scripted endpoint (stop it in the test)."""
    return ScriptedHbr(script=script, **kwargs).start()


def test_transport_deadline_cuts_dripping_headers() -> None:
    """Headers dripping within the read timeout are cut at the deadline, named, sent once."""
    server = _scripted(drip_headers_on(frozenset({1}), total=1, drip_s=0.2))
    try:
        transport = _fake_transport(server, read_timeout_s=5.0)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            transport.call({"client_type": "ECS_CLIENT"}, deadline=started + 1.0)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert info.value.detail == PHASES["headers"]
    assert elapsed < 2.5  # a second of slack for a loaded machine; the drip takes minutes
    assert len(server.requests) == 1


def test_transport_deadline_names_a_dripping_body(fake_hbr: Callable[..., FakeHbr]) -> None:
    """A body dripping past the deadline is named as the body, not the headers."""
    server = fake_hbr(mode="drip")
    transport = _fake_transport(server, read_timeout_s=5.0)
    with pytest.raises(DeadlineExceeded) as info:
        transport.call({"client_type": "ECS_CLIENT"}, deadline=time.monotonic() + 0.5)
    assert info.value.detail == PHASES["body"]


def test_transport_deadline_cuts_a_tls_handshake_that_never_comes() -> None:
    """A port that accepts but never answers the TLS hello is cut at the deadline, as connect."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        endpoint = f"127.0.0.1:{listener.getsockname()[1]}"
        transport = Transport(
            ConnectionSettings(
                endpoint=endpoint,
                protocol="https",
                access_key_id="a",
                access_key_secret="b",
                connect_timeout_s=5.0,
                read_timeout_s=5.0,
            )
        )
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            transport.call({"client_type": "ECS_CLIENT"}, deadline=started + 1.0)
        elapsed = time.monotonic() - started
    assert info.value.detail == PHASES["connect"]
    assert elapsed < 2.5  # a second of slack for a loaded machine; the drip takes minutes


def test_transport_deadlines_in_a_row_keep_the_connection() -> None:
    """Each call on a kept-alive connection gets its own deadline; one connection serves all."""
    server = _scripted(drip_headers_on(frozenset(), total=1))
    try:
        transport = _fake_transport(server)
        for _ in range(3):
            page = transport.describe(
                {"client_type": "ECS_CLIENT"}, deadline=time.monotonic() + 5.0
            )
            assert page.total_count == 1
    finally:
        server.stop()
    assert (len(server.requests), server.connections) == (3, 1)


def test_list_clients_deadline_stops_the_workers_in_flight() -> None:
    """Pages 2-4 with dripping headers end the listing at its deadline, workers included."""
    server = _scripted(drip_headers_on(frozenset({2, 3, 4}), total=99 * 4))
    try:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            list_clients(
                ClientQuery(client_type="ECS_CLIENT"),
                connection=ConnectionSettings(
                    endpoint=server.endpoint,
                    protocol="http",
                    access_key_id="a",
                    access_key_secret="b",
                ),
                concurrency=3,
                limits=ListingLimits(deadline_s=1.5),
            )
        elapsed = time.monotonic() - started
        workers = [t for t in threading.enumerate() if t.name.startswith("hbr-page")]
    finally:
        server.stop()
    assert f"{PHASES['headers']}; 1 of 4 pages fetched" in str(info.value)
    assert elapsed < 1.5 + 1.0  # the drips alone would take minutes
    assert workers == []
    assert len(server.requests) == 4


def test_retry_after_ms_reads_both_headers() -> None:
    """x-acs-retry-after is milliseconds and wins; Retry-After is seconds or an HTTP-date."""
    now = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

    def wait(**headers: str | None) -> int | None:
        exchange = Exchange(
            endpoint="h", network=NetworkSettings(), connect_timeout_s=1, read_timeout_s=1
        )
        exchange.retry_after = headers.get("retry_after")
        exchange.acs_retry_after = headers.get("acs")
        return retry_after_ms(exchange, now=now)

    assert wait(acs="1500", retry_after="9") == 1500
    assert wait(retry_after="2") == 2000
    assert wait(retry_after=" 2 ") == 2000
    assert wait(retry_after="Thu, 02 Jan 2025 03:04:08 GMT") == 3000
    assert wait(retry_after="Thu, 02 Jan 2025 03:04:00 GMT") is None  # in the past
    assert wait(retry_after="0") is None
    assert wait(retry_after="soon") is None
    assert wait(retry_after="-3") is None
    assert wait() is None


def test_transport_503_carries_its_retry_after() -> None:
    """A bare 503 with Retry-After: 2 becomes an HttpStatusError that asks for 2,000 ms."""
    reply = Reply(
        status=503, content_type="text/html", body=b"<html/>", headers=(("Retry-After", "2"),)
    )
    server = _scripted(lambda _n, _p: reply)
    try:
        with pytest.raises(HttpStatusError) as info:
            _fake_transport(server).call({"client_type": "ECS_CLIENT"})
    finally:
        server.stop()
    assert (info.value.status, info.value.retry_after_ms) == (503, 2000)


def test_transport_api_error_carries_its_retry_after() -> None:
    """An HBR error envelope on a 503 with Retry-After keeps the wait on the ApiError."""
    envelope = {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "R-1"}
    reply = Reply(status=503, body=json.dumps(envelope).encode(), headers=(("Retry-After", "3"),))
    server = _scripted(lambda _n, _p: reply)
    try:
        with pytest.raises(ApiError) as info:
            _fake_transport(server).call({"client_type": "ECS_CLIENT"})
    finally:
        server.stop()
    assert (info.value.code, info.value.retry_after_ms) == ("ServiceUnavailable", 3000)
