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

from hbr_clients_provider.api.instances import EcsInstance
from hbr_clients_provider.api.operations import Operation, PagingSpec
from hbr_clients_provider.api.pages import ItemProblem, ItemsPage, query_encoder, read_wrapped_page

__all__ = ["DESCRIBE_INSTANCES", "MAX_PAGE_SIZE", "PRODUCT", "encode", "read_page"]

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


encode = query_encoder(ACTION, _QUERY_NAMES)


def _instance(item: Any) -> EcsInstance:
    # ``type(...) is dict`` first: the decoder's objects are dicts, and the ABC check is slow.
    if not (type(item) is dict or isinstance(item, Mapping)) or not isinstance(
        item.get("InstanceId"), str
    ):
        raise ItemProblem("has no InstanceId")
    if not item["InstanceId"]:
        raise ItemProblem("has an empty InstanceId")
    return EcsInstance.from_wire(item)


def read_page(data: Mapping[str, Any], endpoint: str) -> ItemsPage:
    """Validate one decoded answer and return its page of :class:`EcsInstance` (module docstring).

    :raises ApiError: an error envelope.
    :raises MalformedResponseError: an answer that is not a ``DescribeInstances`` page.
    """
    return read_wrapped_page(
        data, endpoint, action=ACTION, wrapper="Instances", element="Instance", item=_instance
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
