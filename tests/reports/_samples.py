"""Crafted estate reports for the renderer tests: ordinary ones, and hostile ones.

The emulator seeds instance names of its own, so a name written by an attacker (markup,
terminal escapes, characters XML cannot hold, GitHub command syntax) is put into a
:class:`CoverageReport` here, where every renderer can be given it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs

from hbr_clients_provider.audit.coverage import (
    CoverageFinding,
    CoverageReport,
    CoverageSummary,
    InstanceScope,
    Target,
    TargetError,
    TargetSummary,
)
from hbr_clients_provider.audit.gate import Gate
from hbr_clients_provider.reports.baseline import Baseline, FindingIdentity
from hbr_clients_provider.reports.model import (
    EstateReport,
    QueryInfo,
    TargetInventory,
    ToolInfo,
    build_report,
)
from hbr_clients_provider.reports.suppressions import Suppression

#: What an attacker who can name an instance (or answer for a region) would write.
HOSTILE = (
    "web</script><img src=x onerror=\"document.title='pwned'\">"
    "<svg onload=alert(1)>\x1b]0;owned\x07\x1b[2J\u202eevil\u2028"
    "\r\n::error::injected %0A a,b:c ` | @here #1 \ud800\ufffe & 'q' \"dq\""
)

TODAY = date(2025, 6, 1)
WHEN = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "1234567890123456"


def finding(
    rule: str,
    region: str,
    *,
    instance: str | None,
    client: str | None = None,
    account: str | None = None,
    detail: str = "",
) -> CoverageFinding:
    """A finding with these IDs (``detail`` defaults to one naming them)."""
    return CoverageFinding(
        rule=rule,
        account_id=account,
        region=region,
        instance_id=instance,
        client_id=client,
        detail=detail or f"{rule} on {instance or client}",
    )


def coverage(
    findings: tuple[CoverageFinding, ...], *, hostile_error: bool = False
) -> CoverageReport:
    """Two listed regions of the caller, a member region, and one that could not be listed."""
    error = TargetError(
        code="ServiceNotActivated",
        message=HOSTILE if hostile_error else "HBR is not activated",
        request_id="REQ-1",
    )
    targets = (
        TargetSummary(
            target=Target(region="cn-beijing"),
            instances=0,
            covered_instances=0,
            clients=0,
            orphan_clients=0,
            error=error,
        ),
        TargetSummary(
            target=Target(region="cn-hangzhou"),
            instances=4,
            covered_instances=2,
            clients=3,
            orphan_clients=1,
        ),
        TargetSummary(
            target=Target(region="cn-shanghai"),
            instances=3,
            covered_instances=3,
            clients=3,
            orphan_clients=0,
        ),
        TargetSummary(
            target=Target(account_id=ACCOUNT, region="cn-hangzhou"),
            instances=2,
            covered_instances=1,
            clients=1,
            orphan_clients=0,
        ),
    )
    counts: dict[str, int] = {}
    for item in findings:
        counts[item.rule] = counts.get(item.rule, 0) + 1
    summary = CoverageSummary(
        targets=4, failed_targets=1, instances=9, covered_instances=6, clients=7,
        orphan_clients=1, findings_by_rule=counts, coverage_percent=round(600 / 9, 2),
    )  # fmt: skip
    return CoverageReport(
        targets=targets, findings=findings, summary=summary, scope=InstanceScope()
    )


def standard_findings(name: str = "etl-dev-0001") -> tuple[CoverageFinding, ...]:
    """Four findings; the first names an instance called ``name`` (quoted), the third as is."""
    return (
        finding("no_backup_client", "cn-hangzhou", instance="i-aaa",
                detail=f"instance {name!r} (Running; tags: env=dev) has no HBR backup client"),
        finding("no_backup_client", "cn-hangzhou", instance="i-bbb"),
        finding("orphan_client", "cn-hangzhou", instance="i-gone", client="c-orphan",
                detail=f"the client's {name} instance does not exist in cn-hangzhou"),
        finding("no_backup_client", "cn-hangzhou", instance="i-ccc", account=ACCOUNT),
    )  # fmt: skip


INVENTORY = (
    TargetInventory(target=Target(region="cn-hangzhou"),
                    instance_ids=("i-aaa", "i-bbb", "i-ok1", "i-ok2"),
                    client_ids=("c-ok1", "c-ok2", "c-orphan")),
    TargetInventory(target=Target(region="cn-shanghai"), instance_ids=("i-s1", "i-s2", "i-s3"),
                    client_ids=("c-s1", "c-s2", "c-s3")),
    TargetInventory(target=Target(account_id=ACCOUNT, region="cn-hangzhou"),
                    instance_ids=("i-ccc", "i-ddd"), client_ids=("c-ddd",)),
)  # fmt: skip


def sample(
    *,
    name: str = "etl-dev-0001",
    hostile_error: bool = False,
    suppressions: tuple[Suppression, ...] = (),
    baseline: Baseline | None = None,
    gate: Gate | None = None,
    accept_beijing: bool = False,
) -> EstateReport:
    """An estate report of :func:`coverage` and :func:`standard_findings`, built and judged."""
    report = coverage(standard_findings(name), hostile_error=hostile_error)
    if accept_beijing:
        accepted = attrs.evolve(report.targets[0], accepted=True)
        report = attrs.evolve(report, targets=(accepted, *report.targets[1:]))
    return build_report(
        report,
        gate=gate or Gate(),
        today=TODAY,
        suppressions=suppressions,
        suppressions_file="suppressions.yaml" if suppressions else None,
        baseline=baseline,
        tool=ToolInfo(version="9.9.9"),
        query=QueryInfo(regions="all", flags={"require_client": True}),
        inventory=INVENTORY,
        generated_at=WHEN,
    )


def suppression(
    index: int, rule: str, *, expires: date = date(2025, 12, 31), **where: str
) -> Suppression:
    """An entry of a suppressions file."""
    return Suppression(index=index, rule=rule, reason=f"reason {index}", expires=expires, **where)


def baseline_of(*identities: FindingIdentity) -> Baseline:
    """A baseline holding these findings."""
    return Baseline(source="previous.json", findings=frozenset(identities))
