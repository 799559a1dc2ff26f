"""Which regions HBR is offered in, and each region's endpoint, as the official SDKs say.

A region is checked before anything is listed, even when an endpoint is given: a misspelt
``--region cn-hangzou`` would otherwise be sent along (or ignored) and a gate would judge a
region nobody meant. The check does not trust a list of this project's own that goes stale
(a new region must not be refused):

1. a region of :data:`PUBLISHED_REGIONS` (the official SDKs' endpoint maps) is accepted
   without a request;
2. any other region is looked up with HBR's own ``DescribeRegions`` at the endpoint the
   listing will use; a region it does not list is refused with the closest names
   (:class:`~hbr_clients_provider.errors.InvalidQuery`, field ``region``);
3. when ``DescribeRegions`` cannot be asked (an API, network or permission error), an
   unpublished region is refused too, saying why, rather than trusted.

Endpoints follow the official Python SDK (``alibabacloud-hbr20170908``'s ``_endpoint_map``
and its ``regional`` rule): the regions of :data:`SHARED_ENDPOINT_REGIONS` use the central
``hbr.aliyuncs.com``; every other region ``hbr.<region>.aliyuncs.com``, or
``hbr-vpc.<region>.aliyuncs.com`` on the VPC network. Where the official maps disagree (the
legacy Python map sends ``cn-wulanchabu`` to ``hbr.aliyuncs.com``), the current SDK wins.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from difflib import get_close_matches
from typing import Any, Final

from hbr_clients_provider.api import endpoints
from hbr_clients_provider.api.models import check_envelope
from hbr_clients_provider.errors import HbrError, InvalidQuery, MalformedResponseError, Violation

__all__ = [
    "PUBLISHED_REGIONS",
    "SHARED_ENDPOINT",
    "SHARED_ENDPOINT_REGIONS",
    "check_region",
    "endpoint_for",
    "offered_regions",
    "region_problem",
    "suggest",
]

#: The central endpoint that the special regions share.
SHARED_ENDPOINT: Final = "hbr.aliyuncs.com"

#: Regions with a regional ``hbr.<region>.aliyuncs.com`` endpoint in the official SDKs' maps.
PUBLISHED_REGIONS: Final[frozenset[str]] = frozenset(
    [
        "cn-hangzhou",
        "cn-shanghai",
        "cn-beijing",
        "cn-qingdao",
        "cn-zhangjiakou",
        "cn-huhehaote",
        "cn-wulanchabu",
        "cn-shenzhen",
        "cn-heyuan",
        "cn-guangzhou",
        "cn-chengdu",
        "cn-hongkong",
        "cn-zhongwei",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-southeast-1",
        "ap-southeast-3",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ap-southeast-8",
        "us-east-1",
        "us-west-1",
        "us-southeast-1",
        "na-south-1",
        "eu-central-1",
        "eu-west-1",
        "me-east-1",
        "me-central-1",
        "cn-shanghai-finance-1",
        "cn-beijing-finance-1",
        "cn-shenzhen-finance-1",
        "cn-hangzhou-finance",
    ]
)

#: Regions that ``alibabacloud-hbr20170908``'s ``_endpoint_map`` sends to :data:`SHARED_ENDPOINT`.
SHARED_ENDPOINT_REGIONS: Final[frozenset[str]] = frozenset(
    region for region, host in endpoints.ENDPOINT_MAPS["hbr"].items() if host == SHARED_ENDPOINT
)

_REGION_SHAPE = re.compile(r"[a-z]{2,4}(?:-[a-z0-9]+){1,5}")
_SHAPE_RULE = "must be a region ID such as cn-hangzhou (lowercase letters, digits and '-')"

#: ``DescribeRegions`` answers, per endpoint, for the life of the process.
_ASKED: dict[str, frozenset[str]] = {}
_ASKED_LOCK = threading.Lock()


def offered_regions(data: Any, *, endpoint: str = "") -> frozenset[str]:
    """The region IDs of a ``DescribeRegions`` answer (``{"Regions": {"Region": [...]}}``).

    :raises ApiError: when the answer reports a failure.
    :raises MalformedResponseError: when it lists no region, or not in that shape.
    """
    request_id = check_envelope(data, endpoint=endpoint)
    regions = data.get("Regions")
    items = regions.get("Region") if isinstance(regions, Mapping) else None
    ids = (
        [item.get("RegionId") for item in items if isinstance(item, Mapping)]
        if isinstance(items, list)
        else []
    )
    offered = frozenset(i for i in ids if isinstance(i, str) and i)
    if not offered or len(offered) != len(ids):
        msg = "the DescribeRegions answer has no Regions.Region list of RegionId strings"
        raise MalformedResponseError(msg, endpoint=endpoint, request_id=request_id)
    return offered


def region_problem(region: str) -> str | None:
    """Why ``region`` cannot be a region ID at all, or ``None`` when its shape is right."""
    if not _REGION_SHAPE.fullmatch(region):
        return _SHAPE_RULE
    return None


def endpoint_for(region: str, *, network: str = "public") -> str:
    """The HBR endpoint of ``region`` on ``network`` (``public`` or ``vpc``), per the SDK."""
    return endpoints.endpoint_for("hbr", region, network=network)


def suggest(region: str, known: Iterable[str]) -> str:
    """``" (did you mean cn-hangzhou?)"`` for the closest of ``known``, or ``""``."""
    matches = get_close_matches(region, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean {matches[0]}?)" if matches else ""


def _refuse(region: str, rule: str, field: str) -> InvalidQuery:
    return InvalidQuery((Violation(field=field, rule=rule, value=region),))


def check_region(
    region: str,
    *,
    endpoint: str,
    describe_regions: Callable[[], Iterable[str]],
    field: str = "region",
) -> None:
    """Accept ``region`` or raise :class:`InvalidQuery` naming ``field`` (module docstring).

    ``describe_regions`` asks HBR's ``DescribeRegions`` at ``endpoint``; it is called only for
    a region outside :data:`PUBLISHED_REGIONS`, and its answer is kept per endpoint.
    """
    problem = region_problem(region)
    if problem is not None:
        raise _refuse(region, problem, field)
    if region in PUBLISHED_REGIONS or region in SHARED_ENDPOINT_REGIONS:
        return
    with _ASKED_LOCK:
        offered = _ASKED.get(endpoint)
    if offered is None:
        try:
            offered = frozenset(describe_regions())
        except HbrError as error:
            rule = (
                "is not a published HBR region, and DescribeRegions could not confirm it "
                f"({type(error).__name__}: {error}); check the region, or grant "
                f"hbr:DescribeRegions{suggest(region, PUBLISHED_REGIONS)}"
            )
            raise _refuse(region, rule, field) from None
        with _ASKED_LOCK:
            _ASKED[endpoint] = offered
    if region not in offered:
        rule = (
            f"is not a region HBR offers{suggest(region, offered | PUBLISHED_REGIONS)}: only "
            f"DescribeRegions was asked, and at {endpoint} it lists {len(offered)} regions"
        )
        raise _refuse(region, rule, field)
