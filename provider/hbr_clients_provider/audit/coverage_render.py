"""The estate report (:class:`~.coverage.CoverageReport`) as a table, JSON or Markdown.

Every text that came from the cloud (names, tags, error messages) goes through
:mod:`hbr_clients_provider.display`: escaped for a terminal, escaped for Markdown, cut to a
bounded width in tables. JSON is exact and complete: ``passed``, ``complete``, ``gate``,
``scope``, ``targets``, ``findings``, ``summary``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Final, TextIO

from hbr_clients_provider.audit.coverage import CoverageFinding, CoverageReport, TargetSummary
from hbr_clients_provider.audit.gate import GateNames, GateVerdict
from hbr_clients_provider.display import fit, markdown_code, markdown_text, terminal_text

__all__ = [
    "COVERAGE_FORMATS",
    "coverage_failure_message",
    "render_coverage",
    "verdict_line",
    "write_coverage",
]

#: Findings listed in a failure message before ``... and N more``.
MESSAGE_ROWS: Final = 20

#: The formats ``hbr-clients audit`` writes an estate report in.
COVERAGE_FORMATS: Final = ("table", "json", "markdown")

_TARGET_COLUMNS: Final = ("target", "instances", "covered", "clients", "orphans", "error")
_FINDING_COLUMNS: Final = ("rule", "target", "instance_id", "client_id", "detail")


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


def _table(header: tuple[str, ...], rows: list[list[str]]) -> Iterator[str]:
    safe = [[fit(cell) for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in safe)]) for i, h in enumerate(header)]
    for row in (list(header), *safe):
        yield "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"


def _table_chunks(report: CoverageReport, judged: GateVerdict) -> Iterator[str]:
    yield verdict_line(report, judged) + "\n\n"
    yield from _table(_TARGET_COLUMNS, [_target_cells(t) for t in report.targets])
    for target in report.unreachable:
        assert target.error is not None
        yield f"  {target.target.label}: {terminal_text(target.error.message)}\n"
    if report.findings:
        yield "\n"
        yield from _table(_FINDING_COLUMNS, [_finding_cells(f) for f in report.findings])


def _json(report: CoverageReport, judged: GateVerdict) -> str:
    body = {
        "passed": judged.passed,
        "complete": report.complete,
        "gate": judged.to_dict(),
        **report.to_dict(),
    }
    return json.dumps(body, indent=2) + "\n"


def _markdown_chunks(report: CoverageReport, judged: GateVerdict) -> Iterator[str]:
    mark = "✅ **PASS**" if judged.passed else "❌ **FAIL**"
    _, _, rest = verdict_line(report, judged).partition(": ")
    yield f"### HBR estate coverage\n\n{mark}: {markdown_text(rest)}\n\n"
    yield "| " + " | ".join(_TARGET_COLUMNS) + " |\n"
    yield "|" + "---|" * len(_TARGET_COLUMNS) + "\n"
    for target in report.targets:
        cells = _target_cells(target)
        yield "| " + " | ".join(markdown_text(c, 80) for c in cells) + " |\n"
    if report.findings:
        yield "\n| rule | target | instance | client | detail |\n|---|---|---|---|---|\n"
        for finding in report.findings:
            cells = _finding_cells(finding)
            ids = [markdown_code(i, 80) if i else "-" for i in cells[2:4]]
            yield (
                f"| {markdown_code(finding.rule)} | {markdown_text(cells[1], 80)} | "
                f"{ids[0]} | {ids[1]} | {markdown_text(finding.detail, 200)} |\n"
            )


def write_coverage(
    report: CoverageReport, fmt: str, stream: TextIO, *, judged: GateVerdict
) -> None:
    """Write ``report`` to ``stream`` as ``table``, ``json`` or ``markdown``."""
    stream.write(render_coverage(report, fmt, judged=judged))


def render_coverage(report: CoverageReport, fmt: str, *, judged: GateVerdict) -> str:
    """``report`` as ``table``, ``json`` or ``markdown`` (module docstring)."""
    if fmt == "json":
        return _json(report, judged)
    if fmt == "markdown":
        return "".join(_markdown_chunks(report, judged))
    return "".join(_table_chunks(report, judged))


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
