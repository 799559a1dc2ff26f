"""Fault knobs (:class:`Faults`) and the deterministic injector that applies them."""

from __future__ import annotations

import random
import threading
from typing import Any

import attrs

from hbr_emulator.exceptions import (
    HbrApiError,
    InjectedError,
    InternalError,
    ServiceUnavailable,
    Throttling,
)
from hbr_emulator.quota import TokenBuckets


def _rate(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        msg = f"{attribute.name} must be between 0 and 1, got {value!r}"
        raise ValueError(msg)


def _fail_next(value: object) -> tuple[tuple[str, int], ...]:
    items = value if isinstance(value, list | tuple) else ()
    return tuple((str(code), int(status)) for code, status in items)


@attrs.frozen(kw_only=True)
class Faults:
    """What goes wrong, and how often, on authenticated API calls.

    Every random choice is drawn from a generator seeded by the emulator's seed
    and re-seeded by each :meth:`HbrBackend.set_faults`, so a sequential client
    sees the same faults on every run.
    """

    latency_ms: float = attrs.field(default=0, validator=attrs.validators.ge(0))
    latency_jitter_ms: float = attrs.field(default=0, validator=attrs.validators.ge(0))
    qps: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )
    retry_after_ms: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )
    error_rate: float = attrs.field(default=0.0, validator=_rate)
    reset_rate: float = attrs.field(default=0.0, validator=_rate)
    slow_response_ms: float = attrs.field(default=0, validator=attrs.validators.ge(0))
    slow_rate: float = attrs.field(default=0.0, validator=_rate)
    mutate_after_pages: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1))
    )
    fail_next: tuple[tuple[str, int], ...] = attrs.field(default=(), converter=_fail_next)


@attrs.frozen(kw_only=True)
class Decision:
    """What the injector decided for one call: a delay, a reset, or an error."""

    delay_s: float = 0.0
    reset: bool = False
    error: HbrApiError | None = None
    retry_after_ms: int | None = None


class FaultInjector:
    """Applies a :class:`Faults` to a stream of calls, deterministically given the seed."""

    def __init__(self, faults: Faults, *, seed: int) -> None:
        """Start injecting ``faults`` with a generator seeded from ``seed``."""
        self._lock = threading.Lock()
        self._seed = seed
        self.faults = faults
        self._rng = random.Random(seed * 1_000_003 + 17)  # noqa: S311  # not cryptographic
        self._pending = list(faults.fail_next)
        # A bucket per access key (see hbr_emulator.quota): a burst of `qps` calls passes.
        self._buckets = TokenBuckets(faults.qps) if faults.qps is not None else None
        self.pages_served = 0
        self.mutated = False

    def decide(self, access_key_id: str) -> Decision:
        """Decide the fate of one authenticated call made with ``access_key_id``."""
        f = self.faults
        with self._lock:
            # Draw the same number of values on every call, so that the n-th call's
            # fate depends only on the seed and n, not on which knobs are on.
            r_jitter, r_slow, r_reset, r_error, r_kind = (self._rng.random() for _ in range(5))
            delay = (f.latency_ms + r_jitter * f.latency_jitter_ms) / 1000.0
            if r_slow < f.slow_rate:
                delay += f.slow_response_ms / 1000.0
            if self._pending:
                code, status = self._pending.pop(0)
                return Decision(delay_s=delay, error=InjectedError(code, status))
            if self._buckets is not None and not self._buckets.take(access_key_id):
                return Decision(delay_s=delay, error=Throttling(), retry_after_ms=f.retry_after_ms)
            if r_reset < f.reset_rate:
                return Decision(delay_s=delay, reset=True)
            if r_error < f.error_rate:
                error: HbrApiError = InternalError() if r_kind < 0.5 else ServiceUnavailable()
                return Decision(delay_s=delay, error=error)
            return Decision(delay_s=delay)

    def page_served(self) -> bool:
        """Count one successful list page; return True when the fleet should change now."""
        with self._lock:
            self.pages_served += 1
            limit = self.faults.mutate_after_pages
            if limit is None or self.mutated or self.pages_served < limit:
                return False
            self.mutated = True
            return True

    def mutation_rng(self) -> random.Random:
        """Return the generator that picks how the fleet changes."""
        return self._rng
