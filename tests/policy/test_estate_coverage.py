"""hbr-estate-coverage against an emulated three-region cloud, over real HTTP.

The emulator seeds each region with ECS instances, their clients, instances without one and
clients whose instance is gone, and says which (:meth:`Emulator.estate_truth`); HBR is not
activated in cn-beijing. Every request (HBR and ECS, any region) goes to it through
``HBR_CONNECT_TO`` with its real ``Host``. The policy runs behind pulumi-policy's servicer,
called the way the engine calls it (tests/policy/engine.py).

pulumi-alicloud's provider plugin cannot be installed offline, so the stack's
``alicloud:ecs/instance:Instance`` and ``alicloud:hbr/ecsBackupClient:EcsBackupClient`` are
described as the engine describes them to a stack policy during a preview: the instance's
``id`` unknown until it is created, its ``tags`` and ``status``, its provider's ``region``,
and the client's ``instanceId`` unknown too, with a property dependency on the instance
(``instance_id=web.id`` in the program).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import pytest
from pulumi.runtime import proto

from hbr_clients_provider.api.instances import EcsInstance
from hbr_clients_provider.audit.coverage import Target, TargetError, TargetListing, audit_coverage
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Organisation
from hbr_emulator.estate import Estate
from pulumi_hbr_clients.policy import ESTATE_COVERAGE, estate_coverage_policy, hbr_policies
from pulumi_hbr_clients.policy._stack_plan import PlannedInstance, StackPlan, count_stack_plan
from pulumi_hbr_clients.policy.types import ECS_BACKUP_CLIENT_TYPE, ECS_INSTANCE_TYPE
from tests.policy.engine import UNKNOWN, Analyzer, Diagnostic, Resource, _struct

REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")
LISTED = ("cn-hangzhou", "cn-shanghai")
WRONG_SECRET = "not-the-emulator-secret-4242"
#: A finding row of the message: rule, region, instance (then the client, if any).
ROW = re.compile(r"^  (no_backup_client|orphan_client) (\S+) (\S+)(?: \S+)?: ", re.MULTILINE)


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    """Three regions of 30 instances (3 uncovered, 1 orphan client each); no HBR in cn-beijing."""
    estate = Estate(regions=REGIONS, instances_per_region=30, not_activated=("cn-beijing",), seed=8)
    with Emulator(estate=estate) as emu:
        yield emu


def _env(emu: Emulator, **extra: str) -> dict[str, str]:
    return {
        "HBR_CONNECT_TO": emu.endpoint,
        "HBR_PROTOCOL": "http",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
        **extra,
    }


def _run(
    emu: Emulator,
    stack: Sequence[Resource] = (),
    *,
    level: str | None = "mandatory",
    env: Mapping[str, str] | None = None,
    **config: Any,
) -> list[Diagnostic]:
    policy = estate_coverage_policy(environ=_env(emu, **(env or {})))
    settings = {**config, **({"enforcementLevel": level} if level else {})}
    return Analyzer([policy], {ESTATE_COVERAGE: settings}).analyze_stack(stack)


def _uncovered(emu: Emulator, regions: Sequence[str] = LISTED) -> set[tuple[str, str]]:
    truth = emu.estate_truth()
    return {(r, i) for r in regions for i in truth.region(r).uncovered_instance_ids}


def _orphans(emu: Emulator) -> int:
    truth = emu.estate_truth()
    return sum(len(truth.region(r).orphan_client_ids) for r in LISTED)


def _rows(message: str, rule: str = "no_backup_client") -> set[tuple[str, str]]:
    return {(region, ident) for found, region, ident in ROW.findall(message) if found == rule}


def _calls(emu: Emulator) -> int:
    return sum(emu.backend.call_counts().values())


@attrs.frozen
class StackResource(Resource):
    """A resource with its provider's ``region``."""

    region: str | None = None

    def message(self) -> proto.AnalyzerResource:
        """The ``AnalyzerResource``, with ``provider``."""
        resource = super().message()
        if self.region is not None:
            resource.provider.CopyFrom(
                proto.AnalyzerProviderResource(
                    type="pulumi:providers:alicloud",
                    name="default_4_0_0",
                    urn="urn:pulumi:test::proj::pulumi:providers:alicloud::default_4_0_0",
                    properties=_struct({"region": self.region}),
                )
            )
        return resource


