"""The estate report as GitHub Actions workflow commands, and the job summary.

Printed in a workflow step, each line becomes an annotation on the run::

    ::error title=HBR estate coverage FAIL::FAIL: 74 of 80 instances ... (why)
    ::error title=no_backup_client cn-hangzhou i-abc::instance 'web-1' (...) has no HBR ...
    ::warning title=suppressed no_backup_client cn-hangzhou i-def::... (until 2025-07-01: why)

* the verdict comes first (GitHub shows only the first annotations of each kind per step):
  ``::error`` when the gate failed, else ``::notice``;
* a target that could not be listed: ``::error`` (``::warning`` when accepted);
* a finding the gate counted: ``::error`` when findings failed the gate, ``::warning`` when
  ``--max-findings`` tolerated it (advisory);
* a finding the gate did not count (suppressed, or unchanged since the baseline), an expired
  or a stale suppression: ``::warning``.

Escaping is GitHub's own, as ``@actions/core`` does it (``toCommandValue`` /
``escapeData`` / ``escapeProperty``): in the message ``%`` → ``%25``, CR → ``%0D``, LF →
``%0A``; in a property also ``:`` → ``%3A`` and ``,`` → ``%2C``. So a value can neither end
its line (and start a command of its own, such as ``::add-mask::`` or ``::stop-commands::``)
nor end its property early. Control characters are shown as escapes
(:func:`~hbr_clients_provider.display.terminal_text`) first, since the log is read in a
terminal-like view. Every line this format prints is a workflow command: no free text that
could begin with ``::``.

When ``GITHUB_STEP_SUMMARY`` names a file, the Markdown report is appended to it
(:func:`~.markdown.step_summary`), which GitHub shows on the run's summary page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final, Literal

from hbr_clients_provider.audit.coverage import CoverageFinding
from hbr_clients_provider.display import terminal_text
from hbr_clients_provider.reports.model import EstateReport
from hbr_clients_provider.reports.verdict import target_label, verdict_text

__all__ = [
    "COMMANDS",
    "VERDICT_TITLE",
    "escape_data",
    "escape_property",
    "github_lines",
    "render_github",
    "workflow_command",
]

#: The annotation commands this format writes.
COMMANDS: Final = ("error", "warning", "notice")

#: The title of the verdict's annotation (then ``PASS`` or ``FAIL``).
VERDICT_TITLE: Final = "HBR estate coverage"

Level = Literal["error", "warning", "notice"]


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF escaped (control characters shown first)."""
    shown = terminal_text(text, keep_newlines=True)
    return shown.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: as :func:`escape_data`, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(
    level: Level, message: str, properties: Mapping[str, str] | None = None
) -> str:
    """``::level key=value,...::message``, every part escaped (module docstring)."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in (properties or {}).items())
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def _title(prefix: str, finding: CoverageFinding) -> str:
    ids = " ".join(i for i in (finding.instance_id, finding.client_id) if i)
    where = target_label(finding.account_id, finding.region)
    return f"{prefix}{finding.rule} {where} {ids}".rstrip()


def github_lines(report: EstateReport) -> Iterator[str]:
    """Yield the workflow commands, one per line, without line breaks (module docstring)."""
    verdict = "PASS" if report.passed else "FAIL"
    level: Level = "notice" if report.passed else "error"
    yield workflow_command(level, verdict_text(report), {"title": f"{VERDICT_TITLE} {verdict}"})
    for target in report.coverage.targets:
        if target.error is None:
            continue
        error = target.error
        rid = f" (request id {error.request_id})" if error.request_id else ""
        accepted = " (accepted by --allow-unreachable)" if target.accepted else ""
        yield workflow_command(
            "warning" if target.accepted else "error",
            f"{error.code}{rid}: {error.message}{accepted}",
            {"title": f"could not list {target.target.label}"},
        )
    counted_level: Level = "warning" if report.tolerated else "error"
    for reported in report.findings:
        finding = reported.finding
        if reported.counted:
            yield workflow_command(counted_level, finding.detail, {"title": _title("", finding)})
        else:
            yield workflow_command(
                "warning",
                f"{finding.detail} (unchanged since the baseline: not counted)",
                {"title": _title("known ", finding)},
            )
    for item in report.suppressed:
        entry = item.suppression
        yield workflow_command(
            "warning",
            f"{item.finding.detail} (suppressed until {entry.expires.isoformat()}: {entry.reason})",
            {"title": _title("suppressed ", item.finding)},
        )
    for expired in report.expired:
        entry = expired.suppression
        yield workflow_command(
            "warning",
            f"ended {entry.expires.isoformat()}: {len(expired.findings)} finding(s) count "
            f"again; renew it or fix them ({entry.reason})",
            {"title": f"expired suppression {entry.label}"},
        )
    for entry in report.stale:
        yield workflow_command(
            "warning",
            f"matches no finding: remove it ({entry.reason})",
            {"title": f"stale suppression {entry.label}"},
        )


def render_github(report: EstateReport) -> str:
    """All the workflow commands, one per line."""
    return "".join(line + "\n" for line in github_lines(report))
