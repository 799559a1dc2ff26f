"""What most Alibaba Cloud listings share: query-string parameters and wrapped item lists.

ECS ``DescribeInstances`` answers ``{"Instances": {"Instance": [...]}}`` and ResourceManager
``ListAccounts`` ``{"Accounts": {"Account": [...]}}``, each beside ``TotalCount``,
``PageNumber`` and ``RequestId``; their official SDKs send every parameter in the query
string. :func:`query_encoder` and :func:`read_wrapped_page` are those two rules, once, so an
API's module only names its wrapper, its element and how one item is read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from hbr_clients_provider.api.models import check_envelope, wire_count
from hbr_clients_provider.errors import MalformedResponseError

__all__ = [
    "Encoder",
    "ItemProblem",
    "ItemReader",
    "ItemsPage",
    "query_encoder",
    "read_wrapped_page",
]

Encoder = Callable[[Mapping[str, Any]], tuple[dict[str, str], dict[str, Any]]]

#: Reads one raw item into its model, or raises :class:`ItemProblem`.
ItemReader = Callable[[Any], Any]


def query_encoder(action: str, names: Mapping[str, str]) -> Encoder:
    """An ``encode`` that puts the snake_case ``names`` in the query under their wire names.

    A parameter outside ``names`` is a bug of the caller: :class:`ValueError`.
    """

    def encode(params: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
        unknown = sorted(set(params) - set(names))
        if unknown:
            msg = f"{action} takes no parameter {unknown[0]!r} here"
            raise ValueError(msg)
        return {names[k]: str(v) for k, v in params.items() if v is not None}, {}

    return encode


@attrs.frozen(kw_only=True)
class ItemsPage:
    """One validated page of a wrapped listing (:class:`~.operations.Page`)."""

    request_id: str | None
    page_number: int
    total_count: int
    items: tuple[Any, ...]


class ItemProblem(ValueError):  # noqa: N818 - what an ItemReader raises: the item's problem
    """An item that is not what the API promises; the message says what is wrong."""


def read_wrapped_page(
    data: Mapping[str, Any],
    endpoint: str,
    *,
    action: str,
    wrapper: str,
    element: str,
    item: ItemReader,
) -> ItemsPage:
    """Validate ``{wrapper: {element: [...]}, "TotalCount", ...}`` into an :class:`ItemsPage`.

    :raises ApiError: an error envelope.
    :raises MalformedResponseError: no count, no list, or an item ``item`` refuses
        (:class:`ItemProblem`), named as ``Wrapper.Element[index]``.
    """
    rid = check_envelope(data, endpoint=endpoint)

    def malformed(problem: str) -> MalformedResponseError:
        return MalformedResponseError(problem, endpoint=endpoint, request_id=rid, operation=action)

    total = wire_count(data.get("TotalCount"))
    if total is None:
        shown = repr(data.get("TotalCount"))[:40]
        raise malformed(f"TotalCount is {shown}, not a non-negative integer")
    box = data.get(wrapper)
    raw = box.get(element) if isinstance(box, Mapping) else None
    if raw is None and total == 0:
        raw = []
    if not isinstance(raw, list):
        problem = f"{wrapper}.{element} is missing or not an array while TotalCount is {total}"
        raise malformed(problem)
    items = []
    for index, value in enumerate(raw):
        try:
            items.append(item(value))
        except ItemProblem as problem:
            raise malformed(f"{wrapper}.{element}[{index}] {problem}") from None
    return ItemsPage(
        request_id=rid,
        page_number=wire_count(data.get("PageNumber")) or 0,
        total_count=total,
        items=tuple(items),
    )
