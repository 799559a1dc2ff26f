"""A pure audit of backup clients against a set of rules: findings and a fleet summary.

Build :class:`AuditRules` (directly, or from JSON-ish inputs with
:meth:`AuditRules.from_inputs`, which raises one
:class:`~hbr_clients_provider.errors.InvalidQuery` naming every bad field), then call
:func:`audit` on the clients of a lookup. Nothing here sends a request or reads a clock
unless ``now`` is left out.

Every rule is off unless enabled. The rule names are stable (they appear in JSON output
and stack outputs):

=====================  ==================================================================
rule                   a finding when
=====================  ==================================================================
``not_activated``      ``require_activated`` and the client's ``Status`` is not ``ACTIVATED``
``unprotected``        ``require_protected`` and the ``BackupStatus`` is ``UNPROTECTED``
``outdated``           ``require_latest`` and ``ClientVersion`` is older than
                       ``MaxClientVersion`` (parts compare as integers: 2.4.5 < 2.13.10)
``stale_heartbeat``    ``max_heartbeat_age`` is set and the last heartbeat is older than
                       that at ``now``, or the client never reported one
``insecure_proxy``     ``require_https_proxy`` and the client sends data through a
                       ``CUSTOM`` proxy without HTTPS (``UseHttps`` not ``"true"``)
``missing_client``     an ID of ``expected_instance_ids`` has no client in the result
=====================  ==================================================================

Coverage (:attr:`AuditSummary.coverage_percent`) is defined as:

* with ``expected_instance_ids``: the expected instances that have at least one client in
  the audited result, as a percentage of the expected instances (``basis``
  ``"expected_instances"``). A client counts whatever its status; its health is what the
  other rules are for.
* without them: the clients with no finding, as a percentage of all audited clients
  (``basis`` ``"clients_without_findings"``).
* ``None`` when there is nothing to measure (no expected instances and no clients).

The audit sees only what the lookup returned: a lookup narrowed by status or instance
makes the excluded clients count as missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from hbr_clients_provider.api.coerce import BadInputError, coerce_inputs, to_bool, to_duration
from hbr_clients_provider.api.durations import format_duration
from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.api.versions import parse_version
from hbr_clients_provider.errors import InvalidQuery

__all__ = [
    "COVERAGE_BASES",
    "INSECURE_PROXY",
    "MISSING_CLIENT",
    "NOT_ACTIVATED",
    "NO_ZONE",
    "OUTDATED",
    "RULES",
    "RULE_INPUTS",
    "STALE_HEARTBEAT",
    "UNKNOWN",
    "UNPROTECTED",
    "AuditReport",
    "AuditRules",
    "AuditSummary",
    "Finding",
    "audit",
]

NOT_ACTIVATED = "not_activated"
UNPROTECTED = "unprotected"
OUTDATED = "outdated"
STALE_HEARTBEAT = "stale_heartbeat"
MISSING_CLIENT = "missing_client"
INSECURE_PROXY = "insecure_proxy"

#: Every rule name, in the order findings are reported (``missing_client`` comes last
#: because it belongs to no client).
RULES: tuple[str, ...] = (
    NOT_ACTIVATED,
    UNPROTECTED,
    OUTDATED,
    STALE_HEARTBEAT,
    INSECURE_PROXY,
    MISSING_CLIENT,
)

#: The inputs of :meth:`AuditRules.from_inputs`, in the order of :data:`RULES`.
RULE_INPUTS: tuple[str, ...] = (
    "require_activated",
    "require_protected",
    "require_latest",
    "max_heartbeat_age",
    "require_https_proxy",
    "expected_instance_ids",
)

#: What :attr:`AuditSummary.coverage_percent` measures (see the module docstring).
COVERAGE_BASES: tuple[str, ...] = ("expected_instances", "clients_without_findings")

#: The key under which clients without a zone (container clients) are counted.
NO_ZONE = "(none)"
#: The key under which clients that report no version or status are counted.
UNKNOWN = "(unknown)"


def _as_ids(field: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, Mapping | bytes):
        raise BadInputError(field, "must be a list of instance IDs", value)
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise BadInputError(f"{field}[{i}]", "must be a non-empty string", item)
        if item.strip() not in out:
            out.append(item.strip())
    return tuple(out)


_CONVERTERS = {
    "require_activated": to_bool,
    "require_protected": to_bool,
    "require_latest": to_bool,
    "max_heartbeat_age": to_duration,
    "expected_instance_ids": _as_ids,
    "require_https_proxy": to_bool,
}


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value))


def _positive(_instance: Any, _attribute: Any, value: timedelta | None) -> None:
    if value is not None and value <= timedelta(0):
        msg = f"max_heartbeat_age must be positive, got {value}"
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class AuditRules:
    """Which rules an audit applies; every rule is off by default.

    ``expected_instance_ids`` enables ``missing_client`` when not empty (duplicates are
    dropped, order kept).
    """

    require_activated: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    require_protected: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    require_latest: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    max_heartbeat_age: timedelta | None = attrs.field(
        default=None,
        validator=[attrs.validators.optional(attrs.validators.instance_of(timedelta)), _positive],
    )
    expected_instance_ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    require_https_proxy: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> AuditRules:
        """Build rules from snake_case JSON-ish inputs; raise one :class:`InvalidQuery`.

        Booleans may be ``"true"``/``"false"``; ``max_heartbeat_age`` is seconds, a
        :class:`~datetime.timedelta` or ``"15m"``/``"2h"``/``"1d"``; ``expected_instance_ids``
        a list of IDs or one ID. ``None`` means "not set"; an unknown key is a violation.
        """
        fields, violations, _ = coerce_inputs(inputs, _CONVERTERS)
        if violations:
            raise InvalidQuery(tuple(violations))
        return cls(**fields)

    @property
    def enabled(self) -> tuple[str, ...]:
        """The names of the rules these settings apply, in :data:`RULES` order."""
        on = {
            NOT_ACTIVATED: self.require_activated,
            UNPROTECTED: self.require_protected,
            OUTDATED: self.require_latest,
            STALE_HEARTBEAT: self.max_heartbeat_age is not None,
            MISSING_CLIENT: bool(self.expected_instance_ids),
            INSECURE_PROXY: self.require_https_proxy,
        }
        return tuple(rule for rule in RULES if on[rule])


@attrs.frozen(kw_only=True)
class Finding:
    """One broken rule: which client (``None`` for ``missing_client``), which instance, why."""

    client_id: str | None
    instance_id: str | None
    rule: str = attrs.field(validator=attrs.validators.in_(RULES))
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"client_id", "instance_id", "rule", "detail"}``."""
        return {
            "client_id": self.client_id,
            "instance_id": self.instance_id,
            "rule": self.rule,
            "detail": self.detail,
        }