def _instance(
    name: str,
    *,
    instance_id: str = UNKNOWN,
    region: str | None = "cn-hangzhou",
    tags: Mapping[str, str] | str | None = None,
) -> StackResource:
    """A pulumi-alicloud ECS instance as a preview describes it (``id`` unknown if new)."""
    props: dict[str, Any] = {"id": instance_id, "instanceType": "ecs.g7.large"}
    if tags is not None:
        props["tags"] = tags
    return StackResource(ECS_INSTANCE_TYPE, name, props, region=region)


def _client(name: str, instance: StackResource | str) -> StackResource:
    """A pulumi-alicloud EcsBackupClient on ``instance`` (its ``id`` as a dependency if new)."""
    if isinstance(instance, str):
        return StackResource(ECS_BACKUP_CLIENT_TYPE, name, {"instanceId": instance})
    return StackResource(
        ECS_BACKUP_CLIENT_TYPE,
        name,
        {"instanceId": instance.props["id"]},
        depends_on={"instanceId": [instance.urn]},
    )


class TestEstate:
    """The estate as listed: exactly the seeded gaps, and a failed region fails closed."""

    def test_all_regions_finds_the_seeded_gaps_and_fails_closed_on_a_region_without_hbr(
        self, cloud: Emulator
    ) -> None:
        """regions "all": one violation naming cn-beijing's error and every seeded gap."""
        (diag,) = _run(cloud)

        assert diag.level == "mandatory"
        assert diag.policy == ESTATE_COVERAGE
        assert diag.urn == ""
        assert "incomplete: could not list cn-beijing" in diag.message
        assert "cn-beijing: ServiceNotActivated, request id " in diag.message
        assert "allowUnreachable" in diag.message
        assert _rows(diag.message) == _uncovered(cloud)
        assert len(_rows(diag.message, "orphan_client")) == _orphans(cloud)
        assert "Traceback" not in diag.message

    def test_an_accepted_region_leaves_the_findings_to_decide(self, cloud: Emulator) -> None:
        """allowUnreachable cn-beijing: complete, and the findings alone fail the gate."""
        (diag,) = _run(cloud, allowUnreachable=["cn-beijing"])

        assert "incomplete" not in diag.message
        assert "more findings than the 0 allowed" in diag.message
        assert _rows(diag.message) == _uncovered(cloud)

    def test_max_findings_tolerates_the_gaps(self, cloud: Emulator) -> None:
        """maxFindings equal to the gaps and orphans passes; one fewer fails."""
        findings = len(_uncovered(cloud)) + _orphans(cloud)

        assert _run(cloud, allowUnreachable=["cn-beijing"], maxFindings=findings) == []
        assert _run(cloud, allowUnreachable=["cn-beijing"], maxFindings=findings - 1)

    def test_an_accepted_failure_does_not_make_an_empty_scope_pass(self, cloud: Emulator) -> None:
        """Only cn-beijing, accepted: nothing in scope fails unless allowEmpty."""
        (diag,) = _run(cloud, regions=["cn-beijing"], allowUnreachable=["cn-beijing"])

        assert "nothing in scope" in diag.message
        assert "set allowEmpty" in diag.message
        assert (
            _run(cloud, regions=["cn-beijing"], allowUnreachable=["cn-beijing"], allowEmpty=True)
            == []
        )

    def test_instance_tags_scope_the_estate(self, cloud: Emulator) -> None:
        """instanceTags env=prod: only the uncovered instances tagged env=prod are found."""
        truth = cloud.estate_truth()
        prod = {
            (r, i.instance_id)
            for r in LISTED
            for i in truth.region(r).instances
            if dict(i.tags).get("env") == "prod"
        }

        (diag,) = _run(cloud, regions="cn-hangzhou,cn-shanghai", instanceTags={"env": "prod"})

        assert _rows(diag.message) == _uncovered(cloud) & prod

    def test_advisory_by_default(self, cloud: Emulator) -> None:
        """Without a level in the pack config the policy only warns, like the others."""
        (diag,) = _run(cloud, level=None)

        assert diag.level == "advisory"
        assert estate_coverage_policy().name in [p.name for p in hbr_policies()]

    def test_refused_credentials_fail_closed_without_the_secret(self, cloud: Emulator) -> None:
        """An estate that cannot be listed at all is a violation with the API's code."""
        (diag,) = _run(cloud, env={"ALIBABA_CLOUD_ACCESS_KEY_SECRET": WRONG_SECRET})

        assert "could not audit the estate" in diag.message
        assert "SignatureDoesNotMatch" in diag.message
        assert WRONG_SECRET not in diag.message


