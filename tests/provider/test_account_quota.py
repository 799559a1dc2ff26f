"""An account's rate limits: pairs apart until the quota turns out to be the account's."""

from __future__ import annotations

from hbr_clients_provider.api.account_quota import AccountRateLimits
from tests.provider.test_retry import FakeClock


def test_pairs_start_apart_and_are_the_same_object_each_time() -> None:
    """One limiter per (API, region), handed out again on the next request for it."""
    limits = AccountRateLimits(burst=2, clock=FakeClock())
    assert limits.limiter("ecs", "cn-hangzhou") is limits.limiter("ecs", "cn-hangzhou")
    assert limits.limiter("ecs", "cn-hangzhou") is not limits.limiter("hbr", "cn-hangzhou")
    assert not limits.account_wide


def test_one_pair_throttled_slows_that_pair_only() -> None:
    """Throttling of one pair, however often, is that pair's quota: the others keep going."""
    clock = FakeClock()
    limits = AccountRateLimits(burst=2, clock=clock)
    busy, other = limits.limiter("ecs", "cn-hangzhou"), limits.limiter("hbr", "cn-hangzhou")
    for _ in range(3):
        busy.on_throttled(2.0)
        clock.now += 0.6
    assert not limits.account_wide
    assert busy.rate < busy.limit.max_rate_per_s
    start = clock.now
    assert other.acquire()
    assert other.acquire()
    assert clock.now == start  # no wait: the other pair's burst is untouched
    assert other.rate == other.limit.max_rate_per_s


def test_two_pairs_throttled_together_engage_the_account_limit() -> None:
    """Two pairs throttled within the window: every pair then waits the account's retry-after."""
    clock = FakeClock()
    limits = AccountRateLimits(burst=4, clock=clock)
    ecs, hbr = limits.limiter("ecs", "cn-hangzhou"), limits.limiter("hbr", "cn-shanghai")
    untouched = limits.limiter("ecs", "cn-beijing")
    for _ in range(10):  # the account was granted 10 calls in the last second
        untouched.on_success()
    ecs.on_throttled(1.5)
    assert not limits.account_wide
    clock.now += 0.2
    hbr.on_throttled(1.5)
    assert limits.account_wide
    assert limits.account.rate == 10.0  # what the account was granted, not half of 400
    # The pair that was never throttled now waits the retry-after too.
    start = clock.now
    assert untouched.acquire()
    assert clock.now - start >= 1.5
    # Later throttling lowers the account's rate, not the pair's own.
    before = hbr.rate
    clock.now += 1.0
    hbr.on_throttled(None)
    assert hbr.rate == before
    assert limits.account.decreases == 2


def test_throttling_far_apart_is_not_an_account_quota() -> None:
    """Two pairs throttled seconds apart are two pair quotas."""
    clock = FakeClock()
    limits = AccountRateLimits(burst=2, clock=clock)
    limits.limiter("ecs", "cn-hangzhou").on_throttled(None)
    clock.now += 3.0
    limits.limiter("hbr", "cn-hangzhou").on_throttled(None)
    assert not limits.account_wide


def test_an_engaged_account_limit_respects_the_deadline() -> None:
    """Waiting for the account's limiter never passes the caller's deadline."""
    clock = FakeClock()
    limits = AccountRateLimits(burst=1, clock=clock)
    limits.limiter("ecs", "a").on_throttled(5.0)
    limits.limiter("ecs", "b").on_throttled(5.0)
    assert not limits.limiter("hbr", "c").acquire(deadline=clock.now + 1.0)
    assert clock.now == 0.0
