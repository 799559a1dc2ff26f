"""hbr-instance-coverage and hbr-backup-plan-client against the emulator over real HTTP.

The type tokens and property names are pulumi-alicloud 4.0.0's
(``tests/policy/test_alicloud_names.py`` reads them from its SDK);
``tests/policy/test_policy_binding_e2e.py`` runs the pack on a real pulumi-alicloud program.

pulumi-alicloud's provider plugin cannot be installed offline, so no stack here holds a
real ``alicloud:ecs/instance:Instance``. The policies get the arguments the engine would
send for those types instead (tests/policy/engine.py): the instance's ``id`` output of a
bridged resource, and an ``EcsBackupPlan``'s ``instanceId`` input/output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from pulumi_hbr_clients.audit import MESSAGE_ROWS
from pulumi_hbr_clients.policy import (
    BACKUP_PLAN_CLIENT,
    INSTANCE_COVERAGE,
    backup_plan_client_policy,
    instance_coverage_policy,
)
from pulumi_hbr_clients.policy.types import (
    ECS_BACKUP_CLIENT_TYPE,
    ECS_BACKUP_PLAN_TYPE,
    ECS_FILE,
    ECS_INSTANCE_TYPE,
    POLICY_BINDING_TYPE,
)
from tests.policy.engine import UNKNOWN, Analyzer, Resource

WRONG_SECRET = "not-the-emulator-secret-4242"


@pytest.fixture
def emu(emulator_factory: Callable[..., Emulator]) -> Emulator:
    """An emulator with only the clients each test adds."""
    return emulator_factory(fleet=0)


def _env(emu: Emulator, secret: str = DEFAULT_ACCESS_KEY_SECRET) -> dict[str, str]:
    return {
        "HBR_ENDPOINT": emu.endpoint,
        "HBR_PROTOCOL": "http",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret,
    }


def _add(emu: Emulator, instance_id: str, status: str = "ACTIVATED", **fields: Any) -> None:
    emu.backend.add_client(
        {
            "ClientId": f"c-{instance_id[2:]}",
            "InstanceId": instance_id,
            "ClientType": "ECS_CLIENT",
            "Status": status,
            **fields,
        }
    )


def _instance(name: str, instance_id: str) -> Resource:
    """A pulumi-alicloud ECS instance's outputs: a bridged resource keeps its ID in ``id``."""
    return Resource(
        ECS_INSTANCE_TYPE,
        name,
        {"id": instance_id, "instanceName": name, "instanceType": "ecs.g7.large"},
    )


def _plan(name: str, instance_id: str) -> Resource:
    """A pulumi-alicloud EcsBackupPlan (its inputs, and its outputs, carry ``instanceId``)."""
    return Resource(
        ECS_BACKUP_PLAN_TYPE,
        name,
        {
            "instanceId": instance_id,
            "vaultId": "v-0001",
            "backupType": "COMPLETE",
            "schedule": "I|1602673264|P1D",
            "retention": "30",
            "paths": ["/home"],
        },
    )


def _coverage(emu: Emulator, level: str = "mandatory", **env: str) -> Analyzer:
    policy = instance_coverage_policy(environ={**_env(emu), **env})
    return Analyzer([policy], {INSTANCE_COVERAGE: {"enforcementLevel": level}})