class TestConfig:
    """A bad config value is named with its value and rule, and nothing is sent."""

    def test_each_bad_value_is_a_violation_and_nothing_is_sent(self, cloud: Emulator) -> None:
        """Four bad values, four violations; no request reaches the cloud."""
        before = _calls(cloud)

        found = _run(
            cloud,
            regions="cn hangzhou",
            maxFindings=-1,
            instanceStatuses=["Running", "Deleted"],
            instanceTag={"env": "prod"},
        )

        messages = [d.message.splitlines()[-1] for d in found]
        assert [d.level for d in found] == ["mandatory"] * 4
        assert messages[0].startswith(
            "hbr-estate-coverage: instanceTag = {'env': 'prod'}: is not a property of this "
            "policy (expected one of "
        )
        assert ", instanceTags, " in messages[0]
        assert messages[1].startswith(
            "hbr-estate-coverage: regions = 'cn hangzhou': must be a region ID"
        )
        assert messages[2].startswith(
            "hbr-estate-coverage: instanceStatuses = 'Deleted': item [1] must be one of "
            "Pending, Running, Starting, Stopping, Stopped"
        )
        assert messages[3].startswith(
            "hbr-estate-coverage: maxFindings = -1: must be an integer of 0 or more"
        )
        assert all("--policy-pack-config" in m for m in messages)
        assert _calls(cloud) == before

    def test_bad_connect_to_is_named(self, cloud: Emulator) -> None:
        """connectTo must be HOST:PORT; the violation names it and nothing is sent."""
        before = _calls(cloud)

        (diag,) = _run(cloud, connectTo="http://127.0.0.1")

        assert "hbr-estate-coverage: connectTo = 'http://127.0.0.1': " in diag.message
        assert _calls(cloud) == before

    def test_schema_defaults_are_the_gates(self) -> None:
        """The schema's defaults: regions all, requireClient, maxFindings 0, no empty scope."""
        schema = estate_coverage_policy().config_schema
        assert schema is not None
        defaults = {k: v["default"] for k, v in schema.properties.items() if "default" in v}

        assert defaults == {
            "regions": "all",
            "requireClient": True,
            "includeCaller": True,
            "maxFindings": 0,
            "allowEmpty": False,
            "requireActivated": False,
            "requireProtected": False,
            "requireLatest": False,
            "requireHttpsProxy": False,
        }


