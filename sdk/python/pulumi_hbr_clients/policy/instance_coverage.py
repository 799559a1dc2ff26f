"""``hbr-instance-coverage``: every ECS instance the stack manages has an ACTIVATED backup client.

A stack policy. It collects the ECS instance IDs the stack carries (the ``id`` of
``alicloud:ecs/instance:Instance``, the ``instanceId`` of
``alicloud:hbr/ecsBackupPlan:EcsBackupPlan``, the ``dataSourceId`` of an ``ECS_FILE``
``alicloud:hbr/policyBinding:PolicyBinding``; see
:data:`~pulumi_hbr_clients.policy.types.INSTANCE_ID_PROPERTIES`), leaves out those an
``alicloud:hbr/ecsBackupClient:EcsBackupClient`` of the same stack installs on (see
:mod:`~pulumi_hbr_clients.policy._needs`), and lists the backup clients of the others with
one query. Each instance without an ``ACTIVATED`` client is a violation on the resource that
carries it (the first :data:`MESSAGE_ROWS`; the rest are counted in one more violation).
Instance IDs not known until the update (an instance this preview creates) are reported as
not yet checkable, never as violations, unless a client of the stack installs on them.
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

from hbr_clients_provider.errors import HbrError
from pulumi_hbr_clients.audit import MESSAGE_ROWS
from pulumi_hbr_clients.policy._clients import clients_by_instance, coverage_problem
from pulumi_hbr_clients.policy._needs import stack_needs
from pulumi_hbr_clients.policy._props import NotYetCheckable, shorten
from pulumi_hbr_clients.policy.config import (
    CONNECTION_SCHEMA,
    ConnectionConfig,
    PolicyConfigError,
)
from pulumi_hbr_clients.policy.types import INSTANCE_ID_PROPERTIES

__all__ = ["INSTANCE_COVERAGE", "instance_coverage_policy"]

#: The policy's name.
INSTANCE_COVERAGE = "hbr-instance-coverage"


def _validator(
    environ: Mapping[str, str] | None,
) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        if not any(r.resource_type in INSTANCE_ID_PROPERTIES for r in args.resources):
            args.not_applicable("the stack has no resource that carries an ECS instance ID")
        try:
            connection = ConnectionConfig.from_config(INSTANCE_COVERAGE, args.get_config())
        except PolicyConfigError as error:
            report_violation(str(error), None)
            return
        found = stack_needs(args.resources, INSTANCE_ID_PROPERTIES)
        holders = found.to_query()
        pending = [*found.pending, *(f"the id of {n.label}" for n in found.new_unmet())]
        if holders:
            try:
                grouped = clients_by_instance(holders, connection, environ=environ)
            except (HbrError, ValueError) as error:
                report_violation(
                    f"could not list the backup clients of {len(holders)} ECS instance(s): {error}",
                    None,
                )
            else:
                problems = [
                    (instance_id, problem)
                    for instance_id in sorted(holders)
                    if (problem := coverage_problem(grouped.get(instance_id, []))) is not None
                ]
                for instance_id, problem in problems[:MESSAGE_ROWS]:
                    holder = holders[instance_id][0]
                    report_violation(
                        f"ECS instance {instance_id} ({holder.label}) {problem}", holder.urn
                    )
                hidden = [i for i, _ in problems[MESSAGE_ROWS:]]
                if hidden:
                    report_violation(
                        f"... and {len(hidden)} more ECS instances without an ACTIVATED "
                        f"backup client: {shorten(hidden)}",
                        None,
                    )
        if pending:
            msg = (
                f"{shorten(pending)} {'is' if len(pending) == 1 else 'are'} not known until "
                "the update (checked by `pulumi up`); "
                f"{len(holders)} known instance(s) checked now"
            )
            raise NotYetCheckable(msg)

    return validate


def instance_coverage_policy(
    *,
    enforcement_level: EnforcementLevel = EnforcementLevel.ADVISORY,
    environ: Mapping[str, str] | None = None,
) -> StackValidationPolicy:
    """Return the ``hbr-instance-coverage`` stack policy.

    Config: ``region``, ``endpoint``, ``protocol`` (each optional; otherwise
    ``HBR_ENDPOINT``, ``HBR_PROTOCOL``, ``ALIBABA_CLOUD_REGION_ID`` and the standard
    credential chain of the environment).

    :param enforcement_level: the default level; the pack config's ``enforcementLevel`` wins.
    :param environ: the environment to resolve the connection from (default: the process's).
    """
    return StackValidationPolicy(
        name=INSTANCE_COVERAGE,
        description=(
            "Every ECS instance the stack manages or backs up has an ACTIVATED HBR backup "
            "client, or an EcsBackupClient in the stack."
        ),
        validate=_validator(environ),
        enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(CONNECTION_SCHEMA)),
        remediation_steps=(
            "Install the HBR client on the named instances and activate it (or add an "
            "alicloud.hbr.EcsBackupClient for each to the stack)."
        ),
    )