class TestInstanceCoverage:
    """Every ECS instance of the stack needs an ACTIVATED client; one query checks them all."""

    def test_uncovered_instances_violate_in_one_query(self, emu: Emulator) -> None:
        """Instances with no client or a non-activated one violate on their own resource."""
        _add(emu, "i-good")
        _add(emu, "i-stuck", status="INSTALLING")
        _add(emu, "i-elsewhere")  # not in the stack: never a finding
        stack = [_instance("web", "i-good"), _instance("db", "i-stuck"), _plan("p", "i-none")]

        found = _coverage(emu).analyze_stack(stack)

        assert [(d.level, d.urn) for d in found] == [
            ("mandatory", stack[2].urn),
            ("mandatory", stack[1].urn),
        ]
        assert "ECS instance i-none (EcsBackupPlan p) has no HBR backup client" in found[0].message
        assert (
            "ECS instance i-stuck (Instance db) has no ACTIVATED HBR backup client "
            "(found c-stuck (INSTALLING))"
        ) in found[1].message
        assert emu.backend.api_call_count() == 1
        (request,) = emu.backend.request_log()
        assert "i-elsewhere" not in str(request["params"])

    def test_covered_stack_passes(self, emu: Emulator) -> None:
        """A stack whose instances all have ACTIVATED clients has no diagnostic."""
        _add(emu, "i-a")
        _add(emu, "i-b")

        assert _coverage(emu).analyze_stack([_instance("a", "i-a"), _plan("b", "i-b")]) == []

    def test_unknown_instance_ids_are_not_yet_checkable(self, emu: Emulator) -> None:
        """An instance created by this preview is noted as not checkable, never a violation."""
        _add(emu, "i-a")
        stack = [_instance("a", "i-a"), _instance("new", UNKNOWN), _plan("plan-new", UNKNOWN)]

        found = _coverage(emu).analyze_stack(stack)

        assert [d.level for d in found] == ["advisory"]
        assert "the instanceId of EcsBackupPlan plan-new, the id of Instance new are not" in (
            found[0].message
        )
        assert "1 known instance(s) checked now" in found[0].message

    def test_api_error_is_a_readable_failure_without_secrets(self, emu: Emulator) -> None:
        """A refused call reports the error code and request ID, never the secret."""
        found = _coverage(emu, ALIBABA_CLOUD_ACCESS_KEY_SECRET=WRONG_SECRET).analyze_stack(
            [_instance("a", "i-a")]
        )

        (diag,) = found
        assert diag.level == "mandatory"
        assert "could not list the backup clients of 1 ECS instance(s)" in diag.message
        assert "SignatureDoesNotMatch" in diag.message
        assert "request id" in diag.message
        assert WRONG_SECRET not in diag.message
        assert "Traceback" not in diag.message

    def test_stack_without_instances_sends_nothing(self, emu: Emulator) -> None:
        """No ECS instance in the stack: no diagnostic and no API call."""
        other = Resource("random:index/randomId:RandomId", "r", {"hex": "ab"})

        assert _coverage(emu).analyze_stack([other]) == []
        assert emu.backend.api_call_count() == 0

    def test_huge_stack_is_capped(self, emu: Emulator) -> None:
        """500 uncovered instances: the first 50 violate by resource, one line counts the rest."""
        stack = [_instance(f"vm{n}", f"i-{n:05d}") for n in range(500)]

        found = _coverage(emu).analyze_stack(stack)

        assert len(found) == MESSAGE_ROWS + 1
        assert all(d.urn for d in found[:MESSAGE_ROWS])
        assert "... and 450 more ECS instances without an ACTIVATED backup client" in (
            found[-1].message
        )
        assert emu.backend.api_call_count() == 6  # one listing: ceil(500 / 99) ID chunks

    def test_bad_connection_config_is_named(self, emu: Emulator) -> None:
        """A protocol the policy refuses is reported with the property and the value."""
        policy = instance_coverage_policy(environ=_env(emu))
        analyzer = Analyzer([policy], {INSTANCE_COVERAGE: {"protocol": "ftp"}})

        (diag,) = analyzer.analyze_stack([_instance("a", "i-a")])

        assert "hbr-instance-coverage: protocol = 'ftp': must be one of https, http" in (
            diag.message
        )
        assert emu.backend.api_call_count() == 0


def _plans(emu: Emulator, level: str = "mandatory", **env: str) -> Analyzer:
    policy = backup_plan_client_policy(environ={**_env(emu), **env})
    return Analyzer([policy], {BACKUP_PLAN_CLIENT: {"enforcementLevel": level}})


