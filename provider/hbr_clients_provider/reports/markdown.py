"""The estate report as Markdown for a pull-request comment or a job summary: complete, safe.

Nothing is cut: every target and every finding is there, and a long section (more than
:data:`OPEN_ROWS` rows) is collapsed in a ``<details>`` element so the comment stays short to
read. Values from the cloud pass :func:`~hbr_clients_provider.display.markdown_text` (every
Markdown and HTML character escaped, ``@`` and ``#`` too, so no mention or issue link is
made) or :func:`~hbr_clients_provider.display.markdown_code` (IDs, as code spans); inside the
HTML of ``<summary>`` only this module's own words and numbers appear, HTML-escaped.

GitHub refuses a job summary over 1 MiB: :func:`step_summary` gives the complete report when
it fits, else the same report without the rows of findings, saying where they are.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from typing import Final

from hbr_clients_provider.audit.coverage import TargetSummary
from hbr_clients_provider.display import markdown_code, markdown_text
from hbr_clients_provider.reports.model import EstateReport, ReportedFinding
from hbr_clients_provider.reports.verdict import plural, target_label, verdict_text

__all__ = [
    "OPEN_ROWS",
    "STEP_SUMMARY_MAX_BYTES",
    "markdown_chunks",
    "render_markdown",
    "step_summary",
]

#: Sections with more rows than this are collapsed in ``<details>``.
OPEN_ROWS: Final = 10

#: GitHub's limit on one step's job summary (1 MiB).
STEP_SUMMARY_MAX_BYTES: Final = 1024 * 1024


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


def _header(names: Sequence[str]) -> str:
    return _row(names) + "|" + "---|" * len(names) + "\n"


def _id(value: str | None) -> str:
    return markdown_code(value) if value else "-"


def _section(title: str, count: int, body: Sequence[str]) -> Iterator[str]:
    """``body`` under a bold title, or collapsed under it when it has many rows."""
    if count > OPEN_ROWS:
        yield f"<details><summary>{html.escape(title)}</summary>\n\n"
        yield from body
        yield "\n</details>\n\n"
    else:
        yield f"**{markdown_text(title)}**\n\n"
        yield from body
        yield "\n"


def _target_row(target: TargetSummary) -> str:
    if target.error is not None:
        rid = f", request id {target.error.request_id}" if target.error.request_id else ""
        accepted = " (accepted)" if target.accepted else ""
        error = markdown_text(f"{target.error.code}{rid}{accepted}: {target.error.message}")
        return _row([markdown_code(target.target.label), "-", "-", "-", "-", "-", error])
    share = (
        f"{100 * target.covered_instances / target.instances:.1f}%" if target.instances else "n/a"
    )
    counts = (target.instances, target.covered_instances)
    return _row(
        [
            markdown_code(target.target.label),
            *(f"{c:,}" for c in counts),
            share,
            f"{target.clients:,}",
            f"{target.orphan_clients:,}",
            "",
        ]
    )


def _facts(report: EstateReport) -> Iterator[str]:
    verdict = report.verdict
    summary = report.coverage.summary
    reasons = ", ".join(markdown_code(r) for r in verdict.reasons) or "none"
    allowed = "no limit" if verdict.gate.max_findings is None else f"{verdict.gate.max_findings:,}"
    yield (
        f"- **Gate**: passed `{str(report.passed).lower()}`, complete "
        f"`{str(report.complete).lower()}`; reasons: {reasons}; findings allowed: {allowed}\n"
    )
    share = "n/a" if summary.coverage_percent is None else f"{summary.coverage_percent:g}%"
    yield (
        f"- **Coverage**: {summary.covered_instances:,} of "
        f"{plural(summary.instances, 'instance')} in scope covered ({share}); "
        f"{plural(summary.clients, 'client')}, {summary.orphan_clients:,} orphan; "
        f"{plural(summary.targets, 'target')}, {summary.failed_targets:,} not listed\n"
    )
    yield (
        f"- **Findings**: {len(report.findings):,} reported, {len(report.counted):,} counted "
        f"by the gate, {len(report.suppressed):,} suppressed\n"
    )
    if report.baseline is not None:
        diff = report.baseline
        yield (
            f"- **Baseline** ({markdown_code(diff.source)}): {len(diff.new):,} new, "
            f"{len(diff.unchanged):,} unchanged, {len(diff.fixed):,} fixed, "
            f"{diff.not_rechecked:,} not rechecked (target not listed)\n"
        )
    yield "\n"


def _finding_row(reported: ReportedFinding, with_status: bool) -> str:
    finding = reported.finding
    cells = [
        markdown_code(target_label(finding.account_id, finding.region)),
        _id(finding.instance_id),
        _id(finding.client_id),
        *([reported.baseline or ""] if with_status else []),
        markdown_text(finding.detail),
    ]
    return _row(cells)


def _findings(report: EstateReport) -> Iterator[str]:
    with_status = report.baseline is not None
    names = ["target", "instance", "client", *(["baseline"] if with_status else []), "detail"]
    for rule in report.findings_by_rule:
        rows = [r for r in report.findings if r.finding.rule == rule]
        body = [_header(names), *(_finding_row(r, with_status) for r in rows)]
        yield from _section(f"{rule}: {plural(len(rows), 'finding')}", len(rows), body)


def _suppressed(report: EstateReport) -> Iterator[str]:
    names = ["rule", "target", "instance", "client", "expires", "reason", "detail"]
    body = [_header(names)]
    for item in report.suppressed:
        finding, entry = item.finding, item.suppression
        body.append(
            _row(
                [
                    markdown_code(finding.rule),
                    markdown_code(target_label(finding.account_id, finding.region)),
                    _id(finding.instance_id),
                    _id(finding.client_id),
                    entry.expires.isoformat(),
                    markdown_text(entry.reason),
                    markdown_text(finding.detail),
                ]
            )
        )
    count = len(report.suppressed)
    yield from _section(f"Suppressed: {plural(count, 'finding')}", count, body)


def _review(report: EstateReport) -> Iterator[str]:
    lines = [
        f"- expired {markdown_text(e.suppression.label)}: ended "
        f"{e.suppression.expires.isoformat()}; {plural(len(e.findings), 'finding')} count "
        f"again ({markdown_text(e.suppression.reason)})\n"
        for e in report.expired
    ]
    lines += [
        f"- stale {markdown_text(s.label)}: matches no finding; remove it "
        f"({markdown_text(s.reason)})\n"
        for s in report.stale
    ]
    yield from _section(f"Suppressions to review: {len(lines):,}", len(lines), lines)


def _fixed(report: EstateReport) -> Iterator[str]:
    if report.baseline is None or not report.baseline.fixed:
        return
    fixed = report.baseline.fixed
    body = [_header(["rule", "target", "instance", "client"])]
    body += [
        _row(
            [
                markdown_code(f.rule),
                markdown_code(target_label(f.account_id, f.region)),
                _id(f.instance_id),
                _id(f.client_id),
            ]
        )
        for f in fixed
    ]
    yield from _section(
        f"Fixed since the baseline: {plural(len(fixed), 'finding')}", len(fixed), body
    )


def markdown_chunks(report: EstateReport, *, with_findings: bool = True) -> Iterator[str]:
    """Yield the Markdown piece by piece; ``with_findings=False`` leaves the finding rows out."""
    mark = "✅ **PASS**" if report.passed else "❌ **FAIL**"
    _, _, rest = verdict_text(report).partition(": ")
    yield f"### HBR estate coverage\n\n{mark}: {markdown_text(rest)}\n\n"
    yield from _facts(report)
    targets = report.coverage.targets
    body = [
        _header(["target", "instances", "covered", "coverage", "clients", "orphans", "error"]),
        *(_target_row(t) for t in targets),
    ]
    yield from _section(f"Targets: {len(targets):,}", len(targets), body)
    if report.findings:
        rules = report.findings_by_rule
        yield _header(["rule", "findings"])
        for rule, count in rules.items():
            yield _row([markdown_code(rule), f"{count:,}"])
        yield "\n"
        if with_findings:
            yield from _findings(report)
        else:
            yield (
                f"The {plural(len(report.findings), 'finding')} do not fit in a job summary: "
                "see the Markdown, JSON or HTML report.\n\n"
            )
    if report.suppressed:
        yield from _suppressed(report)
    if report.expired or report.stale:
        yield from _review(report)
    yield from _fixed(report)
    tool = report.tool
    when = report.generated_at.isoformat(timespec="seconds")
    yield f"<sub>{html.escape(f'{tool.name} {tool.version}, {when}')}</sub>\n"


def render_markdown(report: EstateReport) -> str:
    """The complete Markdown report."""
    return "".join(markdown_chunks(report))


def step_summary(report: EstateReport) -> str:
    """The report for ``GITHUB_STEP_SUMMARY``: complete when it fits in 1 MiB (module docstring)."""
    text = render_markdown(report)
    if len(text.encode("utf-8")) <= STEP_SUMMARY_MAX_BYTES:
        return text
    return "".join(markdown_chunks(report, with_findings=False))