class TestStackInstances:
    """The ECS instances the stack declares count too, and so do its EcsBackupClients."""

    def test_a_new_instance_without_a_client_is_a_finding_on_its_urn(self, cloud: Emulator) -> None:
        """With the estate's findings tolerated, the stack's new instance alone fails."""
        tolerated = len(_uncovered(cloud)) + _orphans(cloud)
        web = _instance("web")

        (diag,) = _run(cloud, [web], allowUnreachable=["cn-beijing"], maxFindings=tolerated)

        assert _rows(diag.message) == {*_uncovered(cloud), ("cn-hangzhou", web.urn)}
        assert "54 of 61 instances in scope covered" in diag.message
        assert (
            "this stack declares 1 ECS instance(s) in scope, 1 without an "
            "alicloud.hbr.EcsBackupClient: web (cn-hangzhou)"
        ) in diag.message

    def test_a_new_instance_with_its_client_passes(self, cloud: Emulator) -> None:
        """The stack's EcsBackupClient on the new instance (matched by dependency) covers it."""
        tolerated = len(_uncovered(cloud)) + _orphans(cloud)
        web = _instance("web")

        found = _run(
            cloud,
            [web, _client("web-backup", web)],
            allowUnreachable=["cn-beijing"],
            maxFindings=tolerated,
        )

        assert found == []

    def test_a_client_for_an_uncovered_estate_instance_resolves_its_gap(
        self, cloud: Emulator
    ) -> None:
        """A deploy that installs the missing client is not blocked by the gap it closes."""
        gaps = sorted(_uncovered(cloud))
        _, fixed = gaps[0]

        (diag,) = _run(cloud, [_client("fix", fixed)], allowUnreachable=["cn-beijing"])

        assert _rows(diag.message) == set(gaps[1:])
        assert "55 of 60 instances in scope covered" in diag.message

    def test_an_instance_already_listed_is_counted_once(self, cloud: Emulator) -> None:
        """A stack instance that exists (known ID, in the inventory) is the estate's row."""
        truth = cloud.estate_truth().region("cn-shanghai")
        covered = next(
            i.instance_id
            for i in truth.instances
            if i.instance_id not in truth.uncovered_instance_ids
        )
        uncovered = truth.uncovered_instance_ids[0]
        stack = [
            _instance("old", instance_id=covered, region="cn-shanghai"),
            _instance("gap", instance_id=uncovered, region="cn-shanghai"),
        ]

        (diag,) = _run(cloud, stack, allowUnreachable=["cn-beijing"])

        assert "54 of 60 instances in scope covered" in diag.message
        assert _rows(diag.message) == _uncovered(cloud)
        assert "this stack declares" not in diag.message

    def test_instances_outside_the_scope_are_not_counted(self, cloud: Emulator) -> None:
        """A stack instance with other tags, or in a region not audited, needs no client."""
        truth = cloud.estate_truth()
        prod = {
            (r, i.instance_id)
            for r in LISTED
            for i in truth.region(r).instances
            if dict(i.tags).get("env") == "prod"
        }
        tolerated = len(_uncovered(cloud) & prod) + _orphans(cloud)
        stack = [
            _instance("dev", tags={"env": "dev"}),
            _instance("elsewhere", region="cn-guangzhou", tags={"env": "prod"}),
            _instance("prod", region="cn-shanghai", tags={"env": "prod", "team": "web"}),
        ]

        (diag,) = _run(
            cloud, stack, regions=list(LISTED), instanceTags={"env": "prod"}, maxFindings=tolerated
        )

        assert _rows(diag.message) == {*(_uncovered(cloud) & prod), ("cn-shanghai", stack[2].urn)}
        assert stack[0].urn not in diag.message
        assert stack[1].urn not in diag.message

    def test_what_the_update_decides_is_not_yet_checkable(self, cloud: Emulator) -> None:
        """An unknown region or tag map, or a client of an unknown instance, is noted only."""
        tolerated = len(_uncovered(cloud)) + _orphans(cloud)
        stack = [
            _instance("nowhere", region=None),
            _instance("computed-tags", tags=UNKNOWN),
            StackResource(ECS_BACKUP_CLIENT_TYPE, "loose", {"instanceId": UNKNOWN}),
        ]

        (note,) = _run(
            cloud,
            stack,
            allowUnreachable=["cn-beijing"],
            instanceTags={"env": "prod"},
            maxFindings=tolerated,
        )

        assert note.level == "advisory"
        assert "not known until the update" in note.message
        assert "the region of Instance nowhere" in note.message
        assert "the tags of Instance computed-tags" in note.message
        assert "the instance of EcsBackupClient loose" in note.message

    def test_alicloud_region_from_the_environment(self, cloud: Emulator) -> None:
        """A provider without a region takes ALICLOUD_REGION, as pulumi-alicloud does."""
        tolerated = len(_uncovered(cloud)) + _orphans(cloud)
        web = _instance("web", region=None)

        (diag,) = _run(
            cloud,
            [web],
            env={"ALICLOUD_REGION": "cn-shanghai"},
            allowUnreachable=["cn-beijing"],
            maxFindings=tolerated,
        )

        assert ("cn-shanghai", web.urn) in _rows(diag.message)