def _binding(name: str, data_source_id: str, source_type: str = ECS_FILE, **deps: Any) -> Resource:
    """A pulumi-alicloud PolicyBinding as a preview sends it (``policyId`` not known yet)."""
    return Resource(
        POLICY_BINDING_TYPE,
        name,
        {
            "policyId": UNKNOWN,
            "sourceType": source_type,
            "dataSourceId": data_source_id,
            "source": '["/home"]',
        },
        depends_on=deps,
    )


def _client(name: str, instance_id: str, **deps: Any) -> Resource:
    """A pulumi-alicloud EcsBackupClient on ``instance_id``."""
    return Resource(ECS_BACKUP_CLIENT_TYPE, name, {"instanceId": instance_id}, depends_on=deps)


class TestBackupPlanClient:
    """What HBR backs up through a client (plans, ECS_FILE bindings) has one, or gets one."""

    def test_plan_for_instance_without_activated_client_violates(self, emu: Emulator) -> None:
        """The plan names an instance whose client is deactivated: a violation on the plan."""
        _add(emu, "i-off", status="DEACTIVATED")
        plan = _plan("backup-off", "i-off")

        (diag,) = _plans(emu).analyze_stack([plan])

        assert diag.level == "mandatory"
        assert diag.policy == BACKUP_PLAN_CLIENT
        assert diag.urn == plan.urn
        assert (
            "EcsBackupPlan backup-off: ECS instance i-off has no ACTIVATED HBR backup client "
            "(found c-off (DEACTIVATED)); the plan would back up nothing"
        ) in diag.message

    def test_plan_for_activated_instance_passes(self, emu: Emulator) -> None:
        """A plan whose instance has an ACTIVATED client has no diagnostic, after one call."""
        _add(emu, "i-on")

        assert _plans(emu).analyze_stack([_plan("backup-on", "i-on")]) == []
        assert emu.backend.api_call_count() == 1

    def test_advisory_by_default(self, emu: Emulator) -> None:
        """Without a level in the config the violation only warns."""
        policy = backup_plan_client_policy(environ=_env(emu))

        (diag,) = Analyzer([policy]).analyze_stack([_plan("backup-x", "i-x")])

        assert diag.level == "advisory"
        assert "i-x has no HBR backup client" in diag.message

    def test_unknown_instance_id_is_not_yet_checkable(self, emu: Emulator) -> None:
        """An instance ID from outside the stack, known only after the update: a note, no call."""
        (diag,) = _plans(emu).analyze_stack([_plan("backup-new", UNKNOWN)])

        assert diag.level == "advisory"
        assert "instanceId of EcsBackupPlan backup-new is not known until the update" in (
            diag.message
        )
        assert emu.backend.api_call_count() == 0

    def test_other_types_are_ignored(self, emu: Emulator) -> None:
        """Instances, clients and non-ECS_FILE bindings alone are not checked and cost no call."""
        stack = [
            _instance("vm", "i-x"),
            _client("agent", "i-y"),
            _binding("snapshots", "i-z", source_type="UDM_ECS"),
            _binding("bucket", "my-bucket", source_type="OSS"),
        ]

        assert _plans(emu).analyze_stack(stack) == []
        assert emu.backend.api_call_count() == 0

    def test_api_error_is_readable(self, emu: Emulator) -> None:
        """An API error names its code and request ID, never the secret."""
        (diag,) = _plans(emu, ALIBABA_CLOUD_ACCESS_KEY_SECRET=WRONG_SECRET).analyze_stack(
            [_plan("backup-y", "i-y")]
        )

        assert "could not list the backup clients of ECS instance(s) i-y" in diag.message
        assert "SignatureDoesNotMatch" in diag.message
        assert WRONG_SECRET not in diag.message

    def test_ecs_file_binding_of_uncovered_instance_violates(self, emu: Emulator) -> None:
        """An ECS_FILE PolicyBinding whose instance has no client violates on the binding."""
        _add(emu, "i-on")
        covered, uncovered = _binding("files-on", "i-on"), _binding("files-off", "i-off")

        (diag,) = _plans(emu).analyze_stack([covered, uncovered])

        assert diag.urn == uncovered.urn
        assert (
            "PolicyBinding files-off: ECS instance i-off has no HBR backup client; the binding "
            "would back up nothing (add an alicloud.hbr.EcsBackupClient for it to the stack)"
        ) in diag.message
        assert emu.backend.api_call_count() == 1

    def test_ecs_backup_client_of_the_stack_covers_its_instance(self, emu: Emulator) -> None:
        """The deploy that installs the missing client passes, and asks HBR nothing."""
        stack = [
            _binding("files-off", "i-off"),
            _plan("plan-off", "i-off"),
            _client("agent-off", "i-off"),
        ]

        assert _plans(emu).analyze_stack(stack) == []
        assert emu.backend.api_call_count() == 0

    def test_binding_of_an_instance_this_deploy_creates(self, emu: Emulator) -> None:
        """A new instance has no client: its binding violates unless the stack installs one."""
        web = _instance("web", UNKNOWN)
        binding = _binding("files-web", UNKNOWN, dataSourceId=[web.urn])

        (diag,) = _plans(emu).analyze_stack([web, binding])
        with_client = [web, binding, _client("agent-web", UNKNOWN, instanceId=[web.urn])]

        assert diag.urn == binding.urn
        assert "PolicyBinding files-web: ECS instance web, which this deploy creates" in (
            diag.message
        )
        assert _plans(emu).analyze_stack(with_client) == []
        assert emu.backend.api_call_count() == 0

    def test_unknown_source_type_is_not_yet_checkable(self, emu: Emulator) -> None:
        """A binding whose sourceType is computed by the update is a note, not a violation."""
        (diag,) = _plans(emu).analyze_stack([_binding("files-x", "i-x", source_type=UNKNOWN)])

        assert diag.level == "advisory"
        assert "the sourceType of PolicyBinding files-x is not known until the update" in (
            diag.message
        )


