"""ResourceManager ``ListAccounts`` (2020-03-31): the members of a Resource Directory.

As the official ``alibabacloud-resourcemanager20200331`` SDK sends it (``PageNumber`` and
``PageSize`` up to 100 in the query), and answered ``{"Accounts": {"Account": [...]},
"TotalCount", "PageNumber", "PageSize", "RequestId"}``: paged by the one engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from hbr_clients_provider.api.models import check_envelope, wire_count
from hbr_clients_provider.api.operations import Operation, PagingSpec
from hbr_clients_provider.errors import MalformedResponseError

__all__ = ["LIST_ACCOUNTS", "PRODUCT", "Account", "AccountsPage", "read_page"]

PRODUCT: Final = "resourcemanager"
ACTION: Final = "ListAccounts"
MAX_PAGE_SIZE: Final = 100

_NAMES: Final[Mapping[str, str]] = {"page_number": "PageNumber", "page_size": "PageSize"}


def encode(params: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """``page_number`` and ``page_size`` as the SDK sends them."""
    return {_NAMES[k]: str(v) for k, v in params.items() if v is not None}, {}


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


@attrs.frozen(kw_only=True)
class AccountsPage:
    """One validated ``ListAccounts`` answer."""

    request_id: str | None
    page_number: int
    total_count: int
    items: tuple[Account, ...]


def read_page(data: Mapping[str, Any], endpoint: str) -> AccountsPage:
    """Validate one answer (an error envelope is an ``ApiError``, a broken one malformed)."""
    rid = check_envelope(data, endpoint=endpoint)

    def malformed(problem: str) -> MalformedResponseError:
        return MalformedResponseError(problem, endpoint=endpoint, request_id=rid, operation=ACTION)

    total = wire_count(data.get("TotalCount"))
    if total is None:
        raise malformed(f"TotalCount is {repr(data.get('TotalCount'))[:40]}, not a count")
    wrapper = data.get("Accounts")
    items = wrapper.get("Account") if isinstance(wrapper, Mapping) else None
    if items is None and total == 0:
        items = []
    if not isinstance(items, list):
        raise malformed(f"Accounts.Account is missing or not an array while TotalCount is {total}")
    accounts: list[Account] = []
    for index, item in enumerate(items):
        account_id = item.get("AccountId") if isinstance(item, Mapping) else None
        if not isinstance(account_id, str) or not account_id.isdigit():
            raise malformed(f"Accounts.Account[{index}] has no AccountId of digits")
        accounts.append(
            Account(
                account_id=account_id,
                display_name=_str(item.get("DisplayName")),
                type=_str(item.get("Type")),
                status=_str(item.get("Status")),
                folder_id=_str(item.get("FolderId")),
                join_method=_str(item.get("JoinMethod")),
            )
        )
    return AccountsPage(
        request_id=rid,
        page_number=wire_count(data.get("PageNumber")) or 0,
        total_count=total,
        items=tuple(accounts),
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
