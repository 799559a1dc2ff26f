"""Integration tests of :func:`hbr_clients_provider.api.paging.list_clients` against the
emulator."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hbr_clients_provider.api import paging
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.limits import ListingLimits
from hbr_clients_provider.api.operations import Operation, Page
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.api.query import ClientQuery
from hbr_clients_provider.api.ratelimit import AdaptiveRateLimiter, RateLimit
from hbr_clients_provider.api.retry import RetryPolicy
from hbr_clients_provider.api.transport import Transport
from hbr_clients_provider.errors import (
    ApiError,
    DeadlineExceeded,
    FleetChangedError,
    InvalidQuery,
    TooManyClientsError,
    TransportError,
)
from hbr_emulator import (
    DEFAULT_CROSS_ACCOUNT_ROLE_NAME,
    DEFAULT_CROSS_ACCOUNT_USER_ID,
    Emulator,
    Faults,
)

from ._support import FAST_RETRY, connect, expected_ids

ECS = ClientQuery(client_type="ECS_CLIENT")


def only_type(emu: Emulator, client_type: str, keep: int) -> None:
    """Trim the emulator's fleet to ``keep`` clients of ``client_type`` and none of the others."""
    count = 0
    for c in emu.backend.clients(account="self"):
        if c.get("ClientType") == client_type and count < keep:
            count += 1
        else:
            emu.backend.remove_client(c["ClientId"])
    while count < keep:
        emu.backend.add_client({"ClientType": client_type})
        count += 1