class TestCountStackPlan:
    """The plan folded into a report, without the network."""

    def test_a_member_account_that_was_never_listed_stays_a_failed_target(self) -> None:
        """A member whose role could not be assumed is no listing: the report stays incomplete."""
        own = TargetListing(
            target=Target(region="cn-hangzhou"),
            instances=(EcsInstance(instance_id="i-1", status="Running"),),
        )
        member = TargetListing(
            target=Target(account_id="1234567890123456", region="*"),
            error=TargetError(code="NoPermission", message="denied"),
        )
        report = audit_coverage([own, member], require_client=True)
        web = PlannedInstance(urn="urn:web", name="web", region="cn-hangzhou")

        count = count_stack_plan(report, [own], StackPlan(instances=(web,)), require_client=True)

        assert not count.report.complete
        assert [t.target for t in count.report.targets] == [t.target for t in report.targets]
        assert {f.instance_id for f in count.report.findings} == {"i-1", "urn:web"}
        assert count.counted == (web,)

    def test_a_failed_target_missing_from_the_listings_is_carried_over(self) -> None:
        """A failed target that was never a listing keeps the report incomplete."""
        own = TargetListing(
            target=Target(region="cn-hangzhou"),
            instances=(EcsInstance(instance_id="i-1", status="Running"),),
        )
        failed = TargetListing(
            target=Target(region="cn-shanghai"),
            error=TargetError(code="NoPermission", message="denied"),
        )
        report = audit_coverage([own, failed], require_client=True)
        web = PlannedInstance(urn="urn:web", name="web", region="cn-hangzhou")

        count = count_stack_plan(report, [own], StackPlan(instances=(web,)), require_client=True)

        assert not count.report.complete
        assert [t.target for t in count.report.targets] == [t.target for t in report.targets]
        assert {f.instance_id for f in count.report.findings} == {"i-1", "urn:web"}
        assert count.report.summary.instances == 2
        assert count.counted == (web,)

    def test_a_members_region_does_not_take_the_stacks_instances(self) -> None:
        """Only the caller's own targets take the stack's instances; a member's never does."""
        listings = [
            TargetListing(target=Target(account_id="1234567890123456", region="cn-hangzhou"))
        ]
        report = audit_coverage(listings, require_client=True)
        web = PlannedInstance(urn="urn:web", name="web", region="cn-hangzhou")

        count = count_stack_plan(report, listings, StackPlan(instances=(web,)), require_client=True)

        assert count.report == report
        assert count.counted == ()


class TestAccounts:
    """``accounts``: each member reached through its role; a role-less member fails closed."""

    def test_every_account_is_audited_and_the_role_less_one_fails_closed(self) -> None:
        """accounts all: every member's gaps named ACCOUNT/REGION; the member without the
        role named with its code until accepted by allowUnreachable."""
        regions = ("cn-hangzhou", "cn-shanghai")
        organisation = Organisation.generate(
            members=2,
            seed=9,
            member_regions=regions,
            without_role=(2,),
            estate=Estate(regions=regions, instances_per_region=8, seed=4),
        )
        with Emulator(organisation=organisation) as emu:
            truth = emu.organisation_truth()
            member = next(a for a in truth.members if a.role_assumable)
            without = next(a for a in truth.members if not a.role_assumable)
            (failing,) = _run(emu, regions=list(regions), accounts="all")
            (accepted,) = _run(
                emu,
                regions=list(regions),
                accounts="all",
                allowUnreachable=[without.account_id],
            )
        assert f"{without.account_id}/*: EntityNotExist.Role" in failing.message
        assert "incomplete" not in accepted.message
        gaps = {
            (f"{member.account_id}/{r}", i)
            for r in regions
            for i in member.estate.region(r).uncovered_instance_ids
        }
        assert gaps <= _rows(accepted.message)