def _counts(value: Mapping[str, int]) -> dict[str, int]:
    return dict(value)


@attrs.frozen(kw_only=True)
class AuditSummary:
    """The fleet at a glance: counts by status, zone and version, findings and coverage.

    :func:`audit` sorts counts by key (versions as versions: 2.4.5 before 2.13.10); clients
    without a zone count under
    ``"(none)"``, without a status or version under ``"(unknown)"``. See the module
    docstring for the definition of ``coverage_percent``.
    """

    rules_checked: tuple[str, ...]
    """The rules that were applied, in :data:`RULES` order."""
    total_clients: int
    """How many clients were audited."""
    clients_with_findings: int
    """How many of them have at least one finding."""
    findings_by_rule: Mapping[str, int] = attrs.field(converter=_counts)
    """Number of findings per rule name, in :data:`RULES` order (rules with findings only)."""
    by_status: Mapping[str, int] = attrs.field(converter=_counts)
    """Number of clients per ``Status``."""
    by_zone: Mapping[str, int] = attrs.field(converter=_counts)
    """Number of clients per ``ZoneId``."""
    by_version: Mapping[str, int] = attrs.field(converter=_counts)
    """Number of clients per ``ClientVersion``."""
    expected_instances: int
    """How many distinct instances were expected to have a client."""
    covered_instances: int
    """How many of those have one."""
    coverage_basis: str = attrs.field(validator=attrs.validators.in_(COVERAGE_BASES))
    """``"expected_instances"`` or ``"clients_without_findings"``."""
    coverage_percent: float | None
    """The coverage in percent, rounded to two decimals; ``None`` with nothing to measure."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict of every field."""
        return {
            "rules_checked": list(self.rules_checked),
            "total_clients": self.total_clients,
            "clients_with_findings": self.clients_with_findings,
            "findings_by_rule": dict(self.findings_by_rule),
            "by_status": dict(self.by_status),
            "by_zone": dict(self.by_zone),
            "by_version": dict(self.by_version),
            "expected_instances": self.expected_instances,
            "covered_instances": self.covered_instances,
            "coverage_basis": self.coverage_basis,
            "coverage_percent": self.coverage_percent,
        }


