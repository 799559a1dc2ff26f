"""HBR and ECS with a member's STS credentials: that member's estate, with the same Host routing.

Credentials come from ``AssumeRole`` (official STS SDK); the official HBR and ECS SDKs
take them with ``security_token=``, and raw requests sign them for real host names
(``hbr.cn-shanghai.aliyuncs.com``, ``ecs.cn-shanghai.aliyuncs.com``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

from hbr_emulator import Emulator, Faults, Member, Organisation

from .conftest import ORGANISATION
from .helpers import (
    all_instances,
    assume_role,
    describe,
    ecs_client,
    hbr_via_host,
    list_all,
    list_clients_via_host,
    raw_call,
    sdk_client,
    session_config,
    sts_client,
)

Factory = Callable[..., Emulator]
MEMBER = ORGANISATION.members[0]
THROTTLED = ORGANISATION.members[2]


def _credentials(emu: Emulator, member: Member) -> dict[str, Any]:
    return session_config(assume_role(sts_client(emu.endpoint), str(member.role_arn)))


def _ecs_client_ids(clients: list[dict[str, Any]]) -> list[str]:
    return [c["ClientId"] for c in clients if c["ClientType"] == "ECS_CLIENT"]


def _error(call: Callable[[], object]) -> tuple[str, int]:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value.code, caught.value.status_code


class TestMemberEstate:
    """A member's credentials see its regions, instances and clients, and nothing else."""

    def test_hbr_sdk_sees_the_members_default_region(self, organisation_emulator: Emulator) -> None:
        """The HBR SDK at the plain address lists the member's first region's ECS clients."""
        emu = organisation_emulator
        client = sdk_client(emu.endpoint, **_credentials(emu, MEMBER))
        listed = [c.client_id for c in list_all(client)]
        member = emu.member(MEMBER.account_id)
        assert member.default_region == "cn-shanghai"
        assert listed == _ecs_client_ids(member.hbr("cn-shanghai").clients())
        assert set(listed).isdisjoint(_ecs_client_ids(emu.cloud.hbr("cn-shanghai").clients()))
        regions = client.describe_regions().body.regions.region
        assert [r.region_id for r in regions] == ["cn-shanghai", "cn-beijing"]

    def test_ecs_sdk_sees_the_members_instances(self, organisation_emulator: Emulator) -> None:
        """The ECS SDK lists the member's instances of ``RegionId``, as its truth has them."""
        emu = organisation_emulator
        ecs = ecs_client(emu.endpoint, **_credentials(emu, MEMBER))
        truth = emu.organisation_truth().account(MEMBER.account_id).estate
        for region in ("cn-shanghai", "cn-beijing"):
            listed = [i.instance_id for i in all_instances(ecs, region_id=region, page_size=3)]
            assert listed == [i.instance_id for i in truth.region(region).instances]
        assert _error(lambda: all_instances(ecs, region_id="cn-hangzhou")) == (
            "InvalidRegionId.NotFound",
            404,
        )

    def test_real_hbr_host_with_a_members_token(self, organisation_emulator: Emulator) -> None:
        """``Host: hbr.cn-shanghai.aliyuncs.com`` with a member's token lists its fleet there."""
        emu = organisation_emulator
        sign = _credentials(emu, MEMBER)
        listed = list_clients_via_host(emu.endpoint, "hbr.cn-shanghai.aliyuncs.com", sign=sign)
        member = emu.member(MEMBER.account_id)
        assert [c["ClientId"] for c in listed] == _ecs_client_ids(
            member.hbr("cn-shanghai").clients()
        )
        status, body = hbr_via_host(emu.endpoint, "hbr.cn-beijing.aliyuncs.com", sign=sign)
        assert (status, body["Code"]) == (403, "ServiceNotActivated")
        status, body = hbr_via_host(emu.endpoint, "hbr.cn-hangzhou.aliyuncs.com", sign=sign)
        assert (status, body["Code"]) == (404, "InvalidRegionId.NotFound")
        assert "cn-shanghai, cn-beijing" in body["Message"]

    def test_real_ecs_host_with_a_members_token(self, organisation_emulator: Emulator) -> None:
        """``Host: ecs.cn-shanghai.aliyuncs.com`` with a member's token lists its instances."""
        emu = organisation_emulator
        status, _, body = raw_call(
            emu.endpoint,
            host="ecs.cn-shanghai.aliyuncs.com",
            action="DescribeInstances",
            version="2014-05-26",
            query={"RegionId": "cn-shanghai", "PageSize": "100"},
            **_credentials(emu, MEMBER),
        )
        assert status == 200
        expected = emu.member(MEMBER.account_id).ecs("cn-shanghai").instances()
        assert [i["InstanceId"] for i in body["Instances"]["Instance"]] == [
            i["InstanceId"] for i in expected
        ]

    def test_two_members_see_their_own(self, organisation_emulator: Emulator) -> None:
        """Two members' credentials, used side by side, each see their own fleet."""
        emu = organisation_emulator
        other = ORGANISATION.members[3]
        first = sdk_client(emu.endpoint, **_credentials(emu, MEMBER))
        second = sdk_client(emu.endpoint, **_credentials(emu, other))
        ids = {c.client_id for c in describe(first, page_size=99).clients}
        other_ids = {c.client_id for c in describe(second, page_size=99).clients}
        assert ids
        assert other_ids
        assert ids.isdisjoint(other_ids)

    def test_request_log_names_the_account(self, organisation_emulator: Emulator) -> None:
        """Each logged call names the account it acted in."""
        emu = organisation_emulator
        describe(sdk_client(emu.endpoint, **_credentials(emu, MEMBER)))
        describe(sdk_client(emu.endpoint))
        accounts = [(e["product"], e["account"]) for e in emu.backend.request_log()]
        assert accounts == [
            ("sts", ORGANISATION.management_account_id),
            ("hbr", MEMBER.account_id),
            ("hbr", ORGANISATION.management_account_id),
        ]


