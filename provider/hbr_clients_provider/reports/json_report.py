"""The estate report as JSON: exact, complete, and described by ``report.schema.json``.

The object (every key always present; see :data:`SCHEMA_RESOURCE` for each one's type):

* ``format_version`` (1), ``passed``, ``complete``, ``gate`` (the verdict: ``reasons``, the
  ``findings`` it counted, ``max_findings``, ``allow_empty``);
* ``tool`` (``name``, ``version``), ``query`` (``regions``, ``accounts``, ``flags``, and
  ``caller_account_id``: the caller's own account ID when several accounts were audited),
  ``generated_at`` (UTC, ISO 8601);
* ``scope``, ``targets``, ``summary`` (as the audit counted them; ``findings_by_rule`` over
  the reported findings, with ``reported_findings``, ``counted_findings`` and
  ``suppressed_findings``);
* ``findings``: the findings no suppression excused, each with ``baseline`` (``new``,
  ``unchanged`` or ``null``) and ``counted``;
* ``suppressed``: the excused findings, each with its ``suppression`` entry;
* ``suppressions``: ``file``, and the ``expired`` and ``stale`` entries;
* ``baseline``: ``null``, or ``file`` and the counts ``new``, ``unchanged``, ``fixed``,
  ``not_rechecked`` and the ``fixed_findings``.

Such a report is also what ``--baseline`` reads back.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

from hbr_clients_provider.reports.model import EstateReport

__all__ = ["FORMAT_VERSION", "SCHEMA_RESOURCE", "load_schema", "render_json", "report_dict"]

#: Bumped when a key changes meaning or goes away (adding keys does not bump it).
FORMAT_VERSION: Final = 1

#: The JSON Schema (draft 2020-12) of the report, shipped in this package.
SCHEMA_RESOURCE: Final = "report.schema.json"


def load_schema() -> dict[str, Any]:
    """The report's JSON Schema, as shipped in the package."""
    text = resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_dict(report: EstateReport) -> dict[str, Any]:
    """The report as a JSON-safe dict (module docstring)."""
    coverage = report.coverage
    summary = {
        **coverage.summary.to_dict(),
        "findings_by_rule": report.findings_by_rule,
        "reported_findings": len(report.findings),
        "counted_findings": len(report.counted),
        "suppressed_findings": len(report.suppressed),
    }
    return {
        "format_version": FORMAT_VERSION,
        "passed": report.passed,
        "complete": report.complete,
        "gate": report.verdict.to_dict(),
        "tool": report.tool.to_dict(),
        "query": None
        if report.query is None
        else {**report.query.to_dict(), "caller_account_id": coverage.caller_account_id},
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "scope": coverage.scope.to_dict(),
        "targets": [t.to_dict() for t in coverage.targets],
        "findings": [f.to_dict() for f in report.findings],
        "summary": summary,
        "suppressed": [s.to_dict() for s in report.suppressed],
        "suppressions": {
            "file": report.suppressions_file,
            "expired": [e.to_dict() for e in report.expired],
            "stale": [s.to_dict() for s in report.stale],
        },
        "baseline": None if report.baseline is None else report.baseline.to_dict(),
    }


def render_json(report: EstateReport) -> str:
    """The report as indented JSON, ending with a line break."""
    return json.dumps(report_dict(report), indent=2) + "\n"
