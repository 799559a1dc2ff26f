"""Where reports go: ``--report FORMAT=PATH`` checked before the audit, written after it.

:func:`parse_report_requests` checks every request before anything is sent: the format is
one of :data:`~.formats.REPORT_FORMATS`, the path is not a directory, its directory exists
and may be written, an existing file may be replaced, and no two requests name the same
path. Nothing is created by the check, so a bad request leaves no file behind.

:func:`write_report` replaces a regular file atomically (a temporary file in the same
directory, then :func:`os.replace`), so a CI step never reads half a report; a path that is
not a regular file (``/dev/stdout``, a pipe) is written in place.

The ``github`` format also appends the Markdown summary to the file ``GITHUB_STEP_SUMMARY``
names (:func:`append_step_summary`), once per run; that file is checked up front too.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs

from hbr_clients_provider.errors import Violation
from hbr_clients_provider.reports.formats import REPORT_FORMATS
from hbr_clients_provider.reports.markdown import step_summary
from hbr_clients_provider.reports.model import EstateReport

__all__ = [
    "STEP_SUMMARY_VARIABLE",
    "ReportRequest",
    "append_step_summary",
    "parse_report_requests",
    "path_problem",
    "write_report",
]

#: The variable GitHub Actions sets to the job summary's file.
STEP_SUMMARY_VARIABLE: Final = "GITHUB_STEP_SUMMARY"

_SYNTAX_RULE = f"must be FORMAT=PATH, FORMAT one of {', '.join(REPORT_FORMATS)}"


@attrs.frozen(kw_only=True)
class ReportRequest:
    """One ``--report FORMAT=PATH``."""

    fmt: str
    path: Path


def _new_file_problem(path: Path) -> str | None:
    parent = path.parent
    if not parent.is_dir():
        return f"cannot be written: the directory {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot be written: the directory {parent} is not writable"
    return None


def path_problem(path: Path, *, append: bool = False) -> str | None:
    """Why a report could not be written to ``path``, or ``None`` (nothing is created).

    ``append``: the file is appended to, not replaced, so its directory need not be writable.
    """
    if str(path) == "":
        return "names no file"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return _new_file_problem(path)
    except OSError as error:
        return f"cannot be written: {error.strerror}"
    problem = None
    if stat.S_ISDIR(mode):
        problem = "is a directory"
    elif not os.access(path, os.W_OK):
        problem = "cannot be written: permission denied"
    elif stat.S_ISREG(mode) and not append and not os.access(path.parent, os.W_OK | os.X_OK):
        problem = f"cannot be replaced: the directory {path.parent} is not writable"
    return problem


def parse_report_requests(
    values: Sequence[str], environ: Mapping[str, str], *, printing_github: bool = False
) -> tuple[tuple[ReportRequest, ...], list[Violation]]:
    """The requests of ``--report`` values, and what is wrong with them (``report[i]``).

    With a ``github`` report (or ``printing_github``: ``--format github``), the file
    ``GITHUB_STEP_SUMMARY`` names is checked too.
    """
    requests: list[ReportRequest] = []
    found: list[Violation] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        field = f"report[{index}]"
        fmt, sep, raw = value.partition("=")
        if not sep or not raw:
            found.append(Violation(field=field, rule=_SYNTAX_RULE, value=value))
            continue
        if fmt not in REPORT_FORMATS:
            close = difflib.get_close_matches(fmt, REPORT_FORMATS, n=1)
            found.append(
                Violation(
                    field=field,
                    rule=f"FORMAT must be one of {', '.join(REPORT_FORMATS)}",
                    value=fmt,
                    suggestion=close[0] if close else None,
                )
            )
            continue
        path = Path(raw)
        problem = path_problem(path)
        if problem is not None:
            found.append(Violation(field=field, rule=f"PATH {problem}", value=raw))
            continue
        key = str(path.resolve())
        if key in seen:
            rule = f"PATH is already the file of --report #{seen[key] + 1}"
            found.append(Violation(field=field, rule=rule, value=raw))
            continue
        seen[key] = index
        requests.append(ReportRequest(fmt=fmt, path=path))
    summary = environ.get(STEP_SUMMARY_VARIABLE)
    if summary and (printing_github or any(r.fmt == "github" for r in requests)):
        problem = path_problem(Path(summary), append=True)
        if problem is not None:
            found.append(Violation(field=STEP_SUMMARY_VARIABLE, rule=problem, value=summary))
    return tuple(requests), found


def write_report(text: str, path: Path) -> None:
    """Write ``text`` to ``path``: atomically for a regular file (module docstring).

    :raises OSError: when it cannot be written.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = stat.S_IFREG | 0o644  # a new report is read by other CI steps and users
    if not stat.S_ISREG(mode):
        with path.open("w", encoding="utf-8") as stream:
            stream.write(text)
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).chmod(stat.S_IMODE(mode))
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def append_step_summary(report: EstateReport, environ: Mapping[str, str]) -> Path | None:
    """Append the Markdown summary to ``GITHUB_STEP_SUMMARY``'s file, if it is set.

    :raises OSError: when it cannot be written.
    """
    name = environ.get(STEP_SUMMARY_VARIABLE)
    if not name:
        return None
    path = Path(name)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(step_summary(report) + "\n")
    return path
