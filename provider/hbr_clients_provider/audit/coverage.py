"""The estate audit, pure: is every ECS instance in scope backed up, in every target?

A **target** is one region of one account. For each, the caller lists the region's whole
ECS inventory (``DescribeInstances``) and its ECS backup clients (``DescribeBackupClients``),
or records why it could not (:class:`TargetError`). :func:`audit_coverage` joins them by
instance ID and applies the rules; it sends nothing.

==================  ========================================================================
rule                a finding when
==================  ========================================================================
``no_backup_client``  ``require_client`` and an instance in scope has no ``ECS_CLIENT``
                    client in its region (whatever the client's status: its health is what
                    the client rules are for)
``orphan_client``   an ECS client names an instance the region's inventory does not hold:
                    the instance is gone, and the client protects nothing
(client rules)      the rules of :mod:`.rules` (``not_activated``, ``outdated``, ...), on the
                    clients of in-scope instances
==================  ========================================================================

The scope (:class:`InstanceScope`) is applied to the whole inventory, so an orphan is told
apart from a client of an instance that is merely out of scope. Coverage is counted over
**instances**: covered, uncovered, and the share covered.

A failed target is a value of the report, never a smaller estate: the report is
**incomplete** (:attr:`CoverageReport.complete` is false) unless the user accepted that
target by name (``allow_unreachable``: ``REGION``, ``ACCOUNT`` or ``ACCOUNT/REGION``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import attrs

from hbr_clients_provider.api.instances import IN_SCOPE_STATUSES, EcsInstance
from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.audit.rules import RULES, AuditRules, audit

__all__ = [
    "COVERAGE_RULES",
    "NO_BACKUP_CLIENT",
    "ORPHAN_CLIENT",
    "CoverageFinding",
    "CoverageReport",
    "CoverageSummary",
    "InstanceScope",
    "Target",
    "TargetError",
    "TargetListing",
    "TargetSummary",
    "audit_coverage",
]

NO_BACKUP_CLIENT: Final = "no_backup_client"
ORPHAN_CLIENT: Final = "orphan_client"

#: Every rule name of an estate report, in report order.
COVERAGE_RULES: Final = (NO_BACKUP_CLIENT, ORPHAN_CLIENT, *RULES)


@attrs.frozen(kw_only=True)
class Target:
    """One region of one account (``account_id`` ``None``: the caller's own account)."""

    account_id: str | None = None
    region: str

    @property
    def sort_key(self) -> tuple[str, str]:
        """Report order: the caller's own account first, then members by ID; regions by name."""
        return (self.account_id or "", self.region)

    @property
    def label(self) -> str:
        """``REGION`` or ``ACCOUNT/REGION``, as ``allow_unreachable`` names it."""
        return self.region if self.account_id is None else f"{self.account_id}/{self.region}"

    def accepted_by(self, names: Iterable[str]) -> bool:
        """Whether one of ``names`` (``REGION``, ``ACCOUNT`` or ``ACCOUNT/REGION``) is this."""
        wanted = set(names)
        return bool(
            {self.label, self.region} & wanted
            or (self.account_id is not None and self.account_id in wanted)
        )


@attrs.frozen(kw_only=True)
class TargetError:
    """Why a target could not be listed: the API's code and request ID, or the error's kind."""

    code: str
    message: str
    request_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"code": self.code, "message": self.message, "request_id": self.request_id}


@attrs.frozen(kw_only=True)
class TargetListing:
    """What was listed in one target: its inventory and its ECS clients, or the error."""

    target: Target
    instances: tuple[EcsInstance, ...] = ()
    clients: tuple[BackupClient, ...] = ()
    error: TargetError | None = None


def _strs(value: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(value or ())


def _tags(
    value: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in pairs))


