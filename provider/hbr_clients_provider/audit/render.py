"""Render an :class:`~hbr_clients_provider.audit.rules.AuditReport` as text.

* ``table``: a one-line verdict, the findings as aligned columns, then the summary;
* ``json``: the gate's verdict and :meth:`AuditReport.to_dict`
  (``{"passed": ..., "gate": {...}, "findings": [...], "summary": {...}}``);
* ``markdown``: fit to paste into a pull-request comment: a heading, a one-line verdict,
  the summary as a list and the findings as a table (client, instance, rule, detail) with
  ``|`` and other Markdown characters escaped.

What the server sent (IDs, statuses, zones, versions, details that quote them) reaches the
text only through :mod:`hbr_clients_provider.display`: control characters are escaped in
``table`` and in :func:`failure_message`, Markdown and HTML characters too in ``markdown``,
and a cell longer than :data:`~hbr_clients_provider.display.MAX_CELL_CHARS` is cut with
``...``, said once at the end. ``json`` holds every value exact.

Long findings lists can be capped with ``limit``; the cut is always said ("... and 12 more
findings"). Markdown is capped at :data:`DEFAULT_MARKDOWN_ROWS` rows by default, because a
GitHub comment holds at most 65,536 characters.

:func:`audit_chunks` yields the text piece by piece and :func:`write_audit` streams it, so
a report of 100,000 findings is never held as one string; :func:`render_audit` joins it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TextIO

from hbr_clients_provider.audit.gate import (
    TOO_MANY_FINDINGS,
    Gate,
    GateNames,
    GateVerdict,
    judge,
)
from hbr_clients_provider.audit.rules import AuditReport, Finding
from hbr_clients_provider.display import (
    MAX_CELL_CHARS,
    cut_note,
    fit,
    is_cut,
    markdown_code,
    markdown_text,
    shorten,
    terminal_text,
)

__all__ = [
    "DEFAULT_MARKDOWN_ROWS",
    "FORMATS",
    "MESSAGE_ROWS",
    "audit_chunks",
    "failure_message",
    "findings_lines",
    "render_audit",
    "render_json",
    "render_markdown",
    "render_table",
    "summary_lines",
    "verdict",
    "write_audit",
]

#: The output formats of :func:`render_audit`.
FORMATS: tuple[str, ...] = ("table", "json", "markdown")

#: Findings rows a Markdown report shows unless told otherwise.
DEFAULT_MARKDOWN_ROWS = 100

#: Findings rows a :func:`failure_message` shows; the rest are counted.
MESSAGE_ROWS = 50

_EMPTY = "-"
_COLUMNS = ("client_id", "instance_id", "rule", "detail")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _judged(report: AuditReport, judged: GateVerdict | None) -> GateVerdict:
    """The gate's verdict given, or the verdict of the default gate (every surface's default)."""
    return judged if judged is not None else judge(report, Gate())


def verdict(report: AuditReport, judged: GateVerdict | None = None) -> str:
    """One line: ``PASS``/``FAIL`` as the gate decided, the findings, the rules checked.

    ``judged`` is the gate's verdict on ``report``; without it, the default gate's
    (:class:`~hbr_clients_provider.audit.gate.Gate`: no finding tolerated, no empty scope).
    """
    summary = report.summary
    rules = ", ".join(summary.rules_checked) or "none enabled"
    judged = _judged(report, judged)
    if judged.empty_scope:
        return (
            "FAIL: nothing to audit: no client matched and no instance was expected "
            f"(rules: {rules})"
        )
    if not report.findings:
        return f"PASS: no findings on {_plural(summary.total_clients, 'client')} (rules: {rules})"
    parts = []
    if summary.clients_with_findings:
        parts.append(
            f"{summary.clients_with_findings} of {_plural(summary.total_clients, 'client')}"
        )
    missing = summary.expected_instances - summary.covered_instances
    if missing:
        parts.append(f"{_plural(missing, 'expected instance')} without a client")
    word = "PASS" if judged.passed else "FAIL"
    allowed = judged.gate.max_findings
    within = f", {allowed} allowed" if judged.passed and allowed is not None else ""
    return (
        f"{word}: {_plural(len(report.findings), 'finding')} on {', '.join(parts)}{within} "
        f"(rules: {rules})"
    )


def _counts(counts: Mapping[str, int]) -> str:
    """``key: count, ...``; each key (a status, zone or version the server sent) is shortened."""
    return ", ".join(f"{shorten(key)}: {value}" for key, value in counts.items()) or _EMPTY


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
    """The summary as ``(label, value)`` pairs, in display order.

    The values are plain text, not yet made safe for a terminal or Markdown; keys longer
    than :data:`~hbr_clients_provider.display.MAX_CELL_CHARS` are shortened.
    """
    summary = report.summary
    return [
        ("clients", f"{summary.total_clients} ({summary.clients_with_findings} with findings)"),
        ("coverage", _coverage(report)),
        ("findings by rule", _counts(summary.findings_by_rule)),
        ("by status", _counts(summary.by_status)),
        ("by zone", _counts(summary.by_zone)),
        ("by version", _counts(summary.by_version)),
    ]


def _raw_cells(finding: Finding) -> list[str]:
    return [
        finding.client_id or _EMPTY,
        finding.instance_id or _EMPTY,
        finding.rule,
        " ".join(finding.detail.split()),
    ]


def _cells(finding: Finding) -> list[str]:
    """The row of ``finding`` as terminal-safe cells of at most ``MAX_CELL_CHARS``."""
    return [fit(cell) for cell in _raw_cells(finding)]


def _findings_cut(findings: Sequence[Finding]) -> bool:
    return any(is_cut(cell) for f in findings for cell in _raw_cells(f))


def _summary_cut(report: AuditReport) -> bool:
    summary = report.summary
    counts = (summary.by_status, summary.by_zone, summary.by_version)
    return any(len(key) > MAX_CELL_CHARS for count in counts for key in count)


def _shown(report: AuditReport, limit: int | None) -> Sequence[Finding]:
    return report.findings if limit is None else report.findings[: max(0, limit)]


#: Where a cut cell's whole value is, as a reader of the CLI's output is told.
_FULL_VALUES = "use --format json for full values"


def _more(hidden: int) -> str:
    return f"... and {hidden} more {'finding' if hidden == 1 else 'findings'}"


def _findings_rows(report: AuditReport, limit: int | None) -> Iterator[str]:
    """The findings table, line by line: two passes (widths, then rows), no list of rows."""
    shown = _shown(report, limit)
    widths = [len(c) for c in _COLUMNS]
    for finding in shown:
        widths = [max(w, len(c)) for w, c in zip(widths, _cells(finding), strict=True)]
    for row in (list(_COLUMNS), *(_cells(f) for f in shown)):
        yield "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
    hidden = len(report.findings) - len(shown)
    if hidden:
        yield _more(hidden)


def findings_lines(report: AuditReport, *, limit: int | None = None) -> list[str]:
    """The findings as aligned columns with a header, at most ``limit`` rows.

    When rows are left out, a line says how many (``... and 12 more findings``); when a
    cell was cut, the last line says so. Cells are terminal-safe (see the module docstring).
    """
    lines = list(_findings_rows(report, limit))
    if _findings_cut(_shown(report, limit)):
        lines.append(cut_note())
    return lines


def failure_message(report: AuditReport, judged: GateVerdict, names: GateNames) -> str:
    """Why the gate failed: the verdict, what to change, then the findings.

    ``names`` spells the gate's settings as the caller's user does (``max_findings``,
    ``maxFindings``, ``--max-findings``); at most :data:`MESSAGE_ROWS` findings rows are shown.
    """
    head = f"HBR backup client audit {verdict(report, judged)}"
    if TOO_MANY_FINDINGS in judged.reasons:
        head += f"; {judged.gate.max_findings} allowed by {names.max_findings}"
    if judged.empty_scope:
        head += (
            f"; set {names.allow_empty} if an empty scope is expected, or check the query "
            "(client type, tags, IDs, region, account): an audit of nothing proves nothing"
        )
    lines = [head]
    if report.findings:
        lines += [f"  {line}" for line in findings_lines(report, limit=MESSAGE_ROWS)]
    return "\n".join(lines)


def _table_chunks(
    report: AuditReport, limit: int | None, judged: GateVerdict | None = None
) -> Iterator[str]:
    yield f"{verdict(report, judged)}\n\n"
    if report.findings:
        for line in _findings_rows(report, limit):
            yield f"{line}\n"
        yield "\n"
    pairs = summary_lines(report)
    width = max(len(label) for label, _ in pairs) + 1
    for label, value in pairs:
        yield f"{label + ':':<{width}} {terminal_text(value)}\n"
    if _findings_cut(_shown(report, limit)) or _summary_cut(report):
        yield f"\n{cut_note(full_values=_FULL_VALUES)}\n"


def render_table(
    report: AuditReport, *, limit: int | None = None, judged: GateVerdict | None = None
) -> str:
    """The verdict, the findings table (when there are findings) and the summary."""
    return "".join(_table_chunks(report, limit, judged))


def _json_chunks(report: AuditReport, judged: GateVerdict | None = None) -> Iterator[str]:
    """``json.dumps({"passed", "gate", **report.to_dict()}, indent=2)``, a finding at a time."""
    gate = _judged(report, judged)
    head = f'{{\n  "passed": {json.dumps(gate.passed)},\n'
    head += '  "gate": ' + json.dumps(gate.to_dict(), indent=2).replace("\n", "\n  ") + ",\n"
    if not report.findings:
        yield head + '  "findings": [],\n'
    else:
        yield head + '  "findings": [\n'
        last = len(report.findings) - 1
        for index, finding in enumerate(report.findings):
            text = json.dumps(finding.to_dict(), indent=2).replace("\n", "\n    ")
            yield f"    {text}{',' if index < last else ''}\n"
        yield "  ],\n"
    summary = json.dumps(report.summary.to_dict(), indent=2).replace("\n", "\n  ")
    yield f'  "summary": {summary}\n}}\n'


def render_json(report: AuditReport, *, judged: GateVerdict | None = None) -> str:
    """``{"passed": ..., "gate": {...}, "findings": [...], "summary": {...}}``, indented."""
    return "".join(_json_chunks(report, judged))


def _md_code(text: str | None) -> str:
    """An ID as a code span (``-`` when there is none), cut to ``MAX_CELL_CHARS``."""
    return markdown_code(text, MAX_CELL_CHARS) if text else _EMPTY


def render_markdown(
    report: AuditReport,
    *,
    limit: int | None = DEFAULT_MARKDOWN_ROWS,
    title: str = "HBR backup client audit",
    judged: GateVerdict | None = None,
) -> str:
    """A Markdown report for a pull-request comment, at most ``limit`` findings rows."""
    judged = _judged(report, judged)
    mark = "✅ **PASS**" if judged.passed else "❌ **FAIL**"
    _, _, rest = verdict(report, judged).partition(": ")
    lines = [f"## {markdown_text(title)}", "", f"{mark}: {markdown_text(rest)}", ""]
    lines += [
        f"- **{label.capitalize()}:** {markdown_text(value)}"
        for label, value in summary_lines(report)
    ]
    shown = _shown(report, limit)
    if report.findings:
        lines += [
            "",
            "### Findings",
            "",
            "| Client | Instance | Rule | Detail |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_md_code(f.client_id)} | {_md_code(f.instance_id)} | {_md_code(f.rule)} "
            f"| {markdown_text(f.detail, MAX_CELL_CHARS)} |"
            for f in shown
        ]
        hidden = len(report.findings) - len(shown)
        if hidden:
            lines += ["", f"*{markdown_text(_more(hidden))}*"]
    if _findings_cut(shown) or _summary_cut(report):
        lines += ["", f"*{markdown_text(cut_note(full_values=_FULL_VALUES))}*"]
    return "\n".join(lines) + "\n"


def audit_chunks(
    report: AuditReport,
    fmt: str,
    *,
    limit: int | None = None,
    judged: GateVerdict | None = None,
) -> Iterator[str]:
    """Yield ``report`` rendered as ``table``, ``json`` or ``markdown``, piece by piece.

    :param limit: at most this many findings rows (``json`` is never cut; ``markdown``
        defaults to :data:`DEFAULT_MARKDOWN_ROWS`).
    :param judged: the gate's verdict on ``report`` (default: the default gate's).
    :raises ValueError: for an unknown format (before anything is yielded).
    """
    if fmt not in FORMATS:
        msg = f"format must be one of {', '.join(FORMATS)}, got {fmt!r}"
        raise ValueError(msg)
    return _chunks(report, fmt, limit, judged)


def _chunks(
    report: AuditReport, fmt: str, limit: int | None, judged: GateVerdict | None
) -> Iterator[str]:
    if fmt == "json":
        yield from _json_chunks(report, judged)
    elif fmt == "markdown":
        rows = DEFAULT_MARKDOWN_ROWS if limit is None else limit
        yield render_markdown(report, limit=rows, judged=judged)
    else:
        yield from _table_chunks(report, limit, judged)


def render_audit(
    report: AuditReport, fmt: str, *, limit: int | None = None, judged: GateVerdict | None = None
) -> str:
    """Render ``report`` as ``table``, ``json`` or ``markdown`` (see :func:`audit_chunks`)."""
    return "".join(audit_chunks(report, fmt, limit=limit, judged=judged))


def write_audit(
    report: AuditReport,
    fmt: str,
    stream: TextIO,
    *,
    limit: int | None = None,
    judged: GateVerdict | None = None,
) -> None:
    """Write ``report`` to ``stream`` as it is rendered (see :func:`audit_chunks`)."""
    for chunk in audit_chunks(report, fmt, limit=limit, judged=judged):
        stream.write(chunk)
