"""The report formats: each a renderer of the one :class:`~.model.EstateReport`.

Prowler's outputs and junitparser's objects are the model: every format takes the same
report and none re-judges it. ``table`` is for a terminal only; the others can also be
written to files with ``--report FORMAT=PATH``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from hbr_clients_provider.reports.escape import encodable
from hbr_clients_provider.reports.github import render_github
from hbr_clients_provider.reports.html import render_html
from hbr_clients_provider.reports.json_report import render_json
from hbr_clients_provider.reports.junit import render_junit
from hbr_clients_provider.reports.markdown import render_markdown
from hbr_clients_provider.reports.model import EstateReport
from hbr_clients_provider.reports.names import PRINT_FORMATS, REPORT_FORMATS
from hbr_clients_provider.reports.table import render_table

__all__ = ["PRINT_FORMATS", "RENDERERS", "REPORT_FORMATS", "render"]

Renderer = Callable[[EstateReport], str]

#: Every format, by name.
RENDERERS: Final[Mapping[str, Renderer]] = {
    "table": render_table,
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
    "markdown": render_markdown,
    "html": render_html,
}


def render(report: EstateReport, fmt: str) -> str:
    """``report`` in format ``fmt`` (one of :data:`PRINT_FORMATS`), encodable as UTF-8."""
    return encodable(RENDERERS[fmt](report))
