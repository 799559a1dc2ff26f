"""An organisation as data: its description, the seeded generator, and its ground truth.

The truth (``emu.organisation_truth()``, ``GET /_emulator/organisation``) is checked against
what the APIs answer with each member's STS credentials.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from hbr_emulator import (
    DEFAULT_ACCESS_ROLE,
    Emulator,
    Estate,
    Member,
    Organisation,
    OrganisationError,
)

from .conftest import ORGANISATION
from .helpers import (
    all_instances,
    assume_role,
    describe,
    ecs_client,
    list_clients_via_host,
    sdk_client,
    session_config,
    sts_client,
)

Factory = Callable[..., Emulator]
MEMBER_ID = "1234567812345678"


def _get(emu: Emulator, path: str) -> tuple[int, Any]:
    host, port = emu.endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


class TestDescription:
    """Members and organisations refuse values outside their rules, naming the field."""

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"account_id": "123"}, "account_id"),
            ({"account_id": "0234567812345678"}, "account_id"),
            ({"display_name": "x"}, "display_name"),
            ({"type": "PersonalAccount"}, "type"),
            ({"status": "Closed"}, "status"),
            ({"role_name": "no spaces allowed"}, "role_name"),
        ],
    )
    def test_member_refuses_bad_values(self, kwargs: dict[str, Any], field: str) -> None:
        """Each bad member value raises ``OrganisationError`` (a ``ValueError``) naming it."""
        values = {"account_id": MEMBER_ID, "display_name": "member", **kwargs}
        with pytest.raises(OrganisationError) as caught:
            Member(**values)
        assert caught.value.field == field
        assert isinstance(caught.value, ValueError)

    def test_organisation_refuses_duplicate_accounts(self) -> None:
        """Two members with one ID (or the management account's) are refused."""
        member = Member(account_id=MEMBER_ID, display_name="aa")
        with pytest.raises(OrganisationError, match="used twice"):
            Organisation(members=(member, attrs.evolve(member, display_name="bb")))
        with pytest.raises(OrganisationError, match="used twice"):
            Organisation(members=(member,), management_account_id=MEMBER_ID)

    def test_organisation_refuses_negative_token_lifetime(self) -> None:
        """``token_lifetime_s`` below 0 is refused, naming the field."""
        with pytest.raises(OrganisationError) as caught:
            Organisation(token_lifetime_s=-1)
        assert caught.value.field == "token_lifetime_s"

    def test_member_defaults(self) -> None:
        """A member is a created resource account with the access role, in the directory."""
        member = Member(account_id=MEMBER_ID, display_name="prod")
        assert (member.type, member.status, member.join_method) == (
            "ResourceAccount",
            "CreateSuccess",
            "created",
        )
        assert member.role_name == DEFAULT_ACCESS_ROLE
        assert member.role_arn == f"acs:ram::{MEMBER_ID}:role/resourcedirectoryaccountaccessrole"
        assert member.role_assumable
        assert member.can_assume("RESOURCEDIRECTORYACCOUNTACCESSROLE")
        assert not attrs.evolve(member, status="Removed").role_assumable
        assert not attrs.evolve(member, role_name=None).role_assumable

    def test_estate_and_organisation_do_not_combine(self) -> None:
        """An organisation holds its estates: giving ``estate`` or ``data`` too is refused."""
        with pytest.raises(ValueError, match="organisation alone"):
            Emulator(organisation=Organisation(), estate=Estate())


class TestGenerate:
    """``Organisation.generate`` follows its documented rules, from the seed alone."""

    def test_generate_is_deterministic(self) -> None:
        """The same seed gives the same organisation; another seed other IDs."""
        first = Organisation.generate(members=4, seed=3)
        assert first == Organisation.generate(members=4, seed=3)
        other = Organisation.generate(members=4, seed=4)
        assert first.management_account_id != other.management_account_id

    def test_generate_rules(self) -> None:
        """16-digit IDs, member-NN names, every 4th invited, estates seeded per member."""
        organisation = Organisation.generate(members=5, seed=3, without_role=(2,), throttled={5: 3})
        ids = [organisation.management_account_id, *(m.account_id for m in organisation.members)]
        assert len(set(ids)) == 6
        assert all(len(i) == 16 and i.startswith("1") for i in ids)
        members = organisation.members
        assert [m.display_name for m in members] == [f"member-0{i}" for i in range(1, 6)]
        assert [m.type for m in members].count("CloudAccount") == 1
        assert members[3].type == "CloudAccount"
        assert [m.role_name is None for m in members] == [False, True, False, False, False]
        assert [m.estate.seed for m in members] == [3001, 3002, 3003, 3004, 3005]
        assert (members[4].estate.quota_per_s, members[4].estate.quota_scope) == (3, "account")
        assert organisation.estate.seed == 3

    def test_generate_selects_by_account_id(self) -> None:
        """``without_role`` takes account IDs as well as 1-based indexes."""
        plain = Organisation.generate(members=3, seed=8)
        target = plain.members[2].account_id
        organisation = Organisation.generate(members=3, seed=8, without_role=(target,))
        assert organisation.member(target).role_name is None

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"without_role": (4,)}, "without_role"),
            ({"without_role": ("1999999999999999",)}, "without_role"),
            ({"throttled": {0: 1.0}}, "throttled"),
            ({"members": -1}, "members"),
        ],
    )
    def test_generate_refuses_unknown_members(self, kwargs: dict[str, Any], field: str) -> None:
        """A member index or ID the organisation lacks raises ``OrganisationError`` naming it."""
        kwargs.setdefault("members", 3)
        with pytest.raises(OrganisationError) as caught:
            Organisation.generate(**kwargs)
        assert caught.value.field == field

    def test_member_regions_keep_the_not_activated_they_have(self) -> None:
        """``member_regions`` narrows each member's regions (not the management account's)."""
        template = Estate(regions=("cn-hangzhou", "cn-beijing"), not_activated=("cn-beijing",))
        organisation = Organisation.generate(
            members=1, member_estate=template, member_regions=("cn-hangzhou",)
        )
        (member,) = organisation.members
        assert (member.estate.regions, member.estate.not_activated) == (("cn-hangzhou",), ())
        assert organisation.estate.regions == ("cn-hangzhou", "cn-beijing")


