"""Flow control: token buckets, and the API quota of a benchmark (:class:`Quota`).

One :class:`TokenBuckets` serves both limits the emulator knows: ``Faults.qps`` (a bucket
per AccessKey ID) and a :class:`Quota` (a bucket per region and API, or one for the whole
account). A bucket holds at most ``max(1, rate)`` calls and refills at ``rate`` per second,
so a burst of ``rate`` calls passes at once and the next waits ``1 / rate`` seconds.
Worked example, ``rate=2``: calls at t=0, 0, 0 → pass, pass, throttled; at t=0.5 one
token is back → pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Any, Literal

import attrs

QuotaScope = Literal["target_api", "account"]
"""``target_api``: a bucket per (region, product, action); ``account``: one bucket."""

QUOTA_SCOPES: tuple[QuotaScope, ...] = ("target_api", "account")
"""The scopes :class:`Quota` accepts."""


class TokenBuckets:
    """Token buckets by key, all with the same rate; thread-safe."""

    def __init__(self, rate: float) -> None:
        """Buckets that refill at ``rate`` tokens per second and hold ``max(1, rate)``."""
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._lock = threading.Lock()
        self._buckets: dict[Hashable, tuple[float, float]] = {}

    def take(self, key: Hashable, *, now: float | None = None) -> bool:
        """Take one token from ``key``'s bucket (full at first); False when it is empty."""
        return self.wait(key, now=now) == 0.0

    def wait(self, key: Hashable, *, now: float | None = None) -> float:
        """Take one token from ``key``'s bucket: 0.0, or the seconds until one is back."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, moment))
            tokens = min(self.capacity, tokens + (moment - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, moment)
                return (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens - 1.0, moment)
            return 0.0

    def clear(self) -> None:
        """Refill every bucket."""
        with self._lock:
            self._buckets.clear()


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        msg = f"{attribute.name} must be > 0, got {value!r}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Quota:
    """An API rate quota: ``per_s`` calls per second per ``scope``; excess calls are throttled.

    The answer to a call over quota is the service's flow-control error, 400
    ``Throttling.User``, like ``Faults.qps``, with ``x-acs-retry-after`` set to the
    milliseconds until the bucket holds a token again.
    """

    per_s: float = attrs.field(validator=_positive)
    scope: QuotaScope = attrs.field(
        default="target_api", validator=attrs.validators.in_(QUOTA_SCOPES)
    )

    def key(self, *, region: str, product: str, action: str) -> Hashable:
        """Return the bucket a call of ``product``'s ``action`` in ``region`` draws from."""
        if self.scope == "account":
            return "account"
        return (region, product, action)