@pytest.mark.parametrize("size", [0, 1, 99, 100, 250, 1000])
def test_list_clients_complete_at_sizes(
    emulator_factory: Callable[..., Emulator], size: int
) -> None:
    """Every client is listed once, in API order, at page-boundary sizes."""
    emu = emulator_factory(fleet=0, seed=3)
    only_type(emu, "ECS_CLIENT", size)
    listing = list_clients(ECS, connection=connect(emu), retry=FAST_RETRY)
    assert list(listing.client_ids) == expected_ids(emu)
    assert listing.total_count == listing.api_total_count == size
    pages = max(1, -(-size // 99))
    assert emu.backend.api_call_count() == pages


def test_list_clients_empty_fleet(emulator_factory: Callable[..., Emulator]) -> None:
    """An empty fleet gives an empty listing after one call."""
    emu = emulator_factory(fleet=0, seed=1)
    listing = list_clients(ECS, connection=connect(emu))
    assert listing.clients == ()
    assert emu.backend.api_call_count() == 1


def test_list_clients_server_side_conditions(emulator: Emulator) -> None:
    """Instance IDs, client IDs and tags are sent and honoured."""
    clients = [
        c for c in emulator.backend.clients(account="self") if c["ClientType"] == "ECS_CLIENT"
    ]
    picked = clients[:3]
    by_instance = list_clients(
        {"client_type": "ECS_CLIENT", "instance_ids": [c["InstanceId"] for c in picked]},
        connection=connect(emulator),
    )
    assert set(by_instance.client_ids) == {c["ClientId"] for c in picked}
    by_id = list_clients(
        {"client_type": "ECS_CLIENT", "client_ids": [picked[0]["ClientId"]]},
        connection=connect(emulator),
    )
    assert by_id.client_ids == (picked[0]["ClientId"],)
    tag = picked[0]["Tags"][0]
    by_tag = list_clients(
        {"client_type": "ECS_CLIENT", "tags": {tag["Key"]: tag["Value"]}},
        connection=connect(emulator),
    )
    want = [
        c["ClientId"] for c in clients if {"Key": tag["Key"], "Value": tag["Value"]} in c["Tags"]
    ]
    assert list(by_tag.client_ids) == want


def test_list_clients_container_cluster(emulator: Emulator) -> None:
    """Container clients can be narrowed to one cluster."""
    internal = [
        c
        for c in emulator.backend.clients(account="self", internal=True)
        if c["ClientType"] == "CONTAINER_CLIENT"
    ]
    assert internal
    cluster = emulator.backend.cluster_of(internal[0]["ClientId"])
    listing = list_clients(
        {"client_type": "CONTAINER_CLIENT", "cluster_id": cluster}, connection=connect(emulator)
    )
    want = [
        c["ClientId"] for c in internal if emulator.backend.cluster_of(c["ClientId"]) == cluster
    ]
    assert list(listing.client_ids) == want


def test_list_clients_long_id_lists_are_chunked(emulator_factory: Callable[..., Emulator]) -> None:
    """More IDs than one request carries are split, merged in order and de-duplicated."""
    emu = emulator_factory(fleet=0, seed=2)
    only_type(emu, "ECS_CLIENT", 250)
    ids = expected_ids(emu)
    listing = list_clients(
        {"client_type": "ECS_CLIENT", "client_ids": [*ids, ids[0]]},
        connection=connect(emu),
    )
    assert sorted(listing.client_ids) == sorted(ids)
    assert len(listing.client_ids) == 250
    assert emu.backend.api_call_count() == 3


def test_list_clients_client_side_filters(emulator: Emulator) -> None:
    """Status, backup status, regex, outdated and heartbeat filters apply after listing."""
    conn = connect(emulator)
    everything = list_clients(ECS, connection=conn)
    by_status = list_clients(
        {"client_type": "ECS_CLIENT", "statuses": ["ACTIVATED"]}, connection=conn
    )
    assert by_status.clients == tuple(c for c in everything.clients if c.status == "ACTIVATED")
    assert by_status.total_count == len(by_status.clients)
    assert by_status.api_total_count == everything.api_total_count
    unprotected = list_clients(
        {"client_type": "ECS_CLIENT", "backup_statuses": ["UNPROTECTED"]}, connection=conn
    )
    assert all(c.backup_status == "UNPROTECTED" for c in unprotected.clients)
    outdated = list_clients({"client_type": "ECS_CLIENT", "outdated_only": True}, connection=conn)
    assert outdated.clients == tuple(c for c in everything.clients if c.is_outdated)
    name = everything.clients[0].instance_name or ""
    by_name = list_clients(
        {"client_type": "ECS_CLIENT", "name_regex": f"^{name}$"}, connection=conn
    )
    assert everything.clients[0] in by_name.clients
    now = datetime.now(tz=UTC)
    stale = list_clients(
        {"client_type": "ECS_CLIENT", "heartbeat_older_than": "1d"}, connection=conn, now=now
    )
    cutoff = (now - timedelta(days=1)).timestamp()
    assert stale.clients == tuple(c for c in everything.clients if c.last_heartbeat_time < cutoff)


def test_list_clients_single_page(emulator: Emulator) -> None:
    """page_number/page_size fetch exactly one page."""
    listing = list_clients(
        {"client_type": "ECS_CLIENT", "page_number": 2, "page_size": 5},
        connection=connect(emulator),
    )
    assert list(listing.client_ids) == expected_ids(emulator)[5:10]
    assert emulator.backend.api_call_count() == 1


def test_list_clients_cross_account(emulator: Emulator) -> None:
    """Cross-account listings read the source account's fleet."""
    account = f"cross:{DEFAULT_CROSS_ACCOUNT_USER_ID}:{DEFAULT_CROSS_ACCOUNT_ROLE_NAME}"
    listing = list_clients(
        {
            "client_type": "ECS_CLIENT",
            "cross_account_type": "CROSS_ACCOUNT",
            "cross_account_user_id": DEFAULT_CROSS_ACCOUNT_USER_ID,
            "cross_account_role_name": DEFAULT_CROSS_ACCOUNT_ROLE_NAME,
        },
        connection=connect(emulator),
    )
    assert list(listing.client_ids) == expected_ids(emulator, account=account)
    assert listing.client_ids


def test_list_clients_invalid_query_sends_nothing(emulator: Emulator) -> None:
    """Invalid input raises before any request."""
    with pytest.raises(InvalidQuery):
        list_clients({"client_type": "ECS_CLIENT", "page_size": 500}, connection=connect(emulator))
    assert emulator.backend.api_call_count() == 0


@pytest.mark.parametrize(
    "code_status",
    [("Throttling", 400), ("Throttling.User", 400), ("Throttling.Api", 503),
     ("ServiceUnavailable", 503),
     ("InternalError", 500), ("SignatureNonceUsed", 400)],
)  # fmt: skip
def test_list_clients_retryable_errors(emulator: Emulator, code_status: tuple[str, int]) -> None:
    """Retryable errors are retried and the listing completes."""
    emulator.backend.set_faults(Faults(fail_next=[code_status]))
    listing = list_clients(ECS, connection=connect(emulator), retry=FAST_RETRY)
    assert list(listing.client_ids) == expected_ids(emulator)


@pytest.mark.parametrize(
    "code_status",
    [("InvalidAccessKeyId.NotFound", 404), ("SignatureDoesNotMatch", 400),
     ("IncompleteSignature", 400),
     ("InvalidTimeStamp.Expired", 400), ("Forbidden.RAM", 403), ("NoPermission", 403),
     ("InvalidParameter", 400), ("MissingParameter", 400)],
)  # fmt: skip
def test_list_clients_non_retryable_errors(
    emulator: Emulator, code_status: tuple[str, int]
) -> None:
    """Non-retryable errors fail at once with code, status and request ID."""
    emulator.backend.set_faults(Faults(fail_next=[code_status]))
    with pytest.raises(ApiError) as info:
        list_clients(ECS, connection=connect(emulator), retry=FAST_RETRY)
    assert (info.value.code, info.value.status_code) == code_status
    assert info.value.request_id
    assert emulator.backend.api_call_count() == 1


def test_list_clients_signature_nonce_used_twice_fails(emulator: Emulator) -> None:
    """SignatureNonceUsed is retried only once."""
    emulator.backend.set_faults(Faults(fail_next=[("SignatureNonceUsed", 400)] * 2))
    with pytest.raises(ApiError, match="SignatureNonceUsed"):
        list_clients(ECS, connection=connect(emulator), retry=FAST_RETRY)


def test_list_clients_wrong_secret(emulator: Emulator) -> None:
    """A wrong secret is a signature error, and the secret is not in the message."""
    with pytest.raises(ApiError) as info:
        list_clients(ECS, connection=connect(emulator, access_key_secret="not-the-secret-xyz"))
    assert info.value.code == "SignatureDoesNotMatch"
    assert "not-the-secret-xyz" not in str(info.value)


def test_list_clients_error_storm(emulator_factory: Callable[..., Emulator]) -> None:
    """With 20 % 5xx errors and 10 % resets, the listing is still complete and exact."""
    emu = emulator_factory(fleet=1200, seed=5, faults=Faults(error_rate=0.2, reset_rate=0.1))
    listing = list_clients(ECS, connection=connect(emu), retry=FAST_RETRY)
    assert list(listing.client_ids) == expected_ids(emu)


def test_list_clients_throttling_storm(emulator_factory: Callable[..., Emulator]) -> None:
    """Against a 10 calls/s budget with retry-after, nothing fails and nothing repeats."""
    emu = emulator_factory(fleet=2500, seed=4, faults=Faults(qps=10, retry_after_ms=100))
    listing = list_clients(ECS, connection=connect(emu), retry=RetryPolicy(base_delay_s=0.05))
    assert list(listing.client_ids) == expected_ids(emu)
    throttled = [r for r in emu.backend.request_log() if r["code"].startswith("Throttling")]
    assert throttled


def test_list_clients_connection_resets(emulator_factory: Callable[..., Emulator]) -> None:
    """Connection resets are retried."""
    emu = emulator_factory(fleet=600, seed=6, faults=Faults(reset_rate=0.3))
    listing = list_clients(ECS, connection=connect(emu), retry=FAST_RETRY)
    assert list(listing.client_ids) == expected_ids(emu)


def test_list_clients_read_timeout_retried(emulator_factory: Callable[..., Emulator]) -> None:
    """A response slower than the read timeout is retried until a fast one arrives."""
    emu = emulator_factory(fleet=300, seed=8, faults=Faults(slow_response_ms=1500, slow_rate=0.3))
    listing = list_clients(ECS, connection=connect(emu, read_timeout_s=0.5), retry=FAST_RETRY)
    assert list(listing.client_ids) == expected_ids(emu)


def test_list_clients_always_slow_times_out(emulator_factory: Callable[..., Emulator]) -> None:
    """When every response is too slow, a TransportError marked as a timeout is raised."""
    emu = emulator_factory(fleet=10, seed=8, faults=Faults(slow_response_ms=800, slow_rate=1.0))
    with pytest.raises(TransportError) as info:
        list_clients(
            ECS,
            connection=connect(emu, read_timeout_s=0.2),
            retry=RetryPolicy(max_attempts=2, base_delay_s=0.01),
        )
    assert info.value.timeout


def test_list_clients_connection_refused() -> None:
    """Nothing listening is a TransportError after the retries."""
    conn = ConnectionSettings(
        endpoint="127.0.0.1:9", protocol="http", access_key_id="a", access_key_secret="b"
    )
    with pytest.raises(TransportError):
        list_clients(ECS, connection=conn, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01))


def test_list_clients_fleet_changes_mid_listing(emulator_factory: Callable[..., Emulator]) -> None:
    """A change during the listing starts it again; the result is the fleet after the change."""
    emu = emulator_factory(fleet=1000, seed=9, faults=Faults(mutate_after_pages=2))
    listing = list_clients(ECS, connection=connect(emu), concurrency=1, retry=FAST_RETRY)
    assert list(listing.client_ids) == expected_ids(emu)
    assert len(set(listing.client_ids)) == len(listing.client_ids)


def test_list_clients_fleet_keeps_changing(emulator_factory: Callable[..., Emulator]) -> None:
    """When every attempt sees a change, FleetChangedError is raised, not a partial list."""
    emu = emulator_factory(fleet=400, seed=10)
    calls = {"n": 0}

    def churn(done: int, total: int) -> None:
        calls["n"] += 1
        if calls["n"] % 2 == 0:
            emu.backend.add_client({"ClientType": "ECS_CLIENT"})

    with pytest.raises(FleetChangedError) as info:
        list_clients(ECS, connection=connect(emu), concurrency=1, progress=churn, fleet_attempts=3)
    assert info.value.attempts == 3


def test_list_clients_progress_reports_pages(emulator_factory: Callable[..., Emulator]) -> None:
    """Progress ends at pages done == pages known."""
    emu = emulator_factory(fleet=0, seed=1)
    only_type(emu, "ECS_CLIENT", 300)
    seen: list[tuple[int, int]] = []
    list_clients(ECS, connection=connect(emu), progress=lambda d, t: seen.append((d, t)))
    assert max(seen) == (4, 4)


class _SpyPool(ThreadPoolExecutor):
    """A page pool that records the most pages scheduled and not yet finished at once."""

    peak = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._outstanding = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self._outstanding += 1
            _SpyPool.peak = max(_SpyPool.peak, self._outstanding)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: Future[Any]) -> None:
        with self._lock:
            self._outstanding -= 1


