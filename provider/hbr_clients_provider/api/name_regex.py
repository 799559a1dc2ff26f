"""The ``name_regex`` filter's engine: RE2 (``google-re2``), which cannot hang.

``name_regex`` is matched against every client's instance name and hostname, during
``pulumi preview`` as well as ``up``, so a pattern must not be able to stall a listing.
Python's ``re`` backtracks: ``(a+)+$`` against a hostname of 34 ``a``s and ``!`` takes
longer than anyone waits (measured: killed after 40 s). Two cures exist on PyPI:

* the ``regex`` package with ``timeout=``: the same semantics as ``re``, but a time limit
  per match makes the *answer* depend on the machine's load: the same pattern against the
  same fleet could match on an idle laptop and time out on a busy CI runner, and a
  per-match limit multiplied by 100,000 clients is no bound on a listing at all;
* RE2 (``google-re2``, Google's bindings, a binary wheel): matching takes time linear in
  the text whatever the pattern, so there is nothing to time out, and the answer never
  depends on load.

This module uses RE2. What it gives up are the features that need backtracking:
backreferences (``\\1``) and lookaround (``(?=...)``, ``(?<!...)``); such a pattern is
refused by :func:`regex_problem` at validation time, with the field named, so nothing is
sent. Everything else a name filter needs (classes, ``\\d``, alternation, anchors, ``(?i)``,
repetition) behaves as in ``re``. Compiled programs are bounded too: a pattern is at most
:data:`MAX_PATTERN_CHARS` characters and its program at most :data:`MAX_PROGRAM_BYTES`
(``a{1000}{1000}`` is refused as too large).
"""

from __future__ import annotations

from typing import Any, Protocol

import re2

__all__ = [
    "MAX_PATTERN_CHARS",
    "MAX_PROGRAM_BYTES",
    "NamePattern",
    "compile_name_regex",
    "regex_problem",
]

#: Longest ``name_regex`` accepted.
MAX_PATTERN_CHARS = 1024

#: Memory RE2 may use for one compiled pattern (its ``max_mem`` option).
MAX_PROGRAM_BYTES = 8 << 20


class NamePattern(Protocol):
    """A compiled pattern: ``search(text)`` returns a match object or ``None``."""

    def search(self, text: str) -> Any:
        """Find the pattern anywhere in ``text``."""
        ...


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print parse errors to stderr itself
    options.max_mem = MAX_PROGRAM_BYTES
    return options


def compile_name_regex(pattern: str) -> NamePattern:
    """Compile ``pattern`` with RE2.

    :raises ValueError: when the pattern is too long or RE2 refuses it (the message says why).
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        msg = f"{len(pattern)} characters, more than {MAX_PATTERN_CHARS}"
        raise ValueError(msg)
    try:
        compiled: NamePattern = re2.compile(pattern, options=_options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        msg = str(reason)
        raise ValueError(msg) from None
    return compiled


def regex_problem(pattern: str) -> str | None:
    """Why RE2 refuses ``pattern`` (``"missing )"``), or ``None`` when it compiles."""
    try:
        compile_name_regex(pattern)
    except ValueError as exc:
        return str(exc)
    return None
