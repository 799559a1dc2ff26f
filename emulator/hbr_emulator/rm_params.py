"""Validation of ResourceManager ``ListAccounts`` parameters into an :class:`AccountsQuery`.

As ``alibabacloud_resourcemanager20200331``'s ``ListAccountsRequest`` documents them:
``PageNumber`` (from 1, default 1), ``PageSize`` (1-100, default 10), ``IncludeTags``
(``true``/``false``), ``Tag.N.Key``/``Tag.N.Value``. Outside those: 400 ``InvalidParameter``.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from hbr_emulator.exceptions import InvalidParameter
from hbr_emulator.params import MAX_PAGE_NUMBER, integer_param, parse_tags

__all__ = ["MAX_PAGE_SIZE", "AccountsQuery", "parse_list_accounts"]

MAX_PAGE_SIZE = 100
"""Largest ``PageSize``."""


@attrs.frozen(kw_only=True)
class AccountsQuery:
    """A validated ``ListAccounts`` request."""

    page_number: int = 1
    page_size: int = 10
    include_tags: bool = False
    tags: tuple[tuple[str, str | None], ...] = ()


def _boolean(params: Mapping[str, str], name: str) -> bool:
    raw = (params.get(name) or "false").lower()
    if raw not in {"true", "false"}:
        msg = f"The parameter {name} must be true or false, got {params.get(name)!r}."
        raise InvalidParameter(msg)
    return raw == "true"


def parse_list_accounts(params: Mapping[str, str]) -> AccountsQuery:
    """Validate the parameters of a ``ListAccounts`` call; ``InvalidParameter`` if one is bad."""
    return AccountsQuery(
        page_number=integer_param(params, "PageNumber", 1, 1, MAX_PAGE_NUMBER),
        page_size=integer_param(params, "PageSize", 10, 1, MAX_PAGE_SIZE),
        include_tags=_boolean(params, "IncludeTags"),
        tags=parse_tags(params),
    )
