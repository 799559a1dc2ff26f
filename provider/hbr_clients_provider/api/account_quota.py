"""The rate limits of one account's calls: one limiter per API and region, adapting together.

API quotas belong to an account: some to each (API, region) pair of it, some to the whole
account. :class:`AccountRateLimits` holds, for one account, an adaptive limiter per (API,
region) (:meth:`~AccountRateLimits.limiter`) and one for the account. At first only the
first kind paces the calls, so listings of different regions and APIs run side by side at
whatever each pair's quota grants. When throttling answers arrive for *different* pairs
within :attr:`~AccountQuotaSettings.window_s` of each other, the quota has turned out to be
the account's: from then on every call of the account also passes the account's limiter,
which lowers its rate to what the whole account was granted and honours a retry-after for
all of the account's listings at once, instead of each listing finding the limit on its own
(and spending a throttled call to learn it).

Another account's limits are another object: a throttled account never slows the others.

Worked example: an account with a 10 calls/s quota for all its calls lists 4 regions, ECS
and HBR each, 8 listings at 4 pages in flight. The first wave draws throttling answers on
several pairs at once, so the account's limiter engages at the rate the account was granted
in the last second (about 10/s) and every pair waits the retry-after the service gave. With
per-pair quotas, a single pair's throttling leaves the others alone.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable

import attrs

from hbr_clients_provider.api.ratelimit import AdaptiveRateLimiter, RateLimit
from hbr_clients_provider.api.retry import Clock, SystemClock

__all__ = ["AccountQuotaSettings", "AccountRateLimits", "PairLimiter"]

_ACCOUNT_LIMIT = RateLimit(
    burst=1,
    min_rate_per_s=0.1,
    increase_per_success=0.05,
    decrease_factor=0.8,
    granted_window_s=5.0,
)


@attrs.frozen(kw_only=True)
class AccountQuotaSettings:
    """How :class:`AccountRateLimits` paces one account (calls per second, seconds)."""

    pair: RateLimit = attrs.field(factory=RateLimit)
    #: An account's quota is shared by all of its listings: one call at a time (a burst
    #: would be throttled), a slow probe upwards and a gentle step down to what the account
    #: was granted over a few seconds, which may be below 1 call/s. A limiter that cannot go
    #: below the quota's exact rate has every other call throttled: the service's bucket
    #: holds one call, and arrivals a few milliseconds early find it empty.
    account: RateLimit = attrs.field(factory=lambda: _ACCOUNT_LIMIT)
    #: Throttling of two different pairs this close together means an account-wide quota.
    window_s: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))


class AccountRateLimits:
    """The limiters of one account's calls (module docstring); thread-safe."""

    def __init__(
        self,
        settings: AccountQuotaSettings | None = None,
        *,
        burst: int = 4,
        clock: Clock | None = None,
    ) -> None:
        """Limiters for one account; each (API, region) limiter allows ``burst`` at once."""
        self.settings = settings or AccountQuotaSettings()
        self.burst = burst
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._pairs: dict[Hashable, PairLimiter] = {}
        self._recent: deque[tuple[float, Hashable]] = deque()
        self.account = AdaptiveRateLimiter(self.settings.account, burst=burst, clock=self.clock)
        #: Whether the account's own limiter paces every call (the quota is the account's).
        self.account_wide = False

    def limiter(self, api: str, region: str) -> PairLimiter:
        """The limiter of ``api`` calls in ``region`` (the same object every time)."""
        key = (api, region)
        with self._lock:
            if key not in self._pairs:
                self._pairs[key] = PairLimiter(self, key)
            return self._pairs[key]

    def throttled(self, key: Hashable, retry_after_s: float | None) -> bool:
        """Record that the pair ``key`` was throttled; whether the account's quota it was.

        Once the quota is known to be the account's, the account's limiter takes the signal
        (it lowers the rate of every pair at once and holds them all for ``retry_after_s``).
        """
        now = self.clock.monotonic()
        with self._lock:
            while self._recent and self._recent[0][0] < now - self.settings.window_s:
                self._recent.popleft()
            self._recent.append((now, key))
            if not self.account_wide and len({pair for _, pair in self._recent}) >= 2:
                self.account_wide = True
            engaged = self.account_wide
        if engaged:
            self.account.on_throttled(retry_after_s)
        return engaged

    def succeeded(self) -> None:
        """Record a successful call of the account (the account's granted rate)."""
        self.account.on_success()


class PairLimiter(AdaptiveRateLimiter):
    """The limiter of one (API, region) pair of an account; see :class:`AccountRateLimits`."""

    def __init__(self, account: AccountRateLimits, key: Hashable) -> None:
        """The pair ``key`` of ``account``."""
        super().__init__(account.settings.pair, burst=account.burst, clock=account.clock)
        self._account = account
        self.key = key

    def acquire(self, *, deadline: float | None = None) -> bool:
        """Wait for the account's limiter (once engaged), then for this pair's."""
        if self._account.account_wide and not self._account.account.acquire(deadline=deadline):
            return False
        return super().acquire(deadline=deadline)

    def on_success(self) -> None:
        """Record a success for the pair and for the account."""
        super().on_success()
        self._account.succeeded()

    def on_throttled(self, retry_after_s: float | None = None) -> None:
        """Record throttling: the account's limiter adapts if the quota is the account's.

        Otherwise the pair's own limiter does. Lowering both would leave the pairs' rates
        summing to less than the account is granted once the throttling stops.
        """
        if self._account.throttled(self.key, retry_after_s):
            with self._lock:
                self.throttle_events += 1
            return
        super().on_throttled(retry_after_s)
