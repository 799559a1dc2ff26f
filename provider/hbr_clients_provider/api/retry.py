"""Which failures are retried, and how long to wait: :class:`RetryPolicy`.

This module alone decides "is this worth another try?" (:func:`is_retryable`), from the
facts the errors of :mod:`hbr_clients_provider.errors` carry. Retried (the call is
read-only, so repeating it is safe), because another try can succeed:

* ``Throttling``, ``Throttling.User``, ``Throttling.Api`` and any ``Throttling.*``, and an
  HTTP 429 from anything in between;
* ``ServiceUnavailable``, ``InternalError`` and any other HTTP 5xx, with an HBR error body or
  not (a gateway's 502 or 503 passes);
* connection resets and timeouts;
* a refused connection once (an endpoint that restarts is back within a moment; a port
  where nothing listens stays refused, so a typo fails in well under a second, not after
  every backoff of ``max_attempts``);
* ``SignatureNonceUsed`` once (each attempt signs with a fresh nonce).

Failed at once, because repeating the same request gets the same answer: certificate and
TLS failures, a name that does not resolve, a proxy that refuses, redirects and 4xx
answers other than throttling (authentication, permissions, invalid parameters, clock
skew), a body that is not JSON, a malformed answer, and the listing deadline. Waits use
exponential backoff with full jitter (``uniform(0, min(cap, base * 2**n))``), never shorter
than the wait the server asked for (``x-acs-retry-after`` or ``Retry-After``, on an API error
or a bare HTTP status, capped at ``max_retry_after_s``); retrying stops after
``max_attempts`` attempts or when the next wait would pass ``deadline_s`` since the first
attempt: a ``Retry-After: 60`` on a listing with 10 s left is not waited for, the error is
raised at once. Sleeping and time go
through an injectable :class:`Clock` so tests run fast.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection
from typing import Protocol, TypeVar

import attrs

from hbr_clients_provider.errors import (
    ApiError,
    ConnectError,
    ConnectionLostError,
    HbrError,
    HttpStatusError,
    RequestTimeoutError,
)

__all__ = [
    "Clock",
    "RetryPolicy",
    "SystemClock",
    "call_with_retries",
    "is_retryable",
    "is_retryable_code",
]

T = TypeVar("T")

_RETRYABLE_CODES = frozenset({"ServiceUnavailable", "InternalError", "InternalFailure"})
_RETRY_ONCE_CODES = frozenset({"SignatureNonceUsed"})
_REFUSED = "refused"


def _retried_once_as(error: HbrError) -> str | None:
    """The name under which ``error`` is retried at most once (``None``: not such an error)."""
    if isinstance(error, ApiError) and error.code in _RETRY_ONCE_CODES:
        return error.code
    if isinstance(error, ConnectError) and error.kind == _REFUSED:
        return _REFUSED
    return None


def is_retryable_code(code: str, status_code: int | None) -> bool:
    """Whether an API error with ``code`` and HTTP ``status_code`` is worth retrying."""
    if code.startswith("Throttling") or code in _RETRYABLE_CODES:
        return True
    if code in _RETRY_ONCE_CODES:
        return True
    return status_code is not None and status_code >= 500


class Clock(Protocol):
    """Time source and sleeper (inject a fake one in tests)."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        ...


class SystemClock:
    """The real clock: :func:`time.monotonic` and :func:`time.sleep`."""

    def monotonic(self) -> float:
        """Seconds on the system's monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` (no-op when not positive)."""
        if seconds > 0:
            time.sleep(seconds)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Knobs of the retry loop; the defaults suit a read-only listing call."""

    max_attempts: int = attrs.field(default=8, validator=attrs.validators.ge(1))
    deadline_s: float = attrs.field(default=120.0, validator=attrs.validators.gt(0))
    base_delay_s: float = attrs.field(default=0.2, validator=attrs.validators.ge(0))
    max_delay_s: float = attrs.field(default=10.0, validator=attrs.validators.ge(0))
    max_retry_after_s: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))
    jitter: Callable[[], float] = attrs.field(default=random.random, repr=False, eq=False)

    def backoff(self, retry_number: int) -> float:
        """Full-jitter wait before retry ``retry_number`` (1 for the first retry)."""
        ceiling: float = min(self.max_delay_s, self.base_delay_s * 2.0 ** (retry_number - 1))
        return ceiling * float(self.jitter())

    def wait_for(self, error: HbrError, retry_number: int) -> float:
        """The wait before retrying ``error``: the jittered backoff, at least what it asked."""
        wait = self.backoff(retry_number)
        asked = getattr(error, "retry_after_ms", None)
        if isinstance(error, ApiError | HttpStatusError) and asked:
            floor = min(self.max_retry_after_s, asked / 1000.0)
            # Jitter on top of the server's wait spreads out callers that were told the same.
            wait = max(wait, floor + floor * 0.1 * float(self.jitter()))
        return wait


def is_retryable(error: HbrError, *, retried_once: Collection[str] = ()) -> bool:
    """Whether another attempt after ``error`` can succeed (module docstring).

    ``retried_once`` names the retry-once errors already retried (``SignatureNonceUsed``,
    ``refused``): a second one is final.
    """
    once = _retried_once_as(error)
    if once is not None:
        return once not in retried_once
    if isinstance(error, ApiError):
        return is_retryable_code(error.code, error.status_code)
    if isinstance(error, HttpStatusError):
        return error.status is not None and (error.status == 429 or error.status >= 500)
    if isinstance(error, ConnectError):
        return False
    return isinstance(error, RequestTimeoutError | ConnectionLostError)


def call_with_retries(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    clock: Clock | None = None,
    on_retryable_error: Callable[[HbrError], None] | None = None,
    on_attempt: Callable[[], None] | None = None,
) -> T:
    """Call ``fn`` until it succeeds, a non-retryable error occurs, or the budget runs out.

    ``on_attempt`` runs before every attempt (the rate limiter's hook) and
    ``on_retryable_error`` after every retryable failure (where throttling is reported).
    The last error is raised unchanged when the budget runs out.
    """
    clock = clock or SystemClock()
    started = clock.monotonic()
    retried_once: set[str] = set()
    attempt = 0
    while True:
        attempt += 1
        if on_attempt is not None:
            on_attempt()
        try:
            return fn()
        except HbrError as error:
            if not is_retryable(error, retried_once=retried_once):
                raise
            once = _retried_once_as(error)
            if once is not None:
                retried_once.add(once)
            if on_retryable_error is not None:
                on_retryable_error(error)
            if attempt >= policy.max_attempts:
                raise
            wait = policy.wait_for(error, attempt)
            if clock.monotonic() - started + wait > policy.deadline_s:
                raise
            clock.sleep(wait)
