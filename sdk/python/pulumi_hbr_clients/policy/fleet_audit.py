"""``hbr-fleet-audit``: every ``BackupClients`` resource of the stack passes the audit rules.

A stack policy: it reads each ``BackupClients`` resource's ``clients_json`` output (no API
call) and audits it with :func:`hbr_clients_provider.audit.rules.audit`, the rules of
``hbr-clients audit``. A resource with more findings than ``maxFindings`` is a violation
whose message is the verdict and the findings table (client ID, instance ID, rule, detail),
at most :data:`~hbr_clients_provider.audit.render.MESSAGE_ROWS` rows, then ``... and N more
findings``.

A resource created or changed by this very preview has no outputs yet: it is reported as not
yet checkable (an advisory note), and checked by the ``pulumi up`` that follows, which runs
stack policies on the final outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from hbr_clients_provider.adapters.outputs import decode_clients
from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.audit.gate import CAMEL_NAMES, GateVerdict, judge
from hbr_clients_provider.audit.render import failure_message
from hbr_clients_provider.audit.rules import AuditReport, audit
from pulumi_hbr_clients.policy._props import UNKNOWN, NotYetCheckable, read_known, shorten
from pulumi_hbr_clients.policy.config import (
    FLEET_AUDIT_SCHEMA,
    FleetAuditConfig,
    PolicyConfigError,
)
from pulumi_hbr_clients.policy.types import BACKUP_CLIENTS_TYPE

__all__ = ["FLEET_AUDIT", "fleet_audit_policy"]

#: The policy's name.
FLEET_AUDIT = "hbr-fleet-audit"

_FIELDS = frozenset(a.name for a in attrs.fields(BackupClient))


class _UnreadableClientsError(ValueError):
    """A ``clients_json`` output that is not a JSON list of client objects."""


def _clients(document: Any) -> list[BackupClient]:
    if not isinstance(document, str):
        msg = f"clients_json is a {type(document).__name__}, not a JSON document"
        raise _UnreadableClientsError(msg)
    try:
        rows = decode_clients(document)
    except ValueError as error:
        msg = f"clients_json is not valid JSON ({error})"
        raise _UnreadableClientsError(msg) from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        msg = "clients_json is not a list of client objects"
        raise _UnreadableClientsError(msg)
    return [BackupClient(**{k: v for k, v in row.items() if k in _FIELDS}) for row in rows]


def _label(resource: PolicyResource) -> str:
    query = read_known(resource.props, "query")
    client_type = None
    if query is not UNKNOWN and query is not None:
        client_type = read_known(query, "client_type")
    kind = f" ({client_type})" if isinstance(client_type, str) else ""
    return f'BackupClients "{resource.name}"{kind}'


def _message(resource: PolicyResource, report: AuditReport, verdict: GateVerdict) -> str:
    failure = failure_message(report, verdict, CAMEL_NAMES)
    return f"{_label(resource)}: {failure}"


def _validator(
    clock: Callable[[], datetime] | None,
) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        lookups = [r for r in args.resources if r.resource_type == BACKUP_CLIENTS_TYPE]
        if not lookups:
            args.not_applicable("the stack has no BackupClients resource")
        try:
            config = FleetAuditConfig.from_config(FLEET_AUDIT, args.get_config())
        except PolicyConfigError as error:
            report_violation(str(error), None)
            return
        now = clock() if clock is not None else None
        pending: list[str] = []
        for resource in lookups:
            document = read_known(resource.props, "clients_json")
            if document is UNKNOWN or document is None:
                pending.append(resource.name)
                continue
            try:
                clients = _clients(document)
            except _UnreadableClientsError as error:
                report_violation(f"{_label(resource)}: cannot audit: {error}", resource.urn)
                continue
            report = audit(clients, rules=config.rules, now=now)
            verdict = judge(report, config.gate)
            if not verdict.passed:
                report_violation(_message(resource, report, verdict), resource.urn)
        if pending:
            checked = len(lookups) - len(pending)
            msg = (
                f"the clients of BackupClients {shorten(pending)} are not known until the "
                f"update (audited by `pulumi up`); {checked} other BackupClients resource(s) "
                "audited now"
            )
            raise NotYetCheckable(msg)

    return validate


def fleet_audit_policy(
    *,
    enforcement_level: EnforcementLevel = EnforcementLevel.ADVISORY,
    clock: Callable[[], datetime] | None = None,
) -> StackValidationPolicy:
    """Return the ``hbr-fleet-audit`` stack policy.

    Config: ``requireActivated``, ``requireProtected``, ``requireLatest``,
    ``maxHeartbeatAge`` (``15m``, ``2h``, ``1d``, ``1w``), ``requireHttpsProxy``,
    ``maxFindings`` (default 0, per resource), ``allowEmpty`` (default false: a resource
    that found no client violates). Every rule is off unless enabled.

    :param enforcement_level: the default level; the pack config's ``enforcementLevel`` wins.
    :param clock: returns the aware moment heartbeats are judged at (default: now).
    """
    return StackValidationPolicy(
        name=FLEET_AUDIT,
        description=(
            "Every BackupClients resource's fleet passes the HBR audit rules "
            "(the rules of `hbr-clients audit`)."
        ),
        validate=_validator(clock),
        enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(FLEET_AUDIT_SCHEMA)),
        remediation_steps=(
            "Fix the clients named in the violation (activate, upgrade, protect them), or relax "
            "the rules or maxFindings in the policy pack config."
        ),
    )
