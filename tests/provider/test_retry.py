"""Tests of :mod:`hbr_clients_provider.api.retry` and :mod:`hbr_clients_provider.api.ratelimit`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hbr_clients_provider.api.ratelimit import AdaptiveRateLimiter, RateLimit
from hbr_clients_provider.api.retry import RetryPolicy, call_with_retries, is_retryable
from hbr_clients_provider.errors import (
    ApiError,
    ConnectError,
    ConnectionLostError,
    DeadlineExceeded,
    HbrError,
    HttpStatusError,
    InvalidJsonError,
    MalformedResponseError,
    ProxyError,
    RequestTimeoutError,
    TlsError,
)


class FakeClock:
    """A clock whose sleeps only advance its time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """Current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance fake time."""
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


def failing(errors: list[HbrError]) -> Callable[[], str]:
    """A callable that raises ``errors`` in turn, then returns "ok"."""

    def call() -> str:
        if errors:
            raise errors.pop(0)
        return "ok"

    return call


def api(code: str, status: int = 400, retry_after_ms: int | None = None) -> ApiError:
    """An ApiError as the translation of an error envelope builds it."""
    return ApiError(code=code, message="m", status_code=status, retry_after_ms=retry_after_ms)


@pytest.mark.parametrize(
    ("code", "status"),
    [("Throttling", 400), ("Throttling.User", 400), ("Throttling.Api", 503),
     ("ServiceUnavailable", 503),
     ("InternalError", 500), ("SomethingElse", 502)],
)  # fmt: skip
def test_call_with_retries_retryable_codes(code: str, status: int) -> None:
    """Throttling, unavailability and 5xx are retried until success."""
    clock = FakeClock()
    result = call_with_retries(failing([api(code, status)] * 3), policy=RetryPolicy(), clock=clock)
    assert result == "ok"
    assert len(clock.sleeps) == 3


@pytest.mark.parametrize(
    ("code", "status"),
    [("InvalidAccessKeyId.NotFound", 404), ("SignatureDoesNotMatch", 400),
     ("IncompleteSignature", 400),
     ("InvalidTimeStamp.Expired", 400), ("Forbidden.RAM", 403), ("NoPermission", 403),
     ("InvalidParameter", 400), ("MissingParameter", 400)],
)  # fmt: skip
def test_call_with_retries_non_retryable_codes(code: str, status: int) -> None:
    """Other errors fail at once."""
    clock = FakeClock()
    with pytest.raises(ApiError) as info:
        call_with_retries(failing([api(code, status)]), policy=RetryPolicy(), clock=clock)
    assert info.value.code == code
    assert clock.sleeps == []


def test_call_with_retries_signature_nonce_used_once() -> None:
    """SignatureNonceUsed is retried once, not twice."""
    assert (
        call_with_retries(
            failing([api("SignatureNonceUsed")]), policy=RetryPolicy(), clock=FakeClock()
        )
        == "ok"
    )
    with pytest.raises(ApiError):
        call_with_retries(
            failing([api("SignatureNonceUsed"), api("SignatureNonceUsed")]),
            policy=RetryPolicy(),
            clock=FakeClock(),
        )


def test_call_with_retries_transport_errors() -> None:
    """Resets, timeouts, refused connections and a gateway's 5xx or 429 are retried."""
    errors: list[HbrError] = [
        ConnectionLostError("reset", endpoint="h"),
        RequestTimeoutError(endpoint="h", which="read", timeout_s=1.0),
        ConnectError("refused", endpoint="h", kind="refused"),
        HttpStatusError(endpoint="h", status=502, content_type="text/html", body_head=b"<html>"),
        HttpStatusError(endpoint="h", status=429, content_type="text/plain", body_head=b"slow"),
    ]
    assert call_with_retries(failing(errors), policy=RetryPolicy(), clock=FakeClock()) == "ok"


NOT_RETRYABLE: list[HbrError] = [
    TlsError(endpoint="h", problem="self-signed certificate", verification=True, ca_source="x"),
    ConnectError("no such host", endpoint="h", kind="dns"),
    ProxyError("refused", endpoint="h", proxy="http://p:1", source="HTTPS_PROXY"),
    HttpStatusError(endpoint="h", status=403, content_type="text/html", body_head=b""),
    HttpStatusError(endpoint="h", status=302, content_type=None, body_head=b"", location="x"),
    InvalidJsonError(
        endpoint="h", status=200, content_type="text/plain", body_head=b"x", reason="r"
    ),
    MalformedResponseError("TotalCount is missing", endpoint="h"),
    DeadlineExceeded(deadline_s=1.0, endpoint="h"),
]