def _findings(value: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class AuditReport:
    """The outcome of :func:`audit`: findings in a stable order, and the summary.

    Findings come client by client in the lookup's order (rules in :data:`RULES` order),
    then one ``missing_client`` finding per uncovered expected instance, in the order given.
    """

    findings: tuple[Finding, ...] = attrs.field(converter=_findings)
    summary: AuditSummary

    @property
    def passed(self) -> bool:
        """Whether there is no finding."""
        return not self.findings

    @property
    def offending_client_ids(self) -> tuple[str, ...]:
        """The IDs of the clients with findings, each once, in finding order."""
        return tuple(dict.fromkeys(f.client_id for f in self.findings if f.client_id))

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"findings": [...], "summary": {...}}``, JSON-safe."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
        }


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _client_findings(
    client: BackupClient, rules: AuditRules, now: datetime
) -> Iterable[tuple[str, str]]:
    if rules.require_activated and client.status != "ACTIVATED":
        yield NOT_ACTIVATED, f"status is {client.status or 'not reported'}, not ACTIVATED"
    if rules.require_protected and client.backup_status == "UNPROTECTED":
        yield UNPROTECTED, "backup status is UNPROTECTED"
    if rules.require_latest and client.is_outdated:
        yield (
            OUTDATED,
            f"client version {client.client_version} is older than {client.max_client_version}",
        )
    if rules.max_heartbeat_age is not None:
        seen = client.last_heartbeat_at
        limit = format_duration(rules.max_heartbeat_age)
        if seen is None:
            yield STALE_HEARTBEAT, f"no heartbeat reported (limit {limit})"
        elif now - seen > rules.max_heartbeat_age:
            age = format_duration(now - seen)
            yield (
                STALE_HEARTBEAT,
                f"last heartbeat {age} ago at {_utc_text(seen)} (limit {limit})",
            )
    settings = client.settings
    if (
        rules.require_https_proxy
        and settings.data_proxy_setting == "CUSTOM"
        and settings.use_https is not True
    ):
        where = settings.proxy_host or "an unnamed host"
        if settings.proxy_host and settings.proxy_port:
            where = f"{settings.proxy_host}:{settings.proxy_port}"
        yield INSECURE_PROXY, f"CUSTOM data proxy {where} without HTTPS"


def _sorted_counts(values: Iterable[str], *, key: Any = None) -> dict[str, int]:
    counts = Counter(values)
    return {k: counts[k] for k in sorted(counts, key=key)}


def _version_key(version: str) -> tuple[int, tuple[int, ...], str]:
    return (version == UNKNOWN, parse_version(version), version)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def audit(
    clients: Iterable[BackupClient], *, rules: AuditRules, now: datetime | None = None
) -> AuditReport:
    """Audit ``clients`` (a lookup's ``clients``) against ``rules`` at ``now``.

    :param now: the moment heartbeats are judged at, timezone-aware (default: the
        current UTC time).
    :raises ValueError: if ``now`` is naive.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        msg = f"now must be timezone-aware, got {now!r}"
        raise ValueError(msg)
    audited: Sequence[BackupClient] = tuple(clients)
    findings = [
        Finding(client_id=c.client_id, instance_id=c.instance_id, rule=rule, detail=detail)
        for c in audited
        for rule, detail in _client_findings(c, rules, now)
    ]
    offending = {f.client_id for f in findings}
    present = {c.instance_id for c in audited if c.instance_id}
    missing = [i for i in rules.expected_instance_ids if i not in present]
    findings.extend(
        Finding(
            client_id=None,
            instance_id=instance_id,
            rule=MISSING_CLIENT,
            detail="no backup client found for this instance",
        )
        for instance_id in missing
    )
    expected = len(rules.expected_instance_ids)
    covered = expected - len(missing)
    if expected:
        basis, percent = "expected_instances", _percent(covered, expected)
    else:
        basis = "clients_without_findings"
        percent = _percent(len(audited) - len(offending), len(audited))
    summary = AuditSummary(
        rules_checked=rules.enabled,
        total_clients=len(audited),
        clients_with_findings=len(offending),
        findings_by_rule=_sorted_counts((f.rule for f in findings), key=RULES.index),
        by_status=_sorted_counts(c.status or UNKNOWN for c in audited),
        by_zone=_sorted_counts(c.zone_id or NO_ZONE for c in audited),
        by_version=_sorted_counts((c.client_version or UNKNOWN for c in audited), key=_version_key),
        expected_instances=expected,
        covered_instances=covered,
        coverage_basis=basis,
        coverage_percent=percent,
    )
    return AuditReport(findings=findings, summary=summary)
