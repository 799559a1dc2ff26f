"""ResourceManager ``ListAccounts`` (2020-03-31), proven with the official SDK.

``alibabacloud_resourcemanager20200331`` resolves ``resourcemanager.aliyuncs.com`` (its
endpoint rule is ``central``); pointed at the emulator's address, version 2020-03-31
routes to ResourceManager. Raw requests send the real host name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_tea_openapi.exceptions import ClientException

from hbr_emulator import Emulator

from .conftest import ORGANISATION
from .helpers import assume_role, list_accounts, raw_call, rm_client, session_config, sts_client

Factory = Callable[..., Emulator]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _error(call: Callable[[], object]) -> tuple[str, int]:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value.code, caught.value.status_code


def _all_accounts(
    client: Any, page_size: int
) -> list[rm_models.ListAccountsResponseBodyAccountsAccount]:
    accounts: list[rm_models.ListAccountsResponseBodyAccountsAccount] = []
    page = 1
    while True:
        body = list_accounts(client, page_number=page, page_size=page_size)
        accounts.extend(body.accounts.account)
        if not body.accounts.account or len(accounts) >= body.total_count:
            return accounts
        page += 1


class TestListAccounts:
    """The management account pages through the members, as the SDK's model reads them."""

    def test_list_accounts_pages_every_member(self, organisation_emulator: Emulator) -> None:
        """Pages of 2 list each member once, in order; the management account is not listed."""
        client = rm_client(organisation_emulator.endpoint)
        accounts = _all_accounts(client, page_size=2)
        assert [a.account_id for a in accounts] == [m.account_id for m in ORGANISATION.members]
        first = list_accounts(client, page_number=2, page_size=2)
        assert (first.total_count, first.page_number, first.page_size) == (5, 2, 2)
        assert len(first.accounts.account) == 2

    def test_account_fields(self, organisation_emulator: Emulator) -> None:
        """Each account has its type, status, join method and time, folder and directory."""
        accounts = _all_accounts(rm_client(organisation_emulator.endpoint), page_size=10)
        root = ORGANISATION.root_folder_id
        for account, member in zip(accounts, ORGANISATION.members, strict=True):
            assert account.display_name == member.display_name
            assert (account.type, account.status) == (member.type, member.status)
            assert account.join_method == (
                "created" if member.type == "ResourceAccount" else "invited"
            )
            assert RFC3339.match(account.join_time)
            assert RFC3339.match(account.modify_time)
            assert account.folder_id == root
            assert account.resource_directory_id == ORGANISATION.resource_directory_id
            assert account.resource_directory_path == f"{root}/{member.account_id}"
            assert account.tags is None
        assert [a.type for a in accounts] == [
            "ResourceAccount",
            "ResourceAccount",
            "ResourceAccount",
            "CloudAccount",
            "ResourceAccount",
        ]
        assert accounts[-1].status == "Removed"

    def test_default_page_and_past_the_end(self, organisation_emulator: Emulator) -> None:
        """Without paging: page 1 of 10; past the end: no account, the full total."""
        client = rm_client(organisation_emulator.endpoint)
        body = list_accounts(client)
        assert (body.page_number, body.page_size, len(body.accounts.account)) == (1, 10, 5)
        past = list_accounts(client, page_number=4, page_size=2)
        assert (past.total_count, past.accounts.account) == (5, [])

    def test_include_tags(self, organisation_emulator: Emulator) -> None:
        """``IncludeTags`` adds each account's (empty) tags; a tag filter matches no member."""
        client = rm_client(organisation_emulator.endpoint)
        body = list_accounts(client, include_tags=True, page_size=1)
        assert body.accounts.account[0].tags.tag == []
        tagged = list_accounts(
            client, tag=[rm_models.ListAccountsRequestTag(key="env", value="prod")]
        )
        assert (tagged.total_count, tagged.accounts.account) == (0, [])

    @pytest.mark.parametrize("kwargs", [{"page_size": 0}, {"page_size": 101}, {"page_number": 0}])
    def test_bad_paging(self, organisation_emulator: Emulator, kwargs: dict[str, int]) -> None:
        """``PageSize`` outside 1-100 or ``PageNumber`` below 1: 400 ``InvalidParameter``."""
        client = rm_client(organisation_emulator.endpoint)
        assert _error(lambda: list_accounts(client, **kwargs)) == ("InvalidParameter", 400)

    def test_management_account_listed_when_asked(self, emulator_factory: Factory) -> None:
        """``list_management_account=True`` lists the management account first."""
        emu = emulator_factory(
            organisation=attrs.evolve(ORGANISATION, list_management_account=True)
        )
        body = list_accounts(rm_client(emu.endpoint), page_size=100)
        first = body.accounts.account[0]
        assert body.total_count == 6
        assert (first.account_id, first.type, first.display_name) == (
            ORGANISATION.management_account_id,
            "CloudAccount",
            "management",
        )

    def test_real_host_name(self, organisation_emulator: Emulator) -> None:
        """``Host: resourcemanager.aliyuncs.com`` reaches ResourceManager, signed for it."""
        status, _, body = raw_call(
            organisation_emulator.endpoint,
            host="resourcemanager.aliyuncs.com",
            action="ListAccounts",
            version="2020-03-31",
            query={"PageSize": "3"},
        )
        assert status == 200
        assert [a["AccountId"] for a in body["Accounts"]["Account"]] == [
            m.account_id for m in ORGANISATION.members[:3]
        ]
        assert set(body) == {"RequestId", "TotalCount", "PageNumber", "PageSize", "Accounts"}


def test_member_credentials_may_not_list_accounts(organisation_emulator: Emulator) -> None:
    """A member's STS credentials calling ``ListAccounts`` answer 403 ``NoPermission``."""
    emu = organisation_emulator
    config = session_config(
        assume_role(sts_client(emu.endpoint), str(ORGANISATION.members[0].role_arn))
    )
    client = rm_client(emu.endpoint, **config)
    assert _error(lambda: list_accounts(client)) == ("NoPermission", 403)
    status, _, body = raw_call(
        emu.endpoint,
        host="resourcemanager.aliyuncs.com",
        action="ListAccounts",
        version="2020-03-31",
        query={},
        **config,
    )
    assert (status, body["Code"], body["HostId"]) == (
        403,
        "NoPermission",
        "resourcemanager.aliyuncs.com",
    )
