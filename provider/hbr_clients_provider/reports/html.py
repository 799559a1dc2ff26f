"""The estate report as one self-contained HTML page: verdict, charts, a table to explore.

One file, nothing fetched: the style and the script are inline, the charts are inline SVG
drawn here, and a Content-Security-Policy allows exactly that style and that script (by
their SHA-256) and nothing else (``default-src 'none'``): no network, no other script, even
if a value slipped through. The page holds

* the **verdict** (``#verdict``: ``data-passed``, ``data-complete``, ``data-reasons``) and the
  key numbers (``[data-kpi=NAME]`` with ``data-value``, as the JSON report's ``summary``);
* **coverage per account and region**, a heatmap (``g.cell`` with ``data-target``,
  ``data-instances``, ``data-covered``, ``data-error``);
* **findings by rule**, bars (``g.rule-bar`` with ``data-rule``, ``data-count``);
* the **findings** (reported, then suppressed) in a table a person can sort (click a column
  heading) and filter (text, rule, status); the script reads the rows the page holds and only
  hides and reorders them;
* the **targets** and what to review (expired and stale suppressions, the baseline).

Every value from the cloud goes through :func:`~.escape.html_text` (``html.escape`` after
control characters are made visible) by the one element builder :func:`_el`; markup is only
ever this module's own (:class:`_Safe`). No event handler attribute is written: the script
binds its listeners itself.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Final

from hbr_clients_provider.audit.coverage import CoverageFinding, TargetSummary
from hbr_clients_provider.reports.escape import html_text
from hbr_clients_provider.reports.model import EstateReport
from hbr_clients_provider.reports.verdict import plural, target_label, verdict_text

__all__ = ["render_html"]

_CELL_W: Final = 136
_CELL_H: Final = 46
_LEFT: Final = 170
_TOP: Final = 30
_BAR_MAX: Final = 520
_BAR_H: Final = 24

#: Coverage at or above each bound gets its colour (fill, text); a gap of a few machines is
#: amber, most of a region uncovered is red.
_SCALE: Final = (
    (100.0, "#1a7f37", "#ffffff"),
    (95.0, "#4ac26b", "#0b2e13"),
    (80.0, "#d4a72c", "#2b2000"),
    (50.0, "#e16f24", "#ffffff"),
    (0.0, "#cf222e", "#ffffff"),
)
#: HTML elements that have no end tag.
_VOID: Final = frozenset({"input", "meta", "link", "br"})
_NO_DATA: Final = ("#d1d9e0", "#1f2328")
_ERROR: Final = ("#6e7781", "#ffffff")


class _Safe(str):
    """Markup this module wrote itself; anything else is text to escape."""

    __slots__ = ()


def _el(tag: str, *children: str, **attributes: str | int | float | None) -> _Safe:
    """``<tag attr="...">children</tag>``: plain strings and attribute values escaped.

    An attribute name's trailing ``_`` is dropped (``class_``), other ``_`` become ``-``
    (``data_rule``); ``None`` leaves the attribute out.
    """
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{html_text(str(value))}"'
        for name, value in attributes.items()
        if value is not None
    )
    if tag in _VOID:
        return _Safe(f"<{tag}{attrs}>")
    inner = "".join(c if isinstance(c, _Safe) else html_text(c) for c in children)
    return _Safe(f"<{tag}{attrs}>{inner}</{tag}>")


def _join(parts: Iterable[str]) -> _Safe:
    return _Safe("".join(p if isinstance(p, _Safe) else html_text(p) for p in parts))


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _colours(target: TargetSummary) -> tuple[str, str]:
    if target.error is not None:
        return _ERROR
    if not target.instances:
        return _NO_DATA
    share = 100 * target.covered_instances / target.instances
    return next((fill, ink) for bound, fill, ink in _SCALE if share >= bound)


def _percent(covered: int, total: int) -> str:
    if not total:
        return "n/a"
    share = 100 * covered / total
    return f"{share:.0f}%" if share in (0, 100) else f"{share:.1f}%"


def _account_name(account_id: str | None) -> str:
    return "caller's account" if account_id is None else account_id


def _heatmap(report: EstateReport) -> _Safe:
    targets = report.coverage.targets
    if not targets:
        return _el("p", "No target was audited.", class_="empty")
    accounts = sorted(
        {t.target.account_id for t in targets}, key=lambda a: (a is not None, a or "")
    )
    regions = sorted({t.target.region for t in targets if t.target.region != "*"})
    width = _LEFT + max(1, len(regions)) * _CELL_W + 10
    height = _TOP + len(accounts) * _CELL_H + 34
    parts: list[str] = []
    for column, region in enumerate(regions):
        x = _LEFT + column * _CELL_W + _CELL_W // 2
        parts.append(_el("text", region, x=x, y=_TOP - 10, text_anchor="middle"))
    by_key = {(t.target.account_id, t.target.region): t for t in targets}
    for row, account in enumerate(accounts):
        y = _TOP + row * _CELL_H
        parts.append(
            _el(
                "text",
                _account_name(account),
                x=_LEFT - 10,
                y=y + _CELL_H // 2 + 4,
                text_anchor="end",
            )
        )
        whole = by_key.get((account, "*"))
        if whole is not None and whole.error is not None:
            span = max(1, len(regions)) * _CELL_W - 4
            fill, ink = _ERROR
            label = f"could not be reached: {whole.error.code}"
            parts.append(
                _el(
                    "g",
                    _el(
                        "title", f"{whole.target.label}: {whole.error.code}: {whole.error.message}"
                    ),
                    _el(
                        "rect",
                        x=_LEFT + 2,
                        y=y + 2,
                        width=span,
                        height=_CELL_H - 4,
                        rx=4,
                        fill=fill,
                    ),
                    _el("text", label, x=_LEFT + 12, y=y + _CELL_H // 2 + 4, fill=ink),
                    class_="cell",
                    data_target=whole.target.label,
                    data_instances=0,
                    data_covered=0,
                    data_error=whole.error.code,
                )
            )
            continue
        for column, region in enumerate(regions):
            target = by_key.get((account, region))
            x = _LEFT + column * _CELL_W
            if target is None:
                parts.append(
                    _el(
                        "rect",
                        x=x + 2,
                        y=y + 2,
                        width=_CELL_W - 4,
                        height=_CELL_H - 4,
                        rx=4,
                        fill="#ffffff",
                        stroke="#d1d9e0",
                    )
                )
                continue
            fill, ink = _colours(target)
            if target.error is not None:
                main, sub = "error", target.error.code
                tip = f"{target.target.label}: {target.error.code}: {target.error.message}"
            else:
                main = _percent(target.covered_instances, target.instances)
                sub = f"{target.covered_instances:,}/{target.instances:,} instances"
                tip = f"{target.target.label}: {sub} covered, {plural(target.clients, 'client')}"
            parts.append(
                _el(
                    "g",
                    _el("title", tip),
                    _el(
                        "rect",
                        x=x + 2,
                        y=y + 2,
                        width=_CELL_W - 4,
                        height=_CELL_H - 4,
                        rx=4,
                        fill=fill,
                    ),
                    _el(
                        "text",
                        main,
                        x=x + _CELL_W // 2,
                        y=y + 20,
                        text_anchor="middle",
                        fill=ink,
                        class_="cell-main",
                    ),
                    _el(
                        "text",
                        sub if len(sub) <= 20 else sub[:19] + "…",
                        x=x + _CELL_W // 2,
                        y=y + 36,
                        text_anchor="middle",
                        fill=ink,
                    ),
                    class_="cell",
                    data_target=target.target.label,
                    data_instances=target.instances,
                    data_covered=target.covered_instances,
                    data_error=None if target.error is None else target.error.code,
                )
            )
    legend_y = _TOP + len(accounts) * _CELL_H + 14
    x = _LEFT
    for text, (fill, _) in (
        ("100%", _SCALE[0][1:]),
        ("≥95%", _SCALE[1][1:]),
        ("≥80%", _SCALE[2][1:]),
        ("≥50%", _SCALE[3][1:]),
        ("<50%", _SCALE[4][1:]),
        ("no instance", _NO_DATA),
        ("not listed", _ERROR),
    ):
        parts.append(_el("rect", x=x, y=legend_y, width=12, height=12, rx=2, fill=fill))
        parts.append(_el("text", text, x=x + 16, y=legend_y + 10))
        x += 30 + 7 * len(text)
    return _el(
        "svg",
        _el("title", "Instances in scope covered by a backup client, per account and region"),
        _join(parts),
        xmlns="http://www.w3.org/2000/svg",
        width=max(width, x + 10),
        height=height,
        viewBox=f"0 0 {max(width, x + 10)} {height}",
        role="img",
        id="coverage-chart",
    )


def _rule_bars(report: EstateReport) -> _Safe:
    rules = report.findings_by_rule
    if not rules:
        return _el("p", "No findings.", class_="empty", id="no-findings")
    top = max(rules.values())
    parts: list[str] = []
    for row, (rule, count) in enumerate(rules.items()):
        y = row * (_BAR_H + 8)
        width = max(2, round(_BAR_MAX * count / top))
        parts.append(
            _el(
                "g",
                _el("title", f"{rule}: {plural(count, 'finding')}"),
                _el("text", rule, x=_LEFT - 10, y=y + 16, text_anchor="end"),
                _el("rect", x=_LEFT, y=y, width=width, height=_BAR_H, rx=3, fill="#cf222e"),
                _el("text", f"{count:,}", x=_LEFT + width + 6, y=y + 16, class_="cell-main"),
                class_="rule-bar",
                data_rule=rule,
                data_count=count,
            )
        )
    height = len(rules) * (_BAR_H + 8)
    return _el(
        "svg",
        _el("title", "Findings per rule"),
        _join(parts),
        xmlns="http://www.w3.org/2000/svg",
        width=_LEFT + _BAR_MAX + 80,
        height=height,
        viewBox=f"0 0 {_LEFT + _BAR_MAX + 80} {height}",
        role="img",
        id="rules-chart",
    )


def _kpis(report: EstateReport) -> _Safe:
    summary = report.coverage.summary
    share = "n/a" if summary.coverage_percent is None else f"{summary.coverage_percent:g}%"
    items = (
        ("instances", "Instances in scope", summary.instances, f"{summary.instances:,}"),
        (
            "covered_instances",
            "Covered",
            summary.covered_instances,
            f"{summary.covered_instances:,}",
        ),
        ("coverage_percent", "Coverage", summary.coverage_percent, share),
        ("counted_findings", "Findings counted", len(report.counted), f"{len(report.counted):,}"),
        (
            "reported_findings",
            "Findings reported",
            len(report.findings),
            f"{len(report.findings):,}",
        ),
        (
            "suppressed_findings",
            "Suppressed",
            len(report.suppressed),
            f"{len(report.suppressed):,}",
        ),
        ("clients", "Clients", summary.clients, f"{summary.clients:,}"),
        ("orphan_clients", "Orphan clients", summary.orphan_clients, f"{summary.orphan_clients:,}"),
        ("targets", "Targets", summary.targets, f"{summary.targets:,}"),
        ("failed_targets", "Not listed", summary.failed_targets, f"{summary.failed_targets:,}"),
    )
    cells = [
        _el(
            "div",
            _el("dt", label),
            _el("dd", shown),
            data_kpi=key,
            data_value="" if value is None else value,
        )
        for key, label, value, shown in items
    ]
    return _el("dl", _join(cells), class_="kpis")


def _header(report: EstateReport) -> _Safe:
    word = "PASS" if report.passed else "FAIL"
    tool = report.tool
    meta = [
        f"{tool.name} {tool.version}",
        f"generated {report.generated_at.isoformat(timespec='seconds')}",
    ]
    if report.query is not None:
        regions = report.query.regions
        meta.append("regions: " + (regions if isinstance(regions, str) else ", ".join(regions)))
        accounts = report.query.accounts
        if accounts is not None:
            meta.append(
                "accounts: " + (accounts if isinstance(accounts, str) else ", ".join(accounts))
            )
    if report.baseline is not None:
        diff = report.baseline
        meta.append(
            f"baseline {diff.source}: {len(diff.new):,} new, {len(diff.unchanged):,} unchanged, "
            f"{len(diff.fixed):,} fixed, {diff.not_rechecked:,} not rechecked"
        )
    return _el(
        "header",
        _el("h1", "HBR estate coverage ", _el("span", word, class_="badge")),
        _el("p", verdict_text(report), class_="verdict-text"),
        _kpis(report),
        _el("p", " · ".join(meta), class_="meta"),
        id="verdict",
        class_=f"verdict {'pass' if report.passed else 'fail'}",
        data_passed=str(report.passed).lower(),
        data_complete=str(report.complete).lower(),
        data_reasons=" ".join(report.verdict.reasons),
    )


def _finding_row(status: str, finding: CoverageFinding, note: str) -> _Safe:
    return _el(
        "tr",
        _el("td", _el("span", status, class_=f"status {status}")),
        _el("td", finding.rule),
        _el("td", target_label(finding.account_id, finding.region), class_="id"),
        _el("td", finding.instance_id or "-", class_="id"),
        _el("td", finding.client_id or "-", class_="id"),
        _el("td", finding.detail, class_="detail"),
        _el("td", note),
        data_rule=finding.rule,
        data_status=status,
    )


def _finding_rows(report: EstateReport) -> Iterator[_Safe]:
    notes = {"new": "new since the baseline", "unchanged": "in the baseline"}
    for reported in report.findings:
        status = "counted" if reported.counted else "known"
        yield _finding_row(status, reported.finding, notes.get(reported.baseline or "", ""))
    for item in report.suppressed:
        entry = item.suppression
        note = f"until {entry.expires.isoformat()}: {entry.reason}"
        yield _finding_row("suppressed", item.finding, note)


def _findings(report: EstateReport) -> _Safe:
    columns = ("Status", "Rule", "Target", "Instance", "Client", "Detail", "Note")
    head = _el(
        "thead",
        _el(
            "tr",
            _join(_el("th", _el("button", name, type="button"), scope="col") for name in columns),
        ),
    )
    rules = sorted(
        {r.finding.rule for r in report.findings} | {s.finding.rule for s in report.suppressed}
    )
    rule_options = _join(
        [_el("option", "all rules", value=""), *(_el("option", r, value=r) for r in rules)]
    )
    status_options = _join(
        [
            _el("option", "any status", value=""),
            *(_el("option", s, value=s) for s in ("counted", "known", "suppressed")),
        ]
    )
    controls = _el(
        "div",
        _el(
            "label",
            "Filter ",
            _el(
                "input",
                id="filter",
                type="search",
                placeholder="text in any column",
                autocomplete="off",
            ),
        ),
        _el("label", "Rule ", _el("select", rule_options, id="rule-filter")),
        _el("label", "Status ", _el("select", status_options, id="status-filter")),
        _el("span", "", id="shown"),
        class_="controls",
    )
    total = len(report.findings) + len(report.suppressed)
    table = _el(
        "table",
        head,
        _el("tbody", _join(_finding_rows(report))),
        id="findings-table",
        data_rows=total,
    )
    return _el("section", _el("h2", f"Findings ({total:,})"), controls, table, id="findings")


def _targets(report: EstateReport) -> _Safe:
    columns = ("Target", "Instances", "Covered", "Coverage", "Clients", "Orphans", "Error")
    head = _el("thead", _el("tr", _join(_el("th", name, scope="col") for name in columns)))
    rows = []
    for t in report.coverage.targets:
        if t.error is not None:
            rid = f" (request id {t.error.request_id})" if t.error.request_id else ""
            accepted = " (accepted)" if t.accepted else ""
            cells = [
                _el("td", t.target.label, class_="id"),
                *(_el("td", "-", class_="num") for _ in range(5)),
                _el("td", f"{t.error.code}{rid}{accepted}: {t.error.message}"),
            ]
        else:
            numbers = (t.instances, t.covered_instances)
            cells = [
                _el("td", t.target.label, class_="id"),
                *(_el("td", f"{n:,}", class_="num") for n in numbers),
                _el("td", _percent(t.covered_instances, t.instances), class_="num"),
                _el("td", f"{t.clients:,}", class_="num"),
                _el("td", f"{t.orphan_clients:,}", class_="num"),
                _el("td", ""),
            ]
        rows.append(_el("tr", _join(cells), data_target=t.target.label))
    table = _el("table", head, _el("tbody", _join(rows)), id="targets-table")
    return _el("section", _el("h2", "Targets"), table, id="targets")


def _review(report: EstateReport) -> _Safe | None:
    items = [
        _el(
            "li",
            f"expired {e.suppression.label}: ended {e.suppression.expires.isoformat()}; "
            f"{plural(len(e.findings), 'finding')} count again ({e.suppression.reason})",
            data_kind="expired",
        )
        for e in report.expired
    ]
    items += [
        _el("li", f"stale {s.label}: matches no finding; remove it ({s.reason})", data_kind="stale")
        for s in report.stale
    ]
    if not items:
        return None
    return _el(
        "section",
        _el("h2", "Suppressions to review"),
        _el("ul", _join(items), class_="review"),
        id="review",
    )


def render_html(report: EstateReport) -> str:
    """The report as one self-contained HTML document (module docstring)."""
    style = _asset("report.css")
    script = _asset("report.js")
    policy = (
        f"default-src 'none'; style-src {_sha256(style)}; script-src {_sha256(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    word = "PASS" if report.passed else "FAIL"
    head = _join(
        [
            _Safe('<meta charset="utf-8">'),
            _Safe('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            _Safe(f'<meta http-equiv="Content-Security-Policy" content="{policy}">'),
            _Safe('<link rel="icon" href="data:,">'),
            _el("title", f"HBR estate coverage: {word}"),
            _Safe(f"<style>{style}</style>"),
        ]
    )
    sections = [
        _el(
            "section",
            _el("h2", "Coverage by account and region"),
            _el("div", _heatmap(report), class_="chart"),
            id="coverage",
        ),
        _el(
            "section",
            _el("h2", "Findings by rule"),
            _el("div", _rule_bars(report), class_="chart"),
            id="rules",
        ),
    ]
    review = _review(report)
    if review is not None:
        sections.append(review)
    sections += [_findings(report), _targets(report)]
    body = _join(
        [_header(report), _el("main", _join(sections)), _Safe(f"<script>{script}</script>")]
    )
    return f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head><body>{body}</body></html>\n'
