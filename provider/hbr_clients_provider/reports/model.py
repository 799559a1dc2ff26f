"""The one model every report format renders: :class:`EstateReport`.

It holds the estate audit's :class:`~hbr_clients_provider.audit.coverage.CoverageReport` as
listed, what the suppressions and the baseline made of its findings, and the gate's verdict
over the findings that count (:func:`build_report`). The gate
(:func:`~hbr_clients_provider.audit.gate.judge`) stays the one judge: it is given the
report with only the counted findings, so a suppressed or known finding cannot fail it and
an incomplete estate or an empty scope still does.

Each finding of the audit is exactly one of: **suppressed** (:attr:`EstateReport.suppressed`),
or **reported** (:attr:`EstateReport.findings`), which is counted unless the baseline already
held it (``baseline == "unchanged"``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

import attrs

from hbr_clients_provider.audit.coverage import (
    COVERAGE_RULES,
    CoverageFinding,
    CoverageReport,
    InstanceScope,
    Target,
    TargetListing,
)
from hbr_clients_provider.audit.gate import Gate, GateVerdict, judge
from hbr_clients_provider.package import package_version
from hbr_clients_provider.reports.baseline import Baseline, BaselineDiff, diff_baseline
from hbr_clients_provider.reports.suppressions import (
    ExpiredSuppression,
    SuppressedFinding,
    Suppression,
    apply_suppressions,
)

__all__ = [
    "TOOL_NAME",
    "EstateReport",
    "QueryInfo",
    "ReportedFinding",
    "TargetInventory",
    "ToolInfo",
    "build_report",
]

#: The command that writes the reports.
TOOL_NAME: Final = "hbr-clients"

BaselineStatus = Literal["new", "unchanged"]


@attrs.frozen(kw_only=True)
class ToolInfo:
    """What wrote the report."""

    name: str = TOOL_NAME
    version: str = attrs.field(factory=package_version)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"name": self.name, "version": self.version}


@attrs.frozen(kw_only=True)
class QueryInfo:
    """What was asked: the regions and accounts, and the flags that shaped the audit."""

    regions: str | tuple[str, ...]
    """``"all"`` or the region IDs as given."""
    accounts: str | tuple[str, ...] | None = None
    """``None`` (the caller's account), ``"all"`` or account IDs."""
    flags: Mapping[str, Any] = attrs.field(factory=dict)
    """The other settings that were given, by their Python names (JSON-safe values)."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""

        def listed(value: str | tuple[str, ...] | None) -> str | list[str] | None:
            return value if value is None or isinstance(value, str) else list(value)

        return {
            "regions": listed(self.regions),
            "accounts": listed(self.accounts),
            "flags": dict(self.flags),
        }


@attrs.frozen(kw_only=True)
class TargetInventory:
    """The instances and clients one target's audit checked, by ID (for per-item reports)."""

    target: Target
    instance_ids: tuple[str, ...]
    """The instances in scope."""
    client_ids: tuple[str, ...]
    """The ECS clients judged: those of in-scope instances, and orphans."""

    @classmethod
    def from_listing(cls, listing: TargetListing, scope: InstanceScope) -> TargetInventory:
        """What :func:`~hbr_clients_provider.audit.coverage.audit_coverage` checks in it."""
        inventory = {i.instance_id for i in listing.instances}
        in_scope = [i.instance_id for i in listing.instances if scope.includes(i)]
        wanted = set(in_scope)
        clients = [
            c.client_id
            for c in listing.clients
            if c.client_type in (None, "ECS_CLIENT")
            and (c.instance_id in wanted or c.instance_id not in inventory)
        ]
        return cls(target=listing.target, instance_ids=tuple(in_scope), client_ids=tuple(clients))


@attrs.frozen(kw_only=True)
class ReportedFinding:
    """A finding no suppression excused, and how it stands against the baseline."""

    finding: CoverageFinding
    baseline: BaselineStatus | None = None
    """``"new"`` or ``"unchanged"`` against the baseline; ``None`` without one."""

    @property
    def counted(self) -> bool:
        """Whether the gate counts it: every finding, or only new ones with a baseline."""
        return self.baseline != "unchanged"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict: the finding's fields, ``baseline`` and ``counted``."""
        return {**self.finding.to_dict(), "baseline": self.baseline, "counted": self.counted}


@attrs.frozen(kw_only=True)
class EstateReport:
    """The estate audit as every format shows it (module docstring)."""

    coverage: CoverageReport
    """The audit as listed, with every finding."""
    verdict: GateVerdict
    """The gate's verdict over the counted findings."""
    findings: tuple[ReportedFinding, ...]
    suppressed: tuple[SuppressedFinding, ...] = ()
    expired: tuple[ExpiredSuppression, ...] = ()
    stale: tuple[Suppression, ...] = ()
    suppressions_file: str | None = None
    baseline: BaselineDiff | None = None
    tool: ToolInfo = attrs.field(factory=ToolInfo)
    query: QueryInfo | None = None
    inventory: tuple[TargetInventory, ...] | None = None
    """What each listed target held, by ID; ``None`` when not known (a report built from
    a :class:`CoverageReport` alone): formats then show the findings only."""
    generated_at: datetime = attrs.field(factory=lambda: datetime.now(UTC))

    @property
    def passed(self) -> bool:
        """The gate's verdict."""
        return self.verdict.passed

    @property
    def complete(self) -> bool:
        """Whether every target was listed or accepted."""
        return self.coverage.complete

    @property
    def counted(self) -> tuple[CoverageFinding, ...]:
        """The findings the gate counted."""
        return tuple(r.finding for r in self.findings if r.counted)

    @property
    def findings_by_rule(self) -> dict[str, int]:
        """Reported (not suppressed) findings per rule, in rule order, rules with none left out."""
        counts = Counter(r.finding.rule for r in self.findings)
        known = [r for r in COVERAGE_RULES if counts[r]]
        return {r: counts[r] for r in [*known, *sorted(set(counts) - set(known))]}

    @property
    def tolerated(self) -> bool:
        """Whether counted findings exist but the gate allowed them (``--max-findings``)."""
        return bool(self.counted) and "too_many_findings" not in self.verdict.reasons


def build_report(
    coverage: CoverageReport,
    *,
    gate: Gate,
    today: date | None = None,
    suppressions: Sequence[Suppression] = (),
    suppressions_file: str | None = None,
    baseline: Baseline | None = None,
    tool: ToolInfo | None = None,
    query: QueryInfo | None = None,
    inventory: Iterable[TargetInventory] | None = None,
    generated_at: datetime | None = None,
) -> EstateReport:
    """Apply the suppressions, then the baseline, and let the gate judge what is left.

    :param today: the date suppressions expire against (default: today, UTC).
    """
    now = generated_at or datetime.now(UTC)
    listed = [t.target for t in coverage.targets if t.error is None]
    outcome = apply_suppressions(
        coverage.findings, suppressions, today=today or now.date(), listed=listed
    )
    diff: BaselineDiff | None = None
    status: dict[int, BaselineStatus] = {}
    if baseline is not None:
        diff = diff_baseline(
            outcome.kept,
            baseline,
            listed=listed,
            also_present=[s.finding for s in outcome.suppressed],
        )
        known = {id(f) for f in diff.unchanged}
        status = {id(f): "unchanged" if id(f) in known else "new" for f in outcome.kept}
    reported = tuple(ReportedFinding(finding=f, baseline=status.get(id(f))) for f in outcome.kept)
    counted = tuple(r.finding for r in reported if r.counted)
    verdict = judge(attrs.evolve(coverage, findings=counted), gate)
    return EstateReport(
        coverage=coverage,
        verdict=verdict,
        findings=reported,
        suppressed=outcome.suppressed,
        expired=outcome.expired,
        stale=outcome.stale,
        suppressions_file=suppressions_file,
        baseline=diff,
        tool=tool or ToolInfo(),
        query=query,
        inventory=None if inventory is None else tuple(inventory),
        generated_at=now,
    )
