"""The APIs this package calls, as data: :class:`Operation` and :class:`PagingSpec`.

One transport (:class:`~.transport.Transport`) sends any :class:`Operation` and one paging
engine (:class:`~.paging.Pager`) runs any :class:`PagingSpec`, in the manner of botocore,
which describes each service in data and runs every paginator with one engine. What differs
between APIs is here, and only here: the product (for the endpoint), the version and action,
how snake_case parameters go on the wire, where a page keeps its items and total, and what
identifies an item.

HBR ``DescribeBackupClients`` answers ``{"Clients": [...]}``; ECS ``DescribeInstances``
answers ``{"Instances": {"Instance": [...]}}``: that difference is :attr:`PagingSpec.read`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

__all__ = ["Operation", "Page", "PagingSpec"]


class Page(Protocol):
    """What the paging engine reads of one validated page, whatever the API."""

    @property
    def request_id(self) -> str | None:
        """The answer's ``RequestId``."""

    @property
    def page_number(self) -> int:
        """The page number the answer echoes (0: it echoes none)."""

    @property
    def total_count(self) -> int:
        """The ``TotalCount`` the answer reports."""

    @property
    def items(self) -> Sequence[Any]:
        """The page's items, in API order."""


@attrs.frozen(kw_only=True)
class PagingSpec:
    """How an operation pages, as data: which parameters the engine sets and what it reads.

    ``read(answer, endpoint)`` validates one decoded answer and returns its :class:`Page`
    (raising :class:`~hbr_clients_provider.errors.ApiError` or
    :class:`~hbr_clients_provider.errors.MalformedResponseError`); ``key(item)`` is the ID
    that must not appear twice in one listing; ``noun`` names the items in messages.
    """

    page_number_param: str
    page_size_param: str
    max_page_size: int
    read: Callable[[Mapping[str, Any], str], Page]
    key: Callable[[Any], str]
    noun: str
    first_page: int = 1


@attrs.frozen(kw_only=True)
class Operation:
    """One API action: its product, version and name, its wire encoding, and its paging.

    ``encode(params)`` turns snake_case parameters into the ``(query, body)`` maps that
    ``tea-openapi``'s ``call_api`` sends; ``paging`` is ``None`` for an action that does not
    page.
    """

    product: str
    version: str
    action: str
    encode: Callable[[Mapping[str, Any]], tuple[dict[str, str], dict[str, Any]]]
    paging: PagingSpec | None = None

    @property
    def name(self) -> str:
        """``product:Action``, for messages and rate-limit keys."""
        return f"{self.product}:{self.action}"