class _CountingTransport(Transport):
    """A real transport that counts requests and the most of them in flight at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.after_first: Callable[[], None] | None = None
        self._lock = threading.Lock()

    def fetch_page(
        self, operation: Operation, params: Mapping[str, Any], *, deadline: float | None = None
    ) -> Page:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return super().fetch_page(operation, params, deadline=deadline)
        finally:
            with self._lock:
                self.in_flight -= 1
                hook, self.after_first = self.after_first, None
            if hook is not None:
                hook()


def test_list_clients_bounded_in_flight_pages(
    emulator_factory: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 pages at concurrency 3: at most 3 requests in flight and 6 pages scheduled."""
    emu = emulator_factory(fleet=3500, seed=3, faults=Faults(latency_ms=10))
    monkeypatch.setattr(paging, "ThreadPoolExecutor", _SpyPool)
    _SpyPool.peak = 0
    transport = _CountingTransport(connect(emu), pool_size=3)
    listing = list_clients(ECS, connection=connect(emu), concurrency=3, transport=transport)
    assert list(listing.client_ids) == expected_ids(emu)
    pages = math.ceil(len(listing.client_ids) / 99)
    assert pages >= 25
    assert transport.requests == pages
    assert transport.peak_in_flight <= 3
    assert 1 <= _SpyPool.peak <= 6