class TestInstanceCoverageWithStackClients:
    """hbr-instance-coverage counts ECS_FILE bindings, and the clients the stack installs."""

    def test_binding_instance_is_checked_and_stack_client_covers(self, emu: Emulator) -> None:
        """A bound instance without a client violates; one the stack installs a client on not."""
        stack = [_binding("files-a", "i-a"), _binding("files-b", "i-b"), _client("agent", "i-b")]

        (diag,) = _coverage(emu).analyze_stack(stack)

        assert diag.urn == stack[0].urn
        assert "ECS instance i-a (PolicyBinding files-a) has no HBR backup client" in diag.message
        (request,) = emu.backend.request_log()
        assert "i-b" not in str(request["params"])

    def test_new_instance_with_a_stack_client_is_not_pending(self, emu: Emulator) -> None:
        """An instance this deploy creates with its EcsBackupClient: nothing to note or ask."""
        web = _instance("web", UNKNOWN)
        stack = [web, _client("agent-web", UNKNOWN, instanceId=[web.urn])]

        assert _coverage(emu).analyze_stack(stack) == []
        assert emu.backend.api_call_count() == 0

    def test_client_on_the_instance_resource_covers_its_known_id(self, emu: Emulator) -> None:
        """A client whose instanceId comes from an existing Instance covers a plan on its ID."""
        web = _instance("web", "i-web")
        stack = [
            web,
            _plan("plan-web", "i-web"),
            _client("agent-web", UNKNOWN, instanceId=[web.urn]),
        ]

        assert _coverage(emu).analyze_stack(stack) == []
        assert _plans(emu).analyze_stack(stack) == []
        assert emu.backend.api_call_count() == 0
