"""The estate report as aligned columns for a terminal (``--format table``, the default).

The verdict line, a row per target, the messages of the targets that could not be listed,
then a row per reported finding; with a baseline a ``baseline`` column says ``new`` or
``unchanged``; suppressed findings and expired or stale suppressions follow in their own
sections. Every cell passes :func:`~hbr_clients_provider.display.fit` (control characters
escaped, at most 80 characters); ``--format json`` holds the full values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from hbr_clients_provider.audit.coverage import CoverageFinding, TargetSummary
from hbr_clients_provider.display import fit, terminal_text
from hbr_clients_provider.reports.model import EstateReport
from hbr_clients_provider.reports.verdict import target_label, verdict_text

__all__ = ["render_table", "table_chunks"]

_TARGET_COLUMNS: Final = ("target", "instances", "covered", "clients", "orphans", "error")
_FINDING_COLUMNS: Final = ("rule", "target", "instance_id", "client_id", "detail")
_SUPPRESSED_COLUMNS: Final = ("rule", "target", "instance_id", "client_id", "expires", "reason")


def _target_cells(target: TargetSummary) -> list[str]:
    error = ""
    if target.error is not None:
        rid = f", request id {target.error.request_id}" if target.error.request_id else ""
        accepted = " (accepted)" if target.accepted else ""
        error = f"{target.error.code}{rid}{accepted}"
    counts = (target.instances, target.covered_instances, target.clients, target.orphan_clients)
    # A region that could not be listed has no counts: "-", never a misleading 0.
    shown = ["-"] * 4 if target.error is not None else [str(c) for c in counts]
    return [target.target.label, *shown, error]


def _finding_cells(finding: CoverageFinding) -> list[str]:
    return [
        finding.rule,
        target_label(finding.account_id, finding.region),
        finding.instance_id or "-",
        finding.client_id or "-",
    ]


def _table(header: Sequence[str], rows: list[list[str]]) -> Iterator[str]:
    safe = [[fit(cell) for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in safe)]) for i, h in enumerate(header)]
    for row in (list(header), *safe):
        yield "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"


def table_chunks(report: EstateReport) -> Iterator[str]:
    """Yield the table piece by piece (module docstring)."""
    coverage = report.coverage
    yield verdict_text(report) + "\n\n"
    yield from _table(_TARGET_COLUMNS, [_target_cells(t) for t in coverage.targets])
    for target in coverage.unreachable:
        if target.error is not None:
            yield f"  {target.target.label}: {terminal_text(target.error.message)}\n"
    if report.findings:
        yield "\n"
        with_status = report.baseline is not None
        header = [*_FINDING_COLUMNS[:-1], *(["baseline"] if with_status else []), "detail"]
        rows = [
            [
                *_finding_cells(r.finding),
                *([r.baseline or ""] if with_status else []),
                r.finding.detail,
            ]
            for r in report.findings
        ]
        yield from _table(header, rows)
    if report.suppressed:
        yield f"\nsuppressed ({len(report.suppressed):,}):\n"
        rows = [
            [*_finding_cells(s.finding), s.suppression.expires.isoformat(), s.suppression.reason]
            for s in report.suppressed
        ]
        yield from _table(_SUPPRESSED_COLUMNS, rows)
    for expired in report.expired:
        entry = expired.suppression
        yield (
            f"expired suppression {fit(entry.label)}: ended {entry.expires.isoformat()}, "
            f"{len(expired.findings):,} finding(s) count again ({fit(entry.reason)})\n"
        )
    for entry in report.stale:
        yield f"stale suppression {fit(entry.label)}: matches no finding; remove it\n"
    if report.baseline is not None and report.baseline.fixed:
        yield f"fixed since the baseline: {len(report.baseline.fixed):,}\n"


def render_table(report: EstateReport) -> str:
    """The whole table as one string."""
    return "".join(table_chunks(report))
