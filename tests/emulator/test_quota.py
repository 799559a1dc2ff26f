"""The API quota of benchmarks: a token bucket per region and API, or one per account."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from alibabacloud_tea_openapi.exceptions import ThrottlingException

from hbr_emulator import Emulator, Estate, Quota
from hbr_emulator.quota import TokenBuckets

from .helpers import describe_instances, ecs_client, hbr_via_host, raw_call

Factory = Callable[..., Emulator]
SMALL = Estate(
    regions=("cn-hangzhou", "cn-shanghai"),
    instances_per_region=5,
    uncovered_per_region=1,
    stopped_per_region=1,
)


def _ecs(emu: Emulator, region: str) -> tuple[int, dict[str, Any]]:
    status, _, body = raw_call(
        emu.endpoint,
        action="DescribeInstances",
        version="2014-05-26",
        query={"RegionId": region},
    )
    return status, body


def _code(result: tuple[int, dict[str, Any]]) -> tuple[int, str]:
    status, body = result
    return status, str(body.get("Code", "200"))


# The quotas below refill one call every 2 s: the calls a test expects to be throttled then
# meet an empty bucket however slowly a loaded machine makes them.


def test_target_api_quota_is_per_region_and_api(emulator_factory: Factory) -> None:
    """Past its one call, one region's API throttles; another region or API does not."""
    emu = emulator_factory(estate=SMALL, quota_per_s=0.5)
    first = [_code(_ecs(emu, "cn-hangzhou")) for _ in range(2)]
    assert first == [(200, "200"), (400, "Throttling.User")]
    assert _code(_ecs(emu, "cn-shanghai")) == (200, "200")
    assert _code(hbr_via_host(emu.endpoint, "hbr.cn-hangzhou.aliyuncs.com")) == (200, "200")
    throttled = [e for e in emu.backend.request_log() if e["status"] == 400]
    assert [(e["product"], e["region"], e["code"]) for e in throttled] == [
        ("ecs", "cn-hangzhou", "Throttling.User")
    ]


def test_account_quota_is_shared_by_every_call(emulator_factory: Factory) -> None:
    """With scope ``account`` HBR and ECS calls in any region draw from one bucket."""
    emu = emulator_factory(estate=SMALL, quota_per_s=0.5, quota_scope="account")
    results = [
        _code(_ecs(emu, "cn-hangzhou")),
        _code(hbr_via_host(emu.endpoint, "hbr.cn-shanghai.aliyuncs.com")),
        _code(_ecs(emu, "cn-shanghai")),
    ]
    assert results == [(200, "200")] + [(400, "Throttling.User")] * 2


def test_quota_limits_the_rate(emulator_factory: Factory) -> None:
    """Calling flat out for 0.6 s at a quota of 10/s passes the burst of 10 plus 10 per second."""
    emu = emulator_factory(fleet=5, seed=1, quota_per_s=10)
    passed = calls = 0
    started = time.monotonic()
    while time.monotonic() - started < 0.6:
        status, _ = _ecs(emu, "cn-hangzhou")
        passed += status == 200
        calls += 1
    allowed = 10 + 10 * (time.monotonic() - started)
    # A loaded machine may make fewer calls than the quota allows: then every one passes.
    assert min(calls, allowed - 2) <= passed <= allowed + 1


def test_quota_refills(emulator_factory: Factory) -> None:
    """A throttled API passes again once a token is back (1/rate seconds)."""
    emu = emulator_factory(fleet=5, seed=1, quota_per_s=0.5)
    codes = [_code(_ecs(emu, "cn-hangzhou"))[1] for _ in range(2)]
    assert codes == ["200", "Throttling.User"]
    time.sleep(2.05)
    assert _code(_ecs(emu, "cn-hangzhou")) == (200, "200")


def test_quota_seen_by_the_sdk(emulator_factory: Factory) -> None:
    """The official ECS SDK turns a call over quota into a ``ThrottlingException``."""
    emu = emulator_factory(estate=SMALL, quota_per_s=0.5)
    client = ecs_client(emu.endpoint)
    describe_instances(client, region_id="cn-shanghai")
    with pytest.raises(ThrottlingException) as caught:
        describe_instances(client, region_id="cn-shanghai")
    assert (caught.value.code, caught.value.status_code) == ("Throttling.User", 400)
    assert 0 < caught.value.retry_after <= 2000


def test_quota_from_the_estate_or_the_emulator(emulator_factory: Factory) -> None:
    """The estate's quota applies; the emulator's keyword overrides it; reset refills it."""
    estate = Estate(regions=("cn-hangzhou",), instances_per_region=3, uncovered_per_region=0)
    limited = emulator_factory(estate=attrs.evolve(estate, quota_per_s=0.5))
    assert limited.cloud.gateway.quota == Quota(per_s=0.5, scope="target_api")
    assert [_code(_ecs(limited, "cn-hangzhou"))[0] for _ in range(2)] == [200, 400]
    limited.cloud.reset()
    assert _code(_ecs(limited, "cn-hangzhou"))[0] == 200
    overridden = emulator_factory(estate=attrs.evolve(estate, quota_per_s=0.5), quota_per_s=50)
    assert overridden.cloud.gateway.quota == Quota(per_s=50, scope="target_api")


@pytest.mark.parametrize(
    "kwargs", [{"quota_per_s": 0}, {"quota_per_s": -1}, {"quota_per_s": 1, "quota_scope": "x"}]
)
def test_bad_quota_is_refused(kwargs: dict[str, Any]) -> None:
    """A quota of no calls, or an unknown scope, is a ``ValueError``."""
    with pytest.raises(ValueError, match=r"per_s|scope"):
        Emulator(fleet=1, **kwargs)


class TestTokenBuckets:
    """The bucket arithmetic, with an explicit clock."""

    def test_burst_then_refill(self) -> None:
        """A bucket of rate 2 passes 2 at once, then one per half second."""
        buckets = TokenBuckets(2)
        assert [buckets.take("k", now=0.0) for _ in range(3)] == [True, True, False]
        assert buckets.wait("k", now=0.25) == pytest.approx(0.25)
        assert buckets.take("k", now=0.5)
        assert buckets.take("other", now=0.5)

    def test_quota_keys(self) -> None:
        """``target_api`` keys by region, product and action; ``account`` has one key."""
        per_api = Quota(per_s=1)
        account = Quota(per_s=1, scope="account")
        a = {"region": "cn-hangzhou", "product": "ecs", "action": "DescribeInstances"}
        b = {**a, "region": "cn-shanghai"}
        assert per_api.key(**a) != per_api.key(**b)
        assert account.key(**a) == account.key(**b)
