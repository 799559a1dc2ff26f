"""The one module that spells ResourceManager's wire names: accounts and the ``ListAccounts`` page.

As ``alibabacloud_resourcemanager20200331``'s ``ListAccountsResponseBody`` reads it:
``{"RequestId", "TotalCount", "PageNumber", "PageSize", "Accounts": {"Account": [...]}}``,
each account with ``AccountId``, ``DisplayName``, ``Type``, ``Status``, ``FolderId``,
``JoinMethod``, ``JoinTime``, ``ModifyTime`` (RFC 3339 UTC), ``ResourceDirectoryId``,
``ResourceDirectoryPath`` (``<root folder>/[<folder>/]<account ID>``) and, with
``IncludeTags``, ``Tags {"Tag": [...]}``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from hbr_emulator.organisation import Member, Organisation

__all__ = ["TIME_FORMAT", "account_wire", "render_accounts"]

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Format of ``JoinTime`` and ``ModifyTime``."""


def account_wire(
    member: Member, organisation: Organisation, *, include_tags: bool = False
) -> dict[str, Any]:
    """Return ``member`` as ``ListAccounts`` renders it."""
    root = organisation.root_folder_id
    folder = member.folder_id or root
    path = (
        f"{root}/{member.account_id}" if folder == root else f"{root}/{folder}/{member.account_id}"
    )
    joined = time.strftime(TIME_FORMAT, time.gmtime(member.join_time))
    account: dict[str, Any] = {
        "AccountId": member.account_id,
        "DisplayName": member.display_name,
        "Type": member.type,
        "Status": member.status,
        "FolderId": folder,
        "JoinMethod": member.join_method,
        "JoinTime": joined,
        "ModifyTime": joined,
        "ResourceDirectoryId": organisation.resource_directory_id,
        "ResourceDirectoryPath": path,
    }
    if include_tags:
        account["Tags"] = {"Tag": []}
    return account


def render_accounts(
    *,
    request_id: str,
    total: int,
    page_number: int,
    page_size: int,
    accounts: Iterable[dict[str, Any]],
) -> bytes:
    """Render one ``ListAccounts`` page."""
    body = {
        "RequestId": request_id,
        "TotalCount": total,
        "PageNumber": page_number,
        "PageSize": page_size,
        "Accounts": {"Account": list(accounts)},
    }
    return json.dumps(body, separators=(",", ":")).encode()
