"""Text from a server made safe for where a person reads it: a terminal, Markdown, a spreadsheet.

Hostnames, statuses, instance IDs, versions, zones, tags and API error messages come from
the network, so they may hold anything. Every human-facing renderer (the ``hbr-clients``
table, CSV and stderr, the audit's table and Markdown report, the failure message that the
SDK, the ``hbr`` plugin and the policy pack raise, and the text of every
:class:`~hbr_clients_provider.errors.HbrError`, which ``pulumi preview`` prints as it gets
it) passes that text through this module, and through nothing else:

* :func:`terminal_text` writes every control character as a visible escape
  (``\\x1b``, ``\\x9b``, ``\\u202e``): C0 and DEL (ESC starts the sequences that retitle a
  window, clear the screen or rewrite the clipboard), C1 (U+0080-U+009F, which 8-bit
  terminals read as ESC sequences: U+009B is CSI), and the bidirectional overrides and
  isolates (U+202A-U+202E, U+2066-U+2069, with U+200E, U+200F and U+061C) that make text
  read differently from what it is (the Trojan Source class, CVE-2021-42574), plus the line
  and paragraph separators U+2028 and U+2029;
* :func:`fit` is :func:`terminal_text` on one line, cut to a width with ``...``, so one
  5 MB hostname cannot pad every row of a table to 5 MB; :func:`cut_note` is the line that
  says a table was cut;
* :func:`markdown_text` and :func:`markdown_code` escape, on top, what Markdown or HTML
  would interpret (``\\ ` * _ { } [ ] < > # | ~ & ! @``, the ``:`` of ``://``, and a leading
  ``-``, ``+``, ``=`` or ``1.``), and fold line breaks, so a value stays inside its table
  cell and renders as the characters it holds;
* :func:`csv_cell` follows OWASP's CSV-injection guidance: control characters are escaped
  (so a leading tab or carriage return becomes ``\\x09``/``\\x0d``), then a cell that starts
  with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so that a spreadsheet shows it as
  text rather than running it as a formula; writers quote every cell (``csv.QUOTE_ALL``) so
  a ``;`` or ``,`` inside a value cannot start a new cell.

JSON output needs none of this: :func:`json.dumps` writes every control character as
``\\u00XX`` and the value is exact; it is the format for full values.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "ELLIPSIS",
    "MAX_CELL_CHARS",
    "csv_cell",
    "cut_note",
    "fit",
    "is_cut",
    "markdown_code",
    "markdown_text",
    "shorten",
    "terminal_text",
]

#: The widest cell a table shows; longer values are cut (see :func:`fit`). Real hostnames
#: and IDs are far shorter (instance IDs 22 characters, most FQDNs under 64).
MAX_CELL_CHARS: Final = 80

#: What ends a cut value: ASCII, so it prints whatever the terminal's encoding.
ELLIPSIS: Final = "..."

# Character-class ranges of what is never written as is (see the module docstring).
_NOT_C0: Final = (
    r"\x7f-\x9f"  # DEL, C1
    r"\u061c\u200e\u200f"  # ARABIC LETTER MARK, LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    r"\u2028\u2029"  # LINE SEPARATOR, PARAGRAPH SEPARATOR
    r"\u202a-\u202e"  # LRE, RLE, PDF, LRO, RLO
    r"\u2066-\u2069"  # LRI, RLI, FSI, PDI
)
_UNSAFE: Final = re.compile(rf"[\x00-\x1f{_NOT_C0}]")
_UNSAFE_BUT_NEWLINE: Final = re.compile(rf"[\x00-\x09\x0b-\x1f{_NOT_C0}]")

# The ASCII characters Markdown (CommonMark, GitHub's tables, strikethrough and autolinks)
# or HTML gives a meaning to anywhere in a line; CommonMark lets any ASCII punctuation be
# backslash-escaped. "@" starts an e-mail autolink and ":" a URL one, but only ":" before
# "//" is escaped, so that "rules: x" stays readable in the Markdown source.
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]<>#|~&!@]|:(?=//))")
# What Markdown reads only at the start of a line: a list item ("- ", "+ ", "1. ", "1) ")
# or a heading underline ("=").
_MARKDOWN_LEADING: Final = re.compile(r"^([-+=]|\d+(?=[.)]))")

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_leading(match: re.Match[str]) -> str:
    lead = match.group()
    # "1." is escaped as "1\.": the backslash goes before the punctuation.
    return lead + "\\" if lead.isdigit() else "\\" + lead


def terminal_text(text: str, *, keep_newlines: bool = False) -> str:
    r"""``text`` with every control character written as an escape.

    ``"web\x1b]0;pwned\x07"`` gives ``"web\\x1b]0;pwned\\x07"``: the terminal prints the
    characters and runs nothing. With ``keep_newlines``, ``"\n"`` stays a line break (for a
    message of several lines); a carriage return is always escaped, since it lets a value
    overwrite what was printed before it.
    """
    pattern = _UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def shorten(text: str, width: int = MAX_CELL_CHARS) -> str:
    """``text`` itself if it has at most ``width`` characters, else its start and ``...``."""
    if len(text) <= width:
        return text
    return text[: max(0, width - len(ELLIPSIS))] + ELLIPSIS


def fit(text: str, width: int = MAX_CELL_CHARS) -> str:
    """``text`` as one table cell: :func:`terminal_text`, at most ``width`` characters.

    Only the first ``width + 1`` characters are read, so a cell of a 5 MB value costs what
    a short one does; a cut cell ends with :data:`ELLIPSIS` (test with :func:`is_cut`).
    """
    return shorten(terminal_text(text[: width + 1]), width)


def is_cut(text: str, width: int = MAX_CELL_CHARS) -> bool:
    """Whether :func:`fit` (``text``, ``width``) leaves something out."""
    return len(text) > width or len(terminal_text(text[: width + 1])) > width


def cut_note(width: int = MAX_CELL_CHARS, *, full_values: str | None = None) -> str:
    """The line a cut table ends with; ``full_values`` says where the whole values are."""
    note = f"cells longer than {width} characters were cut"
    return f"{note}; {full_values}" if full_values else note


def markdown_text(text: str, width: int | None = None) -> str:
    r"""``text`` as Markdown that renders as exactly these characters, on one line.

    Control characters are escaped as for a terminal (:func:`terminal_text`), runs of white
    space (line breaks included) become one space, and every character Markdown or HTML
    would read is backslash-escaped: ``a|b <i>`` gives ``a\|b \<i\>``. With ``width``, the
    text is first cut as :func:`fit` does.
    """
    flat = " ".join(text.split())
    shown = terminal_text(flat) if width is None else fit(flat, width)
    shown = _MARKDOWN_SPECIAL.sub(r"\\\1", shown)
    return _MARKDOWN_LEADING.sub(_escape_leading, shown, count=1)


def markdown_code(text: str, width: int | None = None) -> str:
    """``text`` (an ID) as a code span, which GitHub renders verbatim; a ``|`` is escaped.

    A value holding a backtick cannot close its own span safely and is given as
    :func:`markdown_text` instead.
    """
    flat = " ".join(text.split())
    shown = terminal_text(flat) if width is None else fit(flat, width)
    if "`" in shown:
        return markdown_text(shown)
    # GitHub splits table cells at "|" before it parses code spans, so it needs the escape.
    return "`" + shown.replace("|", "\\|") + "`"


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows and never runs (OWASP CSV injection).

    Control characters are escaped (:func:`terminal_text`); a value that then starts with
    ``=``, ``+``, ``-`` or ``@`` gets a leading ``'``: ``=HYPERLINK("http://x")`` gives
    ``'=HYPERLINK("http://x")``. A leading tab or carriage return is escaped to ``\\x09`` /
    ``\\x0d`` first, so it cannot hide such a start. The writer must quote every cell.
    """
    shown = terminal_text(text)
    if shown.startswith(_FORMULA_STARTS):
        return "'" + shown
    return shown