class TestAccountFaults:
    """Faults and quotas of one account touch that account's calls only."""

    def test_throttled_account(self, organisation_emulator: Emulator) -> None:
        """A member throttled at 1/s answers ``Throttling.User`` on its second call at once."""
        emu = organisation_emulator
        throttled = sdk_client(emu.endpoint, **_credentials(emu, THROTTLED))
        describe(throttled)
        with pytest.raises(ThrottlingException) as caught:
            describe(throttled)
        assert caught.value.code == "Throttling.User"
        assert caught.value.retry_after is not None
        other = sdk_client(emu.endpoint, **_credentials(emu, MEMBER))
        for _ in range(3):
            describe(other)
            describe(sdk_client(emu.endpoint))
        status, _, body = raw_call(
            emu.endpoint,
            host="ecs.cn-shanghai.aliyuncs.com",
            action="DescribeInstances",
            version="2014-05-26",
            query={"RegionId": "cn-shanghai"},
            **_credentials(emu, THROTTLED),
        )
        assert (status, body["Code"]) == (400, "Throttling.User")

    def test_emulator_quota_is_the_management_accounts(self, emulator_factory: Factory) -> None:
        """``Emulator(quota_per_s=...)`` throttles the management account, not its members."""
        emu = emulator_factory(organisation=ORGANISATION, quota_per_s=1, quota_scope="account")
        member = sdk_client(emu.endpoint, **_credentials(emu, MEMBER))
        statuses = [hbr_via_host(emu.endpoint, emu.endpoint)[0] for _ in range(2)]
        assert 400 in statuses  # AssumeRole took the one token; at most one call passes
        for _ in range(3):
            describe(member)

    def test_member_faults(self, emulator_factory: Factory) -> None:
        """A member's ``faults`` fail its calls; the management account's are untouched."""
        member = Member(
            account_id="1234567812345678",
            display_name="flaky",
            faults=Faults(fail_next=(("InternalError", 500),)),
        )
        emu = emulator_factory(organisation=Organisation(members=(member,)))
        management = sdk_client(emu.endpoint)
        describe(management)
        flaky = sdk_client(emu.endpoint, **_credentials(emu, member))
        with pytest.raises(Exception, match="InternalError"):
            describe(flaky)
        describe(flaky)
        emu.cloud.reset()
        with pytest.raises(Exception, match="InternalError"):
            describe(flaky)
        describe(management)

    def test_reset_reseeds_members(self, organisation_emulator: Emulator) -> None:
        """``cloud.reset()`` restores a member's fleet; issued credentials stay valid."""
        emu = organisation_emulator
        client = sdk_client(emu.endpoint, **_credentials(emu, MEMBER))
        member = emu.member(MEMBER.account_id)
        before = describe(client, page_size=99).total_count
        member.hbr().remove_client(member.hbr().clients()[0]["ClientId"])
        assert describe(client, page_size=99).total_count == before - 1
        emu.cloud.reset()
        assert describe(client, page_size=99).total_count == before