@attrs.frozen(kw_only=True)
class InstanceScope:
    """Which instances must be backed up: all tags must match, IDs and statuses if given.

    By default every instance that exists and may hold data is in scope
    (:data:`~hbr_clients_provider.api.instances.IN_SCOPE_STATUSES`); an instance being
    released is not.
    """

    tags: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_tags)
    instance_ids: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    statuses: tuple[str, ...] = attrs.field(default=IN_SCOPE_STATUSES, converter=_strs)

    def includes(self, instance: EcsInstance) -> bool:
        """Whether ``instance`` is in scope."""
        if self.statuses and instance.status not in self.statuses:
            return False
        if self.instance_ids and instance.instance_id not in self.instance_ids:
            return False
        if not self.tags:
            return True
        tags = instance.tag_map
        return all(tags.get(key) == value for key, value in self.tags)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "tags": dict(self.tags),
            "instance_ids": list(self.instance_ids),
            "statuses": list(self.statuses),
        }


@attrs.frozen(kw_only=True)
class CoverageFinding:
    """One problem in one target, with the IDs that locate it."""

    rule: str
    account_id: str | None
    region: str
    instance_id: str | None
    client_id: str | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class TargetSummary:
    """One target in the report: what was counted there, or why nothing could be."""

    target: Target
    instances: int
    covered_instances: int
    clients: int
    orphan_clients: int
    error: TargetError | None = None
    accepted: bool = False
    """Whether a failed target was accepted by ``allow_unreachable``."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "account_id": self.target.account_id,
            "region": self.target.region,
            "instances": self.instances,
            "covered_instances": self.covered_instances,
            "clients": self.clients,
            "orphan_clients": self.orphan_clients,
            "error": None if self.error is None else self.error.to_dict(),
            "accepted": self.accepted,
        }


@attrs.frozen(kw_only=True)
class CoverageSummary:
    """The estate at a glance, over the targets that were listed."""

    targets: int
    failed_targets: int
    instances: int
    covered_instances: int
    clients: int
    orphan_clients: int
    findings_by_rule: Mapping[str, int]
    coverage_percent: float | None

    @property
    def uncovered_instances(self) -> int:
        """Instances in scope without a client."""
        return self.instances - self.covered_instances

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "targets": self.targets,
            "failed_targets": self.failed_targets,
            "instances": self.instances,
            "covered_instances": self.covered_instances,
            "uncovered_instances": self.uncovered_instances,
            "clients": self.clients,
            "orphan_clients": self.orphan_clients,
            "findings_by_rule": dict(self.findings_by_rule),
            "coverage_percent": self.coverage_percent,
        }


@attrs.frozen(kw_only=True)
class CoverageReport:
    """The estate audit's outcome: a summary per target, the findings, completeness."""

    targets: tuple[TargetSummary, ...]
    findings: tuple[CoverageFinding, ...]
    summary: CoverageSummary
    scope: InstanceScope
    caller_account_id: str | None = None
    """The caller's own account ID, when an audit of several accounts asked STS for it (its
    targets and findings keep ``account_id`` ``None``: "the caller's own account")."""

    @property
    def complete(self) -> bool:
        """Whether every target was listed, or its failure accepted by name."""
        return all(t.error is None or t.accepted for t in self.targets)

    @property
    def unreachable(self) -> tuple[TargetSummary, ...]:
        """The failed targets that were not accepted."""
        return tuple(t for t in self.targets if t.error is not None and not t.accepted)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (without the gate's verdict)."""
        return {
            "complete": self.complete,
            "caller_account_id": self.caller_account_id,
            "scope": self.scope.to_dict(),
            "targets": [t.to_dict() for t in self.targets],
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
        }


def _finding(target: Target, rule: str, **facts: Any) -> CoverageFinding:
    return CoverageFinding(rule=rule, account_id=target.account_id, region=target.region, **facts)


def _instance_label(instance: EcsInstance) -> str:
    tags = ", ".join(f"{k}={v}" for k, v in sorted(instance.tag_map.items()))
    name = instance.instance_name or instance.hostname or "unnamed"
    return f"instance {name!r} ({instance.status or 'status unknown'}; tags: {tags or 'none'})"


def _audit_target(
    listing: TargetListing,
    scope: InstanceScope,
    rules: AuditRules,
    require_client: bool,
    now: datetime | None,
) -> tuple[list[CoverageFinding], int, int, int]:
    """Findings of one listed target, and its (in scope, covered, orphan clients) counts."""
    target = listing.target
    ecs_clients = [c for c in listing.clients if c.client_type in (None, "ECS_CLIENT")]
    by_instance: dict[str, list[BackupClient]] = {}
    for client in ecs_clients:
        if client.instance_id:
            by_instance.setdefault(client.instance_id, []).append(client)
    inventory = {i.instance_id for i in listing.instances}
    in_scope = [i for i in listing.instances if scope.includes(i)]
    findings: list[CoverageFinding] = []
    covered = 0
    scoped_clients: list[BackupClient] = []
    for instance in in_scope:
        clients = by_instance.get(instance.instance_id, [])
        scoped_clients += clients
        if clients:
            covered += 1
        elif require_client:
            findings.append(
                _finding(
                    target,
                    NO_BACKUP_CLIENT,
                    instance_id=instance.instance_id,
                    client_id=None,
                    detail=f"{_instance_label(instance)} has no HBR backup client",
                )
            )
    orphans = [c for c in ecs_clients if c.instance_id not in inventory]
    findings += [
        _finding(
            target,
            ORPHAN_CLIENT,
            instance_id=c.instance_id,
            client_id=c.client_id,
            detail=f"the client's instance {c.instance_id or '(none given)'} does not exist "
            f"in {target.region}",
        )
        for c in orphans
    ]
    client_report = audit(scoped_clients, rules=rules, now=now)
    findings += [
        _finding(target, f.rule, instance_id=f.instance_id, client_id=f.client_id, detail=f.detail)
        for f in client_report.findings
        if f.rule in RULES and f.client_id
    ]
    return findings, len(in_scope), covered, len(orphans)


def audit_coverage(
    listings: Sequence[TargetListing],
    *,
    scope: InstanceScope | None = None,
    rules: AuditRules | None = None,
    require_client: bool = False,
    allow_unreachable: Iterable[str] = (),
    now: datetime | None = None,
) -> CoverageReport:
    """Judge every target's listing (module docstring); targets come out sorted.

    :param rules: the client rules, applied to the clients of in-scope instances
        (``expected_instance_ids`` is for the client audit; here the inventory says).
    :param allow_unreachable: targets whose failure is accepted by name.
    """
    scope = scope or InstanceScope()
    rules = rules or AuditRules()
    accepted = tuple(allow_unreachable)
    targets: list[TargetSummary] = []
    findings: list[CoverageFinding] = []
    for listing in sorted(listings, key=lambda item: item.target.sort_key):
        if listing.error is not None:
            targets.append(
                TargetSummary(
                    target=listing.target,
                    instances=0,
                    covered_instances=0,
                    clients=0,
                    orphan_clients=0,
                    error=listing.error,
                    accepted=listing.target.accepted_by(accepted),
                )
            )
            continue
        found, in_scope, covered, orphans = _audit_target(
            listing, scope, rules, require_client, now
        )
        findings += found
        targets.append(
            TargetSummary(
                target=listing.target,
                instances=in_scope,
                covered_instances=covered,
                clients=len(listing.clients),
                orphan_clients=orphans,
            )
        )
    counts = Counter(f.rule for f in findings)
    instances = sum(t.instances for t in targets)
    covered = sum(t.covered_instances for t in targets)
    summary = CoverageSummary(
        targets=len(targets),
        failed_targets=sum(t.error is not None for t in targets),
        instances=instances,
        covered_instances=covered,
        clients=sum(t.clients for t in targets),
        orphan_clients=sum(t.orphan_clients for t in targets),
        findings_by_rule={r: counts[r] for r in COVERAGE_RULES if counts[r]},
        coverage_percent=round(100 * covered / instances, 2) if instances else None,
    )
    return CoverageReport(
        targets=tuple(targets), findings=tuple(findings), summary=summary, scope=scope
    )
