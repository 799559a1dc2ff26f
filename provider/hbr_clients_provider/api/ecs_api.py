"""ECS ``DescribeInstances`` (2014-05-26), the estate's inventory, as an ``Operation``.

The request follows the official ``alibabacloud-ecs20140526`` SDK: every parameter in the
query string, ``RegionId`` required, ``PageNumber`` from 1 and ``PageSize`` up to 100. The
inventory of a region is listed whole (no tag or ID filter on the wire): an audit tells an
orphan client (its instance is gone) from a client of an instance that is merely out of
scope only against the whole inventory, so the scope is applied afterwards.

An answer is ``{"Instances": {"Instance": [...]}, "TotalCount", "PageNumber", "PageSize",
"RequestId"}``; :func:`read_page` checks it as :func:`~.models.check_answer` checks HBR's
(an error envelope is an :class:`~hbr_clients_provider.errors.ApiError`, a missing
``TotalCount``, a missing list or an instance without ``InstanceId`` a
:class:`~hbr_clients_provider.errors.MalformedResponseError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from hbr_clients_provider.api.instances import EcsInstance
from hbr_clients_provider.api.models import check_envelope, wire_count
from hbr_clients_provider.api.operations import Operation, PagingSpec
from hbr_clients_provider.errors import MalformedResponseError

__all__ = ["DESCRIBE_INSTANCES", "MAX_PAGE_SIZE", "PRODUCT", "InstancesPage", "read_page"]

#: The product code of the endpoint rules (``ecs.<region>.aliyuncs.com``).
PRODUCT: Final = "ecs"
VERSION: Final = "2014-05-26"
ACTION: Final = "DescribeInstances"

#: The largest ``PageSize`` ``DescribeInstances`` accepts.
MAX_PAGE_SIZE: Final = 100

_QUERY_NAMES: Final[Mapping[str, str]] = {
    "region_id": "RegionId",
    "page_number": "PageNumber",
    "page_size": "PageSize",
}


def encode(params: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """``region_id``, ``page_number`` and ``page_size`` as the SDK sends them (all in the query)."""
    unknown = sorted(set(params) - set(_QUERY_NAMES))
    if unknown:
        msg = f"DescribeInstances takes no parameter {unknown[0]!r} here"
        raise ValueError(msg)
    return {_QUERY_NAMES[k]: str(v) for k, v in params.items() if v is not None}, {}


@attrs.frozen(kw_only=True)
class InstancesPage:
    """One validated ``DescribeInstances`` answer."""

    request_id: str | None
    page_number: int
    total_count: int
    items: tuple[EcsInstance, ...]


def read_page(data: Mapping[str, Any], endpoint: str) -> InstancesPage:
    """Validate one decoded answer and return its page (module docstring).

    :raises ApiError: an error envelope.
    :raises MalformedResponseError: an answer that is not a ``DescribeInstances`` page.
    """
    rid = check_envelope(data, endpoint=endpoint)

    def malformed(problem: str) -> MalformedResponseError:
        return MalformedResponseError(problem, endpoint=endpoint, request_id=rid, operation=ACTION)

    total = wire_count(data.get("TotalCount"))
    if total is None:
        shown = repr(data.get("TotalCount"))[:40]
        raise malformed(f"TotalCount is {shown}, not a non-negative integer")
    wrapper = data.get("Instances")
    items = wrapper.get("Instance") if isinstance(wrapper, Mapping) else None
    if items is None and total == 0:
        items = []
    if not isinstance(items, list):
        raise malformed(
            f"Instances.Instance is missing or not an array while TotalCount is {total}"
        )
    instances: list[EcsInstance] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("InstanceId"), str):
            raise malformed(f"Instances.Instance[{index}] has no InstanceId")
        if not item["InstanceId"]:
            raise malformed(f"Instances.Instance[{index}] has an empty InstanceId")
        instances.append(EcsInstance.from_wire(item))
    number = wire_count(data.get("PageNumber"))
    return InstancesPage(
        request_id=rid, page_number=number or 0, total_count=total, items=tuple(instances)
    )


def _instance_id(instance: EcsInstance) -> str:
    return instance.instance_id


#: ``DescribeInstances``: ``PageNumber``/``PageSize`` in, ``TotalCount``/``Instances.Instance`` out.
DESCRIBE_INSTANCES: Final = Operation(
    product=PRODUCT,
    version=VERSION,
    action=ACTION,
    encode=encode,
    paging=PagingSpec(
        page_number_param="page_number",
        page_size_param="page_size",
        max_page_size=MAX_PAGE_SIZE,
        read=read_page,
        key=_instance_id,
        noun="instance",
    ),
)