class TestTruth:
    """The organisation's truth agrees with what each account's credentials see."""

    def test_truth_lists_every_account(self, organisation_emulator: Emulator) -> None:
        """The management account first, then every member with its role, status and quota."""
        truth = organisation_emulator.organisation_truth()
        assert truth.management_account_id == ORGANISATION.management_account_id
        assert [a.account_id for a in truth.accounts] == [
            ORGANISATION.management_account_id,
            *(m.account_id for m in ORGANISATION.members),
        ]
        assert [a.role_assumable for a in truth.accounts] == [
            False,
            True,
            False,
            True,
            True,
            False,
        ]
        assert [a.status for a in truth.members][-1] == "Removed"
        assert [a.quota_per_s for a in truth.members] == [None, None, 1.0, None, None]
        assert truth.account(ORGANISATION.management_account_id).management
        assert [a.not_activated_regions for a in truth.accounts] == [("cn-beijing",)] * 6
        management = truth.accounts[0].estate
        assert [r.region_id for r in management.regions] == [
            "cn-hangzhou",
            "cn-shanghai",
            "cn-beijing",
        ]
        assert management == organisation_emulator.estate_truth()

    def test_truth_json_matches_the_endpoint(self, organisation_emulator: Emulator) -> None:
        """``GET /_emulator/organisation`` answers ``organisation_truth().as_dict()``."""
        status, document = _get(organisation_emulator, "/_emulator/organisation")
        assert status == 200
        assert document == organisation_emulator.organisation_truth().as_dict()
        account = document["Accounts"][1]
        assert set(account) == {
            "AccountId",
            "DisplayName",
            "Type",
            "Status",
            "Management",
            "RoleName",
            "RoleAssumable",
            "QuotaPerSecond",
            "NotActivatedRegions",
            "Estate",
        }
        assert set(account["Estate"]["Regions"][0]) >= {
            "RegionId",
            "UncoveredInstanceIds",
            "OrphanClientIds",
        }

    def test_estate_endpoint_of_a_member(self, organisation_emulator: Emulator) -> None:
        """``GET /_emulator/estate?account=`` reads a member's estate; unknown: 404."""
        member = ORGANISATION.members[0].account_id
        status, document = _get(organisation_emulator, f"/_emulator/estate?account={member}")
        assert status == 200
        assert document == organisation_emulator.member(member).truth().as_dict()
        assert _get(organisation_emulator, "/_emulator/estate?account=1999999999999999")[0] == 404

    def test_truth_agrees_with_the_member_apis(self, organisation_emulator: Emulator) -> None:
        """A member's credentials list exactly its truth's instances, uncovered and orphans."""
        emu = organisation_emulator
        member = ORGANISATION.members[0]
        truth = emu.organisation_truth().account(member.account_id)
        config = session_config(assume_role(sts_client(emu.endpoint), str(member.role_arn)))
        ecs = ecs_client(emu.endpoint, **config)
        for region in truth.estate.regions:
            instances = [
                i.instance_id for i in all_instances(ecs, region_id=region.region_id, page_size=50)
            ]
            assert instances == [i.instance_id for i in region.instances]
            if not region.hbr_activated:
                continue
            host = f"hbr.{region.region_id}.aliyuncs.com"
            clients = list_clients_via_host(emu.endpoint, host, sign=config)
            covered = {c["InstanceId"] for c in clients}
            assert [i for i in instances if i not in covered] == list(region.uncovered_instance_ids)
            orphans = [c["ClientId"] for c in clients if c["InstanceId"] not in instances]
            assert orphans == list(region.orphan_client_ids)

    def test_truth_without_an_organisation(self, estate_emulator: Emulator) -> None:
        """Without an organisation the truth is a ``RuntimeError`` and its route 404."""
        with pytest.raises(RuntimeError, match="no organisation"):
            estate_emulator.organisation_truth()
        assert _get(estate_emulator, "/_emulator/organisation")[0] == 404
        assert estate_emulator.directory is None


def _ecs_client_ids(clients: list[dict[str, Any]]) -> list[str]:
    return [c["ClientId"] for c in clients if c["ClientType"] == "ECS_CLIENT"]


def test_management_keys_keep_the_management_estate(organisation_emulator: Emulator) -> None:
    """The emulator's own keys see the management account's fleets, as in estate mode."""
    emu = organisation_emulator
    body = describe(sdk_client(emu.endpoint), page_size=99)
    assert [c.client_id for c in body.clients] == _ecs_client_ids(emu.cloud.hbr().clients())
    listed = list_clients_via_host(emu.endpoint, "hbr.cn-shanghai.aliyuncs.com")
    expected = _ecs_client_ids(emu.cloud.hbr("cn-shanghai").clients())
    assert [c["ClientId"] for c in listed] == expected
    members = {
        c["ClientId"]
        for m in ORGANISATION.members
        for c in emu.member(m.account_id).hbr("cn-shanghai").clients()
    }
    assert members.isdisjoint(expected)
