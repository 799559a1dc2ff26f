"""``audit_backup_clients`` / ``audit_backup_clients_output``: stop a deploy on a bad fleet.

Audit the result of :func:`~pulumi_hbr_clients.get_backup_clients` against rules (see
:mod:`hbr_clients_provider.audit.rules` for the rule names and the definition of coverage). When
there are more findings than ``max_findings`` (default 0; ``None`` never fails on findings),
or when the audit judged nothing (no client matched, no instance expected) and
``allow_empty`` is not set, the audit raises :class:`BackupAuditFailed`, a
``pulumi.RunError``: Pulumi prints its message, which lists the offending clients by ID,
instance and rule, without a Python traceback. The gate's rules and defaults are those of
every other surface (:mod:`hbr_clients_provider.audit.gate`).

Because ``get_backup_clients_output`` is known during ``pulumi preview``, so is the audit:
a failing fleet fails the preview before anything is applied. Resources that must not be
deployed on a failing fleet should take an input from the audit's output, so they wait for
it and are never registered when it fails::

    fleet = hbr.get_backup_clients_output(client_type="ECS_CLIENT")
    report = hbr.audit_backup_clients_output(fleet, require_activated=True)
    pulumi.export("audit", report)
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pulumi

from hbr_clients_provider.api.coerce import BadInputError, to_bool, to_duration, to_int
from hbr_clients_provider.audit.gate import (
    DEFAULT_MAX_FINDINGS,
    PYTHON_NAMES,
    Gate,
    GateVerdict,
    judge,
)
from hbr_clients_provider.audit.render import MESSAGE_ROWS, failure_message
from hbr_clients_provider.audit.rules import AuditReport, AuditRules, audit
from hbr_clients_provider.errors import InvalidQuery, Violation
from pulumi_hbr_clients.lookup import GetBackupClientsResult

__all__ = [
    "AUDIT_CONFIG_KEYS",
    "MESSAGE_ROWS",
    "AuditReport",
    "BackupAuditFailed",
    "BackupAuditInputError",
    "audit_arguments_from_config",
    "audit_backup_clients",
    "audit_backup_clients_output",
]


class BackupAuditInputError(pulumi.RunError):
    """The audit's arguments break a rule (``cause.violations`` names each field)."""

    def __init__(self, cause: InvalidQuery) -> None:
        super().__init__(f"audit_backup_clients: {cause}")
        self.cause = cause


class BackupAuditFailed(pulumi.RunError):
    """The gate failed: more than ``max_findings`` findings, or an empty scope not allowed.

    ``report`` holds every finding and ``verdict`` the gate's reasons. The message is the
    verdict, what to change, and a table of the findings (client ID, instance ID, rule,
    detail), at most :data:`MESSAGE_ROWS` rows followed by ``... and N more findings``.
    """

    def __init__(self, report: AuditReport, verdict: GateVerdict) -> None:
        self.report = report
        self.verdict = verdict
        self.max_findings = verdict.gate.max_findings
        super().__init__(failure_message(report, verdict, PYTHON_NAMES))


def _gate(max_findings: Any, allow_empty: Any) -> Gate:
    if max_findings is not None and (
        isinstance(max_findings, bool) or not isinstance(max_findings, int) or max_findings < 0
    ):
        rule = "must be a non-negative integer or None"
        violation = Violation(field="max_findings", rule=rule, value=max_findings)
        raise BackupAuditInputError(InvalidQuery((violation,)))
    if not isinstance(allow_empty, bool):
        violation = Violation(field="allow_empty", rule="must be True or False", value=allow_empty)
        raise BackupAuditInputError(InvalidQuery((violation,)))
    return Gate(max_findings=max_findings, allow_empty=allow_empty)


def audit_backup_clients(
    result: GetBackupClientsResult,
    *,
    require_activated: bool = False,
    require_protected: bool = False,
    require_latest: bool = False,
    max_heartbeat_age: str | float | timedelta | None = None,
    expected_instance_ids: Sequence[str] | None = None,
    require_https_proxy: bool = False,
    max_findings: int | None = DEFAULT_MAX_FINDINGS,
    allow_empty: bool = False,
    now: datetime | None = None,
) -> AuditReport:
    """Audit a lookup's clients; fail as the deploy gate says (module docstring).

    :param require_activated: flag clients whose status is not ``ACTIVATED``.
    :param require_protected: flag clients whose backup status is ``UNPROTECTED``.
    :param require_latest: flag clients older than their ``MaxClientVersion``.
    :param max_heartbeat_age: flag clients whose last heartbeat is older (``"2h"``,
        ``"1d"``, seconds or a ``timedelta``).
    :param expected_instance_ids: instances that must each have a client.
    :param require_https_proxy: flag clients with a ``CUSTOM`` data proxy without HTTPS.
    :param max_findings: how many findings are tolerated; ``None`` never fails on findings.
    :param allow_empty: pass when the lookup found no client and no instance is expected.
    :param now: the moment heartbeats are judged at (default: now).
    :raises BackupAuditFailed: when the gate fails.
    :raises BackupAuditInputError: for invalid arguments.
    """
    gate = _gate(max_findings, allow_empty)
    try:
        rules = AuditRules.from_inputs(
            {
                "require_activated": require_activated,
                "require_protected": require_protected,
                "require_latest": require_latest,
                "max_heartbeat_age": max_heartbeat_age,
                "expected_instance_ids": expected_instance_ids,
                "require_https_proxy": require_https_proxy,
            }
        )
    except InvalidQuery as error:
        raise BackupAuditInputError(error) from None
    report = audit(result.clients, rules=rules, now=now)
    verdict = judge(report, gate)
    if not verdict.passed:
        raise BackupAuditFailed(report, verdict)
    return report


