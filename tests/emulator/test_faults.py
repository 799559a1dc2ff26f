"""Injected faults: latency, throttling, server errors, resets, slow replies, a moving fleet."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable

import pytest
from alibabacloud_tea_openapi.exceptions import (
    ClientException,
    ServerException,
    ThrottlingException,
)

from hbr_emulator import Emulator, Faults

from .helpers import describe, raw_call, sdk_client

Factory = Callable[..., Emulator]


def _codes(emu: Emulator, calls: int) -> list[str]:
    return [str(raw_call(emu.endpoint)[2].get("Code")) for _ in range(calls)]


def test_latency_delays_every_call(emulator_factory: Factory) -> None:
    """``latency_ms`` delays each answer by at least that long."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(latency_ms=150, latency_jitter_ms=50))
    started = time.monotonic()
    describe(sdk_client(emu.endpoint))
    assert time.monotonic() - started >= 0.15


def test_qps_limit_throttles_with_retry_after(emulator_factory: Factory) -> None:
    """Calls past the per-key QPS limit answer ``Throttling.User`` with ``x-acs-retry-after``."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(qps=2, retry_after_ms=700))
    results = [raw_call(emu.endpoint) for _ in range(3)]
    assert [status for status, _, _ in results] == [200, 200, 400]
    _, headers, body = results[2]
    assert body["Code"] == "Throttling.User"
    assert headers["x-acs-retry-after"] == "700"
    assert emu.backend.api_call_count() == 3


def test_qps_limit_seen_by_the_sdk(emulator_factory: Factory) -> None:
    """The official SDK turns the throttling answer into a ``ThrottlingException``."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(qps=1, retry_after_ms=250))
    client = sdk_client(emu.endpoint)
    describe(client)
    with pytest.raises(ThrottlingException) as caught:
        describe(client)
    assert caught.value.code == "Throttling.User"
    assert caught.value.retry_after == 250


def test_qps_limit_refills(emulator_factory: Factory) -> None:
    """After a second, a throttled key may call again."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(qps=5))
    codes = _codes(emu, 6)
    assert codes[-1] == "Throttling.User"
    time.sleep(0.25)
    assert raw_call(emu.endpoint)[0] == 200


def test_error_rate_answers_500_or_503(emulator_factory: Factory) -> None:
    """With ``error_rate=1`` every call answers ``InternalError`` or ``ServiceUnavailable``."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(error_rate=1.0))
    statuses = {raw_call(emu.endpoint)[0] for _ in range(12)}
    assert statuses == {500, 503}
    with pytest.raises(ServerException) as caught:
        describe(sdk_client(emu.endpoint))
    assert caught.value.code in {"InternalError", "ServiceUnavailable"}


def test_error_rate_is_deterministic_given_the_seed(emulator_factory: Factory) -> None:
    """The same seed yields the same sequence of failures, also after ``set_faults``."""
    faults = Faults(error_rate=0.5)
    first = emulator_factory(fleet=5, seed=9, faults=faults)
    second = emulator_factory(fleet=5, seed=9, faults=faults)
    sequence = _codes(first, 16)
    assert _codes(second, 16) == sequence
    assert "200" in sequence
    assert len(set(sequence)) > 1
    first.backend.set_faults(faults)
    assert _codes(first, 16) == sequence


def test_reset_rate_closes_without_answer(emulator_factory: Factory) -> None:
    """With ``reset_rate=1`` the connection is closed with no response."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(reset_rate=1.0))
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        raw_call(emu.endpoint)
    assert emu.backend.request_log()[-1]["code"] == "ConnectionReset"


def test_slow_response_beats_read_timeout(emulator_factory: Factory) -> None:
    """A reply slower than the client's read timeout makes the SDK call fail."""
    faults = Faults(slow_response_ms=1500, slow_rate=1.0)
    emu = emulator_factory(fleet=5, seed=1, faults=faults)
    started = time.monotonic()
    with pytest.raises(Exception, match=r"(?i)timed? ?out"):  # tea wraps the timeout
        describe(sdk_client(emu.endpoint, read_timeout=300))
    assert time.monotonic() - started < 1.4


def test_mutate_after_pages_shifts_later_pages(emulator_factory: Factory) -> None:
    """After the first page the fleet changes once, so page 2 overlaps or skips page 1."""
    emu = emulator_factory(fleet=40, seed=4, faults=Faults(mutate_after_pages=1))
    before = [c["ClientId"] for c in emu.backend.clients() if c["ClientType"] == "ECS_CLIENT"]
    client = sdk_client(emu.endpoint)
    page_one = [c.client_id for c in describe(client, page_size=5, page_number=1).clients]
    page_two = [c.client_id for c in describe(client, page_size=5, page_number=2).clients]
    assert page_one == before[:5]
    assert page_two != before[5:10]


def test_fail_next_queues_errors(emulator_factory: Factory) -> None:
    """``fail_next`` answers the next calls with the given codes, then recovers."""
    faults = Faults(fail_next=(("Throttling.Api", 400), ("ServiceUnavailable", 503)))
    emu = emulator_factory(fleet=5, seed=1, faults=faults)
    client = sdk_client(emu.endpoint)
    with pytest.raises(ClientException) as first:
        describe(client)
    with pytest.raises(ServerException) as second:
        describe(client)
    assert (first.value.code, second.value.code) == ("Throttling.Api", "ServiceUnavailable")
    assert describe(client).success


def test_faults_spare_unauthenticated_calls(emulator_factory: Factory) -> None:
    """A badly signed call gets its signature error, not an injected fault."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(error_rate=1.0))
    status, _, body = raw_call(emu.endpoint, access_key_secret="wrong")
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


def test_faults_rejects_bad_values() -> None:
    """Rates outside 0..1 and a non-positive QPS are refused."""
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError, match="qps"):
        Faults(qps=0)
