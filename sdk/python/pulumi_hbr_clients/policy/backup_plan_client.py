"""``hbr-backup-plan-client``: what HBR backs up through a client has a client to do it.

A stack policy on the resources that back up an ECS instance's files through its HBR client:
``alicloud:hbr/ecsBackupPlan:EcsBackupPlan`` (``instanceId``) and
``alicloud:hbr/policyBinding:PolicyBinding`` with ``sourceType`` ``ECS_FILE``
(``dataSourceId``, the instance ID). Each such instance needs an ``ACTIVATED`` client, or an
``alicloud:hbr/ecsBackupClient:EcsBackupClient`` of the same stack that installs one
(:mod:`~pulumi_hbr_clients.policy._needs`). It runs on every preview and update, before the
plan or binding exists:

* a known instance ID is asked of HBR (one query for the stack); no ``ACTIVATED`` client
  and no ``EcsBackupClient`` of the stack for it is a violation on the plan or binding;
* an instance this deploy creates (the ID is computed from an ``Instance`` of the stack)
  has no client yet: without an ``EcsBackupClient`` of the stack for it, a violation;
* an ID known only after the update and traced to no ``Instance`` of the stack (or a
  ``sourceType`` not known yet) is reported as not yet checkable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.errors import HbrError
from pulumi_hbr_clients.audit import MESSAGE_ROWS
from pulumi_hbr_clients.policy._clients import clients_by_instance, coverage_problem
from pulumi_hbr_clients.policy._needs import Need, stack_needs
from pulumi_hbr_clients.policy._props import NotYetCheckable, shorten
from pulumi_hbr_clients.policy.config import (
    CONNECTION_SCHEMA,
    ConnectionConfig,
    PolicyConfigError,
)
from pulumi_hbr_clients.policy.types import POLICY_BINDING_TYPE, PROTECTION_PROPERTIES

__all__ = ["BACKUP_PLAN_CLIENT", "backup_plan_client_policy"]

#: The policy's name.
BACKUP_PLAN_CLIENT = "hbr-backup-plan-client"

_FIX = "add an alicloud.hbr.EcsBackupClient for it to the stack"


def _nothing(need: Need) -> str:
    kind = "binding" if need.resource_type == POLICY_BINDING_TYPE else "plan"
    return f"the {kind} would back up nothing"


def _report_known(
    needs: Mapping[str, list[Need]],
    grouped: Mapping[str, list[BackupClient]],
    report_violation: ReportViolation,
) -> None:
    rows = [
        (need, instance_id, problem)
        for instance_id in sorted(needs)
        if (problem := coverage_problem(grouped.get(instance_id, []))) is not None
        for need in needs[instance_id]
    ]
    for need, instance_id, problem in rows[:MESSAGE_ROWS]:
        report_violation(
            f"{need.label}: ECS instance {instance_id} {problem}; {_nothing(need)} ({_FIX})",
            need.urn,
        )
    hidden = [f"{n.label} ({i})" for n, i, _ in rows[MESSAGE_ROWS:]]
    if hidden:
        report_violation(
            f"... and {len(hidden)} more backups of ECS instances without an ACTIVATED "
            f"backup client: {shorten(hidden)}",
            None,
        )


def _validator(
    environ: Mapping[str, str] | None,
) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        if not any(r.resource_type in PROTECTION_PROPERTIES for r in args.resources):
            args.not_applicable("the stack has no EcsBackupPlan or PolicyBinding")
        try:
            connection = ConnectionConfig.from_config(BACKUP_PLAN_CLIENT, args.get_config())
        except PolicyConfigError as error:
            report_violation(str(error), None)
            return
        found = stack_needs(args.resources, PROTECTION_PROPERTIES)
        for need in found.new_unmet():
            report_violation(
                f"{need.label}: ECS instance {need.new_instance}, which this deploy creates, "
                f"gets no HBR backup client; {_nothing(need)} ({_FIX})",
                need.urn,
            )
        known = found.to_query()
        if known:
            try:
                grouped = clients_by_instance(known, connection, environ=environ)
            except (HbrError, ValueError) as error:
                report_violation(
                    f"could not list the backup clients of ECS instance(s) "
                    f"{shorten(sorted(known))}: {error}",
                    None,
                )
            else:
                _report_known(known, grouped, report_violation)
        if found.pending:
            verb = "is" if len(found.pending) == 1 else "are"
            msg = f"{shorten(list(found.pending))} {verb} not known until the update"
            raise NotYetCheckable(msg)

    return validate


def backup_plan_client_policy(
    *,
    enforcement_level: EnforcementLevel = EnforcementLevel.ADVISORY,
    environ: Mapping[str, str] | None = None,
) -> StackValidationPolicy:
    """Return the ``hbr-backup-plan-client`` stack policy.

    Config: ``region``, ``endpoint``, ``protocol``, as for ``hbr-instance-coverage``.

    :param enforcement_level: the default level; the pack config's ``enforcementLevel`` wins.
    :param environ: the environment to resolve the connection from (default: the process's).
    """
    return StackValidationPolicy(
        name=BACKUP_PLAN_CLIENT,
        description=(
            "Every ECS instance an HBR EcsBackupPlan or ECS_FILE PolicyBinding backs up has an "
            "ACTIVATED backup client, or an EcsBackupClient in the same stack."
        ),
        validate=_validator(environ),
        enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(CONNECTION_SCHEMA)),
        remediation_steps=(
            "Add an alicloud.hbr.EcsBackupClient(instance_id=...) for the instance to the stack "
            "(or install and activate the HBR client on it first)."
        ),
    )