@pytest.mark.parametrize("error", NOT_RETRYABLE, ids=lambda e: type(e).__name__)
def test_call_with_retries_fails_at_once_when_another_try_cannot_succeed(
    error: HbrError,
) -> None:
    """Certificate, DNS, proxy, 4xx, redirect, body and deadline failures are not retried."""
    clock = FakeClock()
    assert not is_retryable(error)
    with pytest.raises(type(error)):
        call_with_retries(failing([error]), policy=RetryPolicy(), clock=clock)
    assert clock.sleeps == []


def test_call_with_retries_attempt_bound() -> None:
    """After max_attempts the last error is raised."""
    clock = FakeClock()
    with pytest.raises(ApiError):
        call_with_retries(
            failing([api("Throttling")] * 10), policy=RetryPolicy(max_attempts=3), clock=clock
        )
    assert len(clock.sleeps) == 2


def test_call_with_retries_deadline_bound() -> None:
    """A wait that would pass the deadline is not taken."""
    clock = FakeClock()
    policy = RetryPolicy(deadline_s=5, max_attempts=100, jitter=lambda: 1.0)
    with pytest.raises(ApiError):
        call_with_retries(
            failing([api("Throttling", retry_after_ms=2000)] * 100), policy=policy, clock=clock
        )
    assert clock.now <= 5


def test_backoff_full_jitter_exponential() -> None:
    """The ceiling doubles per retry up to max_delay_s; jitter scales it."""
    policy = RetryPolicy(base_delay_s=0.1, max_delay_s=1.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5)] == [0.1, 0.2, 0.4, 0.8, 1.0]
    assert RetryPolicy(jitter=lambda: 0.0).backoff(3) == 0.0


def test_wait_for_honours_retry_after() -> None:
    """x-acs-retry-after is the least wait."""
    policy = RetryPolicy(jitter=lambda: 0.0)
    assert policy.wait_for(api("Throttling", retry_after_ms=1500), 1) == pytest.approx(1.5)


def test_rate_limiter_halves_once_per_cooldown_and_recovers() -> None:
    """A burst of throttles halves the rate once; successes add it back slowly."""
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(
        RateLimit(max_rate_per_s=100, increase_per_success=1), burst=4, clock=clock
    )
    for _ in range(5):
        limiter.on_throttled()
    assert limiter.rate == 50
    clock.now += 1
    limiter.on_throttled()
    assert limiter.rate == 25
    for _ in range(10):
        limiter.on_success()
    assert limiter.rate == 35


def test_rate_limiter_drops_to_the_granted_rate() -> None:
    """A throttle after ten successes in the last second sets the rate to ten per second."""
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(
        RateLimit(max_rate_per_s=400, increase_per_success=0.5), burst=16, clock=clock
    )
    for _ in range(10):
        limiter.on_success()
    limiter.on_throttled()
    assert limiter.rate == 10
    clock.now += 5  # the successes are out of the window: back to halving
    limiter.on_throttled()
    assert limiter.rate == 5


def test_rate_limiter_paces_calls() -> None:
    """Past the burst, calls are spaced at the current rate; retry-after holds them back."""
    clock = FakeClock()
    limiter = AdaptiveRateLimiter(RateLimit(max_rate_per_s=10), burst=2, clock=clock)
    for _ in range(4):
        limiter.acquire()
    assert clock.now == pytest.approx(0.2)
    limiter.on_throttled(retry_after_s=3)
    limiter.acquire()
    assert clock.now >= 3.2


def test_call_with_retries_refused_connection_once() -> None:
    """A refused connection is retried once, after the first short backoff, then raised."""
    clock = FakeClock()
    refused: list[HbrError] = [
        ConnectError("refused", endpoint="h", kind="refused") for _ in range(8)
    ]
    calls = failing(refused)
    with pytest.raises(ConnectError):
        call_with_retries(calls, policy=RetryPolicy(), clock=clock)
    assert len(refused) == 8 - 2
    assert len(clock.sleeps) == 1
    assert clock.sleeps[0] <= RetryPolicy().base_delay_s


def test_wait_for_honours_retry_after_of_a_bare_http_status() -> None:
    """A gateway's 503 with Retry-After: 2 waits at least 2 s, at most 10 % more."""
    error = HttpStatusError(
        endpoint="h", status=503, content_type="text/html", body_head=b"", retry_after_ms=2000
    )
    assert RetryPolicy(jitter=lambda: 0.0).wait_for(error, 1) == pytest.approx(2.0)
    assert RetryPolicy(jitter=lambda: 1.0).wait_for(error, 1) == pytest.approx(2.2)


def test_call_with_retries_retry_after_past_the_deadline_is_not_waited_for() -> None:
    """A Retry-After longer than the time left raises the 503 at once, without sleeping."""
    clock = FakeClock()
    error = HttpStatusError(
        endpoint="h", status=503, content_type="text/html", body_head=b"", retry_after_ms=30_000
    )
    with pytest.raises(HttpStatusError):
        call_with_retries(failing([error]), policy=RetryPolicy(deadline_s=5), clock=clock)
    assert clock.sleeps == []
