"""The verdict in one line, the same in every format: ``PASS: ...`` or ``FAIL: ... (why)``.

Without suppressions or a baseline it is, word for word,
:func:`~hbr_clients_provider.audit.coverage_render.verdict_line` (which the SDK, the plugin
and the policy pack print). With them, it says how many findings were suppressed and how
many are new, unchanged or fixed since the baseline, and that only new ones count.
"""

from __future__ import annotations

from hbr_clients_provider.reports.model import EstateReport

__all__ = ["plural", "target_label", "verdict_text"]


def plural(count: int, noun: str) -> str:
    """``1 finding``, ``1,234 findings``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def target_label(account_id: str | None, region: str) -> str:
    """``REGION`` for the caller's own account, else ``ACCOUNT/REGION``."""
    return region if account_id is None else f"{account_id}/{region}"


def _facts(report: EstateReport) -> str:
    summary = report.coverage.summary
    share = "n/a" if summary.coverage_percent is None else f"{summary.coverage_percent:g}%"
    facts = (
        f"{summary.covered_instances:,} of {plural(summary.instances, 'instance')} in scope "
        f"covered ({share}) in {plural(summary.targets, 'target')}; "
        f"{plural(len(report.findings), 'finding')}"
    )
    if report.baseline is not None:
        diff = report.baseline
        facts += (
            f" ({len(diff.new):,} new, {len(diff.unchanged):,} unchanged, "
            f"{len(diff.fixed):,} fixed since the baseline)"
        )
    if report.suppressions_file is not None or report.suppressed:
        facts += f"; {len(report.suppressed):,} suppressed"
    if report.expired:
        facts += f"; {plural(len(report.expired), 'expired suppression')}"
    if report.stale:
        facts += f"; {plural(len(report.stale), 'stale suppression')}"
    return facts


def verdict_text(report: EstateReport) -> str:
    """``PASS: <facts>`` or ``FAIL: <facts> (<why>)`` (module docstring)."""
    verdict = report.verdict
    facts = _facts(report)
    if verdict.passed:
        return f"PASS: {facts}"
    why = []
    if verdict.incomplete:
        names = ", ".join(t.target.label for t in report.coverage.unreachable)
        why.append(f"incomplete: could not list {names}")
    if "too_many_findings" in verdict.reasons:
        which = "new findings" if report.baseline is not None else "findings"
        why.append(f"more {which} than the {verdict.gate.max_findings} allowed")
    if verdict.empty_scope:
        why.append("nothing in scope (no instance, no client)")
    return f"FAIL: {facts} ({'; '.join(why)})"