def test_list_clients_count_change_stops_the_attempt_early(
    emulator_factory: Callable[..., Emulator],
) -> None:
    """A page that reports another TotalCount stops scheduling; the retry lists it all once."""
    emu = emulator_factory(fleet=3500, seed=3)
    transport = _CountingTransport(connect(emu), pool_size=2)
    transport.after_first = lambda: emu.backend.add_client({"ClientType": "ECS_CLIENT"})
    listing = list_clients(ECS, connection=connect(emu), concurrency=2, transport=transport)
    pages = math.ceil(len(listing.client_ids) / 99)
    assert list(listing.client_ids) == expected_ids(emu)
    # The first attempt stops within a window (1 + 2 * 2 pages), then one full listing.
    assert transport.requests <= pages + 1 + 2 * 2


def test_list_clients_max_clients_refused_before_page_2(emulator: Emulator) -> None:
    """A TotalCount above max_clients raises TooManyClientsError after one request."""
    transport = _CountingTransport(connect(emulator))
    with pytest.raises(TooManyClientsError) as info:
        list_clients(
            ECS,
            connection=connect(emulator),
            transport=transport,
            limits=ListingLimits(max_clients=10),
        )
    assert info.value.max_clients == 10
    assert info.value.total_count == len(expected_ids(emulator))
    assert transport.requests == 1


def test_list_clients_deadline_bounds_retries(emulator_factory: Callable[..., Emulator]) -> None:
    """Against a service that always fails, retry waits stop at the listing's deadline."""
    emu = emulator_factory(fleet=10, seed=8, faults=Faults(error_rate=1.0))
    policy = RetryPolicy(max_attempts=100, base_delay_s=0.4, max_delay_s=0.4, jitter=lambda: 1.0)
    started = time.monotonic()
    with pytest.raises((ApiError, DeadlineExceeded)):
        list_clients(
            ECS, connection=connect(emu), retry=policy, limits=ListingLimits(deadline_s=1.0)
        )
    assert time.monotonic() - started < 1.5


def test_rate_limiter_does_not_wait_past_a_deadline() -> None:
    """acquire(deadline=...) declines at once when the wait for a token would pass it."""
    clock = _FakeClock()
    limiter = AdaptiveRateLimiter(RateLimit(max_rate_per_s=1.0), burst=1, clock=clock)
    assert limiter.acquire(deadline=10.0)
    assert not limiter.acquire(deadline=clock.now + 0.5)  # the next token is 1 s away
    assert clock.slept == 0.0
    assert limiter.acquire(deadline=clock.now + 2.0)
    assert clock.slept == pytest.approx(1.0)


class _FakeClock:
    """A clock whose sleep only moves time forward."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
