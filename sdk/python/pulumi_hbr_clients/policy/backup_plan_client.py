"""``hbr-backup-plan-client``: an ECS backup plan's instance has an ACTIVATED backup client.

A resource policy on ``alicloud:hbr/ecsBackupPlan:EcsBackupPlan``. It runs on the plan's
inputs, before the plan is created, and lists the backup clients of the plan's
``instanceId`` (one query per plan). A plan for an instance without an ``ACTIVATED`` client
is a violation, caught at preview time; an ``instanceId`` not known until the update is
reported as not yet checkable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from hbr_clients_provider.errors import HbrError
from pulumi_hbr_clients.policy._clients import clients_by_instance, coverage_problem
from pulumi_hbr_clients.policy._props import UNKNOWN, NotYetCheckable, read_known
from pulumi_hbr_clients.policy.config import (
    CONNECTION_SCHEMA,
    ConnectionConfig,
    PolicyConfigError,
)
from pulumi_hbr_clients.policy.types import ECS_BACKUP_PLAN_TYPE

__all__ = ["BACKUP_PLAN_CLIENT", "backup_plan_client_policy"]

#: The policy's name.
BACKUP_PLAN_CLIENT = "hbr-backup-plan-client"


def _validator(
    environ: Mapping[str, str] | None,
) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type != ECS_BACKUP_PLAN_TYPE:
            return
        try:
            connection = ConnectionConfig.from_config(BACKUP_PLAN_CLIENT, args.get_config())
        except PolicyConfigError as error:
            report_violation(str(error), None)
            return
        instance_id = read_known(args.props, "instanceId")
        if instance_id is UNKNOWN:
            msg = f"the instanceId of EcsBackupPlan {args.name} is not known until the update"
            raise NotYetCheckable(msg)
        if not isinstance(instance_id, str) or not instance_id.strip():
            report_violation(f"EcsBackupPlan {args.name} has no instanceId", None)
            return
        instance_id = instance_id.strip()
        try:
            grouped = clients_by_instance([instance_id], connection, environ=environ)
        except (HbrError, ValueError) as error:
            report_violation(
                f"EcsBackupPlan {args.name}: could not list the backup clients of ECS instance "
                f"{instance_id}: {error}",
                None,
            )
            return
        problem = coverage_problem(grouped.get(instance_id, []))
        if problem is not None:
            report_violation(
                f"EcsBackupPlan {args.name}: ECS instance {instance_id} {problem}; the plan "
                "would back up nothing",
                None,
            )

    return validate


def backup_plan_client_policy(
    *,
    enforcement_level: EnforcementLevel = EnforcementLevel.ADVISORY,
    environ: Mapping[str, str] | None = None,
) -> ResourceValidationPolicy:
    """Return the ``hbr-backup-plan-client`` resource policy.

    Config: ``region``, ``endpoint``, ``protocol``, as for ``hbr-instance-coverage``.

    :param enforcement_level: the default level; the pack config's ``enforcementLevel`` wins.
    :param environ: the environment to resolve the connection from (default: the process's).
    """
    return ResourceValidationPolicy(
        name=BACKUP_PLAN_CLIENT,
        description=(
            "An HBR ECS backup plan's instance has an ACTIVATED backup client before the plan "
            "is created."
        ),
        validate=_validator(environ),
        enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(CONNECTION_SCHEMA)),
        remediation_steps=(
            "Install and activate the HBR client on the instance first (an "
            "alicloud.hbr.EcsBackupClient resource the plan depends on does it)."
        ),
    )
