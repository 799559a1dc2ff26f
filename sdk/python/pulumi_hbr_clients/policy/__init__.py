"""HBR policies for Pulumi CrossGuard: run the audits on every ``pulumi preview`` and ``up``.

Built on ``pulumi-policy`` (install the ``policy`` extra); importing
:mod:`pulumi_hbr_clients` alone never imports it. Compose the policies into a pack::

    from pulumi_policy import PolicyPack
    from pulumi_hbr_clients.policy import hbr_policies

    PolicyPack("my-org-policies", policies=[*hbr_policies(), *my_policies])

* ``hbr-fleet-audit`` (stack): each ``BackupClients`` resource passes the audit rules.
* ``hbr-instance-coverage`` (stack): each ECS instance of the stack has an ACTIVATED client.
* ``hbr-backup-plan-client`` (stack): the instance of an ECS backup plan or an ``ECS_FILE``
  policy binding has one, or an ``EcsBackupClient`` in the stack installs one.
* ``hbr-estate-coverage`` (stack): every ECS instance in scope, in every region and among
  those the stack creates, has a client (the estate audit and its gate).

Each is advisory unless ``hbr_policies(enforcement_level=...)`` or the pack config says
otherwise; see :mod:`.config` for the properties. ``hbr-clients policy-pack init DIR`` writes
a ready pack (:mod:`.pack`).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from pulumi_hbr_clients.policy._props import NotYetCheckable
from pulumi_hbr_clients.policy.backup_plan_client import (
    BACKUP_PLAN_CLIENT,
    backup_plan_client_policy,
)
from pulumi_hbr_clients.policy.config import PolicyConfigError
from pulumi_hbr_clients.policy.estate_config import EstateConfigError
from pulumi_hbr_clients.policy.estate_coverage import ESTATE_COVERAGE, estate_coverage_policy
from pulumi_hbr_clients.policy.fleet_audit import FLEET_AUDIT, fleet_audit_policy
from pulumi_hbr_clients.policy.instance_coverage import (
    INSTANCE_COVERAGE,
    instance_coverage_policy,
)

__all__ = [
    "BACKUP_PLAN_CLIENT",
    "ESTATE_COVERAGE",
    "FLEET_AUDIT",
    "INSTANCE_COVERAGE",
    "POLICY_NAMES",
    "EstateConfigError",
    "NotYetCheckable",
    "PolicyConfigError",
    "backup_plan_client_policy",
    "estate_coverage_policy",
    "fleet_audit_policy",
    "hbr_policies",
    "instance_coverage_policy",
]

#: The names of the four policies, in :func:`hbr_policies` order.
POLICY_NAMES: tuple[str, ...] = (
    FLEET_AUDIT,
    INSTANCE_COVERAGE,
    BACKUP_PLAN_CLIENT,
    ESTATE_COVERAGE,
)


def _level(value: EnforcementLevel | str) -> EnforcementLevel:
    if isinstance(value, EnforcementLevel):
        return value
    try:
        return EnforcementLevel(value)
    except ValueError:
        names = ", ".join(repr(level.value) for level in EnforcementLevel)
        msg = f"enforcement_level {value!r}: must be one of {names}"
        raise ValueError(msg) from None


def hbr_policies(
    *, enforcement_level: EnforcementLevel | str = EnforcementLevel.ADVISORY
) -> list[Policy]:
    """Return the four HBR policies.

    :param enforcement_level: the level of each policy (advisory by default), an
        ``EnforcementLevel`` or its value (``"mandatory"``); a pack config's
        ``enforcementLevel`` for a policy still wins over it.
    :raises ValueError: ``enforcement_level`` is no enforcement level.
    """
    level = _level(enforcement_level)
    return [
        fleet_audit_policy(enforcement_level=level),
        instance_coverage_policy(enforcement_level=level),
        backup_plan_client_policy(enforcement_level=level),
        estate_coverage_policy(enforcement_level=level),
    ]
