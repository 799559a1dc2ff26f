"""Render an :class:`~hbr_clients_provider.audit.AuditReport` as text.

* ``table``: a one-line verdict, the findings as aligned columns, then the summary;
* ``json``: :meth:`AuditReport.to_dict` (``{"findings": [...], "summary": {...}}``);
* ``markdown``: fit to paste into a pull-request comment: a heading, a one-line verdict,
  the summary as a list and the findings as a table (client, instance, rule, detail) with
  ``|`` and other Markdown characters escaped.

Long findings lists can be capped with ``limit``; the cut is always said ("... and 12 more
findings"). Markdown is capped at :data:`DEFAULT_MARKDOWN_ROWS` rows by default, because a
GitHub comment holds at most 65,536 characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from hbr_clients_provider.audit import AuditReport, Finding

__all__ = [
    "DEFAULT_MARKDOWN_ROWS",
    "FORMATS",
    "findings_lines",
    "render_audit",
    "render_json",
    "render_markdown",
    "render_table",
    "summary_lines",
    "verdict",
]

#: The output formats of :func:`render_audit`.
FORMATS: tuple[str, ...] = ("table", "json", "markdown")

#: Findings rows a Markdown report shows unless told otherwise.
DEFAULT_MARKDOWN_ROWS = 100

_EMPTY = "-"
_COLUMNS = ("client_id", "instance_id", "rule", "detail")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def verdict(report: AuditReport) -> str:
    """One line: ``PASS``/``FAIL``, how many findings on how many clients, the rules checked."""
    summary = report.summary
    rules = ", ".join(summary.rules_checked) or "none enabled"
    if report.passed:
        return f"PASS: no findings on {_plural(summary.total_clients, 'client')} (rules: {rules})"
    parts = []
    if summary.clients_with_findings:
        parts.append(
            f"{summary.clients_with_findings} of {_plural(summary.total_clients, 'client')}"
        )
    missing = summary.expected_instances - summary.covered_instances
    if missing:
        parts.append(f"{_plural(missing, 'expected instance')} without a client")
    return (
        f"FAIL: {_plural(len(report.findings), 'finding')} on {', '.join(parts)} (rules: {rules})"
    )


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in counts.items()) or _EMPTY


def _coverage(report: AuditReport) -> str:
    summary = report.summary
    if summary.coverage_percent is None:
        return "n/a (no clients and no expected instances)"
    if summary.coverage_basis == "expected_instances":
        return (
            f"{summary.coverage_percent:g}% ({summary.covered_instances} of "
            f"{_plural(summary.expected_instances, 'expected instance')} have a client)"
        )
    clean = summary.total_clients - summary.clients_with_findings
    return (
        f"{summary.coverage_percent:g}% ({clean} of "
        f"{_plural(summary.total_clients, 'client')} have no finding)"
    )


def summary_lines(report: AuditReport) -> list[tuple[str, str]]:
    """The summary as ``(label, value)`` pairs, in display order."""
    summary = report.summary
    return [
        ("clients", f"{summary.total_clients} ({summary.clients_with_findings} with findings)"),
        ("coverage", _coverage(report)),
        ("findings by rule", _counts(summary.findings_by_rule)),
        ("by status", _counts(summary.by_status)),
        ("by zone", _counts(summary.by_zone)),
        ("by version", _counts(summary.by_version)),
    ]


def _cells(finding: Finding) -> list[str]:
    return [
        finding.client_id or _EMPTY,
        finding.instance_id or _EMPTY,
        finding.rule,
        " ".join(finding.detail.split()),
    ]


def _more(hidden: int) -> str:
    return f"... and {hidden} more {'finding' if hidden == 1 else 'findings'}"


def findings_lines(report: AuditReport, *, limit: int | None = None) -> list[str]:
    """The findings as aligned columns with a header, at most ``limit`` rows.

    When rows are left out, the last line says how many (``... and 12 more findings``).
    """
    shown = report.findings if limit is None else report.findings[: max(0, limit)]
    rows = [list(_COLUMNS), *(_cells(f) for f in shown)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    hidden = len(report.findings) - len(shown)
    if hidden:
        lines.append(_more(hidden))
    return lines


def render_table(report: AuditReport, *, limit: int | None = None) -> str:
    """The verdict, the findings table (when there are findings) and the summary."""
    lines = [verdict(report), ""]
    if report.findings:
        lines += [*findings_lines(report, limit=limit), ""]
    pairs = summary_lines(report)
    width = max(len(label) for label, _ in pairs) + 1
    lines += [f"{label + ':':<{width}} {value}" for label, value in pairs]
    return "\n".join(lines) + "\n"


def render_json(report: AuditReport) -> str:
    """``{"findings": [...], "summary": {...}}`` as indented JSON."""
    return json.dumps(report.to_dict(), indent=2) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _md_text(text: str) -> str:
    r"""Escape ``text`` for a Markdown table cell: ``a|b`` gives ``a\|b``; no line breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_code(text: str | None) -> str:
    """An ID as a code span; a pipe inside is escaped, as GitHub tables require."""
    if not text:
        return _EMPTY
    if "`" in text:
        return _md_text(text)
    return "`" + " ".join(text.split()).replace("|", "\\|") + "`"


def render_markdown(
    report: AuditReport,
    *,
    limit: int | None = DEFAULT_MARKDOWN_ROWS,
    title: str = "HBR backup client audit",
) -> str:
    """A Markdown report for a pull-request comment, at most ``limit`` findings rows."""
    mark = "✅ **PASS**" if report.passed else "❌ **FAIL**"
    _, _, rest = verdict(report).partition(": ")
    lines = [f"## {_md_text(title)}", "", f"{mark}: {_md_text(rest)}", ""]
    lines += [
        f"- **{label.capitalize()}:** {_md_text(value)}" for label, value in summary_lines(report)
    ]
    if report.findings:
        shown = report.findings if limit is None else report.findings[: max(0, limit)]
        lines += [
            "",
            "### Findings",
            "",
            "| Client | Instance | Rule | Detail |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_md_code(f.client_id)} | {_md_code(f.instance_id)} | `{f.rule}` "
            f"| {_md_text(f.detail)} |"
            for f in shown
        ]
        hidden = len(report.findings) - len(shown)
        if hidden:
            lines += ["", f"*{_md_text(_more(hidden))}*"]
    return "\n".join(lines) + "\n"


def render_audit(report: AuditReport, fmt: str, *, limit: int | None = None) -> str:
    """Render ``report`` as ``table``, ``json`` or ``markdown``.

    :param limit: at most this many findings rows (``json`` is never cut; ``markdown``
        defaults to :data:`DEFAULT_MARKDOWN_ROWS`).
    :raises ValueError: for an unknown format.
    """
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report, limit=DEFAULT_MARKDOWN_ROWS if limit is None else limit)
    if fmt == "table":
        return render_table(report, limit=limit)
    msg = f"format must be one of {', '.join(FORMATS)}, got {fmt!r}"
    raise ValueError(msg)
