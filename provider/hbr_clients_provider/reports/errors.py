"""The one error of the report inputs: a file given to the audit that breaks its rules.

::

    InvalidQuery (hbr_clients_provider.errors)
    └── InputFileError        a suppressions or baseline file: where, which entry, which field
"""

from __future__ import annotations

from hbr_clients_provider.errors import InvalidQuery, Violation

__all__ = ["InputFileError"]


class InputFileError(InvalidQuery):
    """A suppressions or baseline file is unreadable or malformed; nothing was sent.

    ``source`` is the file as the user named it; each violation's ``field`` is the path of
    the offending value inside it (``suppressions[2].expires``: the third entry's expiry).
    """

    def __init__(self, source: str, violations: tuple[Violation, ...]) -> None:
        self.source = source
        super().__init__(violations)
