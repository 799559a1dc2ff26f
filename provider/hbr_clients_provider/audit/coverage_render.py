"""The estate report's verdict line and failure message, for the surfaces that gate.

The SDK (``audit_backup_coverage``), the ``hbr`` plugin and the policy pack raise
:func:`coverage_failure_message`; its first line is :func:`verdict_line`. The report formats
of ``hbr-clients audit --regions ...`` (table, JSON, JUnit, GitHub, Markdown, HTML) live in
:mod:`hbr_clients_provider.reports`, whose verdict is this line word for word when nothing is
suppressed and no baseline is given.

Every text that came from the cloud (names, tags, error messages) goes through
:mod:`hbr_clients_provider.display`: control characters are shown as escapes.
"""

from __future__ import annotations

from typing import Final

from hbr_clients_provider.audit.coverage import CoverageFinding, CoverageReport
from hbr_clients_provider.audit.gate import GateNames, GateVerdict
from hbr_clients_provider.display import terminal_text

__all__ = ["coverage_failure_message", "verdict_line"]

#: Findings listed in a failure message before ``... and N more``.
MESSAGE_ROWS: Final = 20


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def verdict_line(report: CoverageReport, judged: GateVerdict) -> str:
    """``PASS: ...`` or ``FAIL: ...`` with coverage over instances and why it failed."""
    summary = report.summary
    share = "n/a" if summary.coverage_percent is None else f"{summary.coverage_percent:g}%"
    facts = (
        f"{summary.covered_instances:,} of {_plural(summary.instances, 'instance')} in scope "
        f"covered ({share}) in {_plural(summary.targets, 'target')}; "
        f"{_plural(len(report.findings), 'finding')}"
    )
    if judged.passed:
        return f"PASS: {facts}"
    why = []
    if judged.incomplete:
        names = ", ".join(t.target.label for t in report.unreachable)
        why.append(f"incomplete: could not list {names}")
    if "too_many_findings" in judged.reasons:
        why.append(f"more findings than the {judged.gate.max_findings} allowed")
    if judged.empty_scope:
        why.append("nothing in scope (no instance, no client)")
    return f"FAIL: {facts} ({'; '.join(why)})"


def _finding_cells(finding: CoverageFinding) -> list[str]:
    target = (
        finding.region if finding.account_id is None else f"{finding.account_id}/{finding.region}"
    )
    return [
        finding.rule,
        target,
        finding.instance_id or "-",
        finding.client_id or "-",
        finding.detail,
    ]


def coverage_failure_message(
    report: CoverageReport, judged: GateVerdict, names: GateNames, *, unreachable: str
) -> str:
    """Why the estate gate failed: the verdict, what to change, the failed regions, findings.

    ``names`` spells the gate's settings as the caller's user does; ``unreachable`` names the
    setting that accepts a failed region (``allow_unreachable``, ``allowUnreachable``).
    """
    lines = [f"HBR estate coverage {verdict_line(report, judged)}"]
    if judged.incomplete:
        lines.append(
            f"  not listed (accept a target by name with {unreachable}: REGION, ACCOUNT or "
            "ACCOUNT/REGION):"
        )
        for target in report.unreachable:
            if target.error is not None:
                rid = f", request id {target.error.request_id}" if target.error.request_id else ""
                lines.append(
                    f"    {target.target.label}: {target.error.code}{rid}: "
                    f"{terminal_text(target.error.message)}"
                )
    if "too_many_findings" in judged.reasons:
        lines.append(f"  {judged.gate.max_findings} findings allowed by {names.max_findings}")
    if judged.empty_scope:
        lines.append(
            f"  nothing in scope: set {names.allow_empty} if that is expected, or check the "
            "regions and the instance tags"
        )
    for finding in report.findings[:MESSAGE_ROWS]:
        ids = " ".join(i for i in (finding.instance_id, finding.client_id) if i)
        where = _finding_cells(finding)[1]
        lines.append(
            f"  {finding.rule} {where} {terminal_text(ids)}: {terminal_text(finding.detail)}"
        )
    hidden = len(report.findings) - MESSAGE_ROWS
    if hidden > 0:
        lines.append(f"  ... and {hidden:,} more findings")
    return "\n".join(lines)