_AUDIT_ARGUMENTS = frozenset(inspect.signature(audit_backup_clients).parameters) - {"result"}


def audit_backup_clients_output(
    lookup: pulumi.Input[GetBackupClientsResult], **rules: pulumi.Input[Any]
) -> pulumi.Output[dict[str, Any]]:
    """Like :func:`audit_backup_clients`, for a ``get_backup_clients_output`` result.

    Every rule may be a ``pulumi.Input``. The output is the report's ``to_dict()``
    (``{"findings": [...], "summary": {...}}``), fit for ``pulumi.export``; when the audit
    fails, resolving it raises :class:`BackupAuditFailed`, which fails the preview or
    update with the readable report.
    """
    unknown = sorted(set(rules) - _AUDIT_ARGUMENTS)
    if unknown:
        msg = f"audit_backup_clients_output() got unknown arguments: {', '.join(unknown)}"
        raise TypeError(msg)

    def run(resolved: dict[str, Any]) -> dict[str, Any]:
        result = resolved.pop("lookup")
        return audit_backup_clients(result, **resolved).to_dict()

    return pulumi.Output.all(lookup=lookup, **rules).apply(run)


#: Stack config keys (under the namespace of the ``pulumi.Config`` given) -> audit arguments.
AUDIT_CONFIG_KEYS: Mapping[str, str] = {
    "requireActivated": "require_activated",
    "requireProtected": "require_protected",
    "requireLatest": "require_latest",
    "requireHttpsProxy": "require_https_proxy",
    "maxHeartbeatAge": "max_heartbeat_age",
    "expectInstances": "expected_instance_ids",
    "maxFindings": "max_findings",
    "allowEmpty": "allow_empty",
}


def _from_config(name: str, key: str, value: str) -> Any:
    """Convert one stack config value of argument ``name``; errors name the config ``key``."""
    if name == "max_heartbeat_age":
        if value.strip().lower() == "off":
            return None
        to_duration(key, value)  # checked here, so the error names the key
        return value
    if name == "expected_instance_ids":
        rule = 'must be a JSON list of instance IDs, such as ["i-abc", "i-def"]'
        try:
            ids = json.loads(value)
        except ValueError:
            raise BadInputError(key, rule, value) from None
        if not isinstance(ids, list) or not all(isinstance(i, str) and i.strip() for i in ids):
            raise BadInputError(key, rule, value)
        return ids
    if name == "max_findings":
        number = to_int(key, value)
        if number < -1:
            raise BadInputError(key, "must be -1 (never fail) or a count of 0 or more", value, "-1")
        return None if number == -1 else number
    return to_bool(key, value)


def audit_arguments_from_config(config: pulumi.Config, **defaults: Any) -> dict[str, Any]:
    """The arguments of :func:`audit_backup_clients` from stack config, over ``defaults``.

    Keys are :data:`AUDIT_CONFIG_KEYS` under ``config``'s namespace (``audit:maxHeartbeatAge``
    for ``pulumi.Config("audit")``): booleans ``true``/``false``, ``maxHeartbeatAge`` a
    duration or ``off``, ``expectInstances`` a JSON list, ``maxFindings`` a count or ``-1``
    (never fail on findings), ``allowEmpty`` a boolean. A bad value is named by its config
    key, with the value given::

        audit:maxHeartbeatAge: must be a positive duration such as 900, '15m', ... (got '1week')

    :raises BackupAuditInputError: naming every bad key.
    """
    arguments = dict(defaults)
    violations: list[Violation] = []
    for key, name in AUDIT_CONFIG_KEYS.items():
        value = config.get(key)
        if value is None:
            continue
        try:
            arguments[name] = _from_config(name, f"{config.name}:{key}", value)
        except BadInputError as error:
            violations.append(error.violation)
    if violations:
        raise BackupAuditInputError(InvalidQuery(tuple(violations)))
    return arguments
