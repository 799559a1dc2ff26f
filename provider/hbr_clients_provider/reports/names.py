"""The names of the report formats, apart from their renderers (cheap to import)."""

from __future__ import annotations

from typing import Final

__all__ = ["PRINT_FORMATS", "REPORT_FORMATS"]

#: The formats ``--report FORMAT=PATH`` writes.
REPORT_FORMATS: Final = ("json", "junit", "github", "markdown", "html")

#: The formats ``--format`` prints for an estate audit.
PRINT_FORMATS: Final = ("table", *REPORT_FORMATS)
