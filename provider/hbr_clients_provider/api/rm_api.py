"""ResourceManager ``ListAccounts`` (2020-03-31): the members of a Resource Directory.

As the official ``alibabacloud-resourcemanager20200331`` SDK sends it (``PageNumber`` and
``PageSize`` up to 100 in the query), and answered ``{"Accounts": {"Account": [...]},
"TotalCount", "PageNumber", "PageSize", "RequestId"}``: paged by the one engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from hbr_clients_provider.api.operations import Operation, PagingSpec
from hbr_clients_provider.api.pages import ItemProblem, ItemsPage, query_encoder, read_wrapped_page

__all__ = ["LIST_ACCOUNTS", "PRODUCT", "Account", "encode", "read_page"]

PRODUCT: Final = "resourcemanager"
ACTION: Final = "ListAccounts"
MAX_PAGE_SIZE: Final = 100

_NAMES: Final[Mapping[str, str]] = {"page_number": "PageNumber", "page_size": "PageSize"}


encode = query_encoder(ACTION, _NAMES)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@attrs.frozen(kw_only=True)
class Account:
    """One member account of the directory."""

    account_id: str
    display_name: str | None = None
    type: str | None = None
    status: str | None = None
    folder_id: str | None = None
    join_method: str | None = None


def _account(item: Any) -> Account:
    account_id = item.get("AccountId") if isinstance(item, Mapping) else None
    if not isinstance(account_id, str) or not account_id.isdigit():
        raise ItemProblem("has no AccountId of digits")
    return Account(
        account_id=account_id,
        display_name=_str(item.get("DisplayName")),
        type=_str(item.get("Type")),
        status=_str(item.get("Status")),
        folder_id=_str(item.get("FolderId")),
        join_method=_str(item.get("JoinMethod")),
    )


def read_page(data: Mapping[str, Any], endpoint: str) -> ItemsPage:
    """Validate one answer into a page of :class:`Account` (an error envelope is an
    ``ApiError``, a broken one malformed)."""
    return read_wrapped_page(
        data, endpoint, action=ACTION, wrapper="Accounts", element="Account", item=_account
    )


def _account_id(account: Account) -> str:
    return account.account_id


#: ``ListAccounts``: ``PageNumber``/``PageSize`` in, ``TotalCount``/``Accounts.Account`` out.
LIST_ACCOUNTS: Final = Operation(
    product=PRODUCT,
    version="2020-03-31",
    action=ACTION,
    encode=encode,
    paging=PagingSpec(
        page_number_param="page_number",
        page_size_param="page_size",
        max_page_size=MAX_PAGE_SIZE,
        read=read_page,
        key=_account_id,
        noun="account",
    ),
)
