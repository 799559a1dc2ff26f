"""Tests of :mod:`hbr_clients_provider.display`: server text made safe for a person."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hbr_clients_provider.display import (
    ELLIPSIS,
    MAX_CELL_CHARS,
    csv_cell,
    cut_note,
    fit,
    is_cut,
    markdown_code,
    markdown_text,
    shorten,
    terminal_text,
)

#: What a hostile server puts in a hostname: retitle the window, clear the screen.
HOSTILE = "web\x1b]0;pwned\x07\x1b[2J"

#: Every character that must never reach a terminal as is.
UNSAFE = [
    *map(chr, range(0x20)),
    "\x7f",
    *map(chr, range(0x80, 0xA0)),
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
    "\u061c",
    "\u200e",
    "\u200f",
    "\u2028",
    "\u2029",
]


def _unsafe_in(text: str) -> list[str]:
    return [c for c in text if c in UNSAFE]


#: Text with a fair share of the characters that matter here.
texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(UNSAFE),
        st.sampled_from("=+-@|`*_[]<>&#\\~!:{}()., ;\"'\t\r\n"),
        st.characters(codec="utf-8"),
    ),
    max_size=200,
)


class TestTerminalText:
    """terminal_text: control and bidi characters become visible escapes."""

    def test_escape_sequences_are_shown_not_run(self) -> None:
        """ESC and BEL of an OSC title sequence print as \\x1b and \\x07."""
        assert terminal_text(HOSTILE) == r"web\x1b]0;pwned\x07\x1b[2J"

    @pytest.mark.parametrize("char", UNSAFE)
    def test_every_control_and_bidi_character_is_escaped(self, char: str) -> None:
        """C0, DEL, C1 and the Trojan Source bidi characters are all escaped."""
        shown = terminal_text(f"a{char}b")
        assert _unsafe_in(shown) == []
        assert shown == f"a\\x{ord(char):02x}b" if ord(char) < 0x100 else f"a\\u{ord(char):04x}b"

    def test_plain_text_is_returned_as_is(self) -> None:
        """Text without a control character is the same object: nothing to pay for."""
        text = "web-1.example.com ünïcode 日本"
        assert terminal_text(text) is text

    def test_keep_newlines_keeps_only_line_feeds(self) -> None:
        """A message keeps its lines; a carriage return (overwrite a line) is still escaped."""
        assert terminal_text("a\nb\rc\x1b", keep_newlines=True) == "a\nb\\x0dc\\x1b"
        assert terminal_text("a\nb") == "a\\x0ab"

    @given(texts)
    def test_never_lets_an_unsafe_character_through(self, text: str) -> None:
        """Whatever the text, the result holds no control or bidi character, and is stable."""
        shown = terminal_text(text)
        assert _unsafe_in(shown) == []
        assert terminal_text(shown) == shown


class TestFit:
    """fit: one terminal-safe line of bounded width."""

    def test_a_5mb_value_becomes_a_bounded_cell(self) -> None:
        """A 5 MB hostname gives MAX_CELL_CHARS characters ending with the ellipsis."""
        cell = fit("h" * 5_000_000)
        assert len(cell) == MAX_CELL_CHARS
        assert cell.endswith(ELLIPSIS)
        assert is_cut("h" * 5_000_000)

    def test_a_value_of_exactly_the_width_is_not_cut(self) -> None:
        """Exactly MAX_CELL_CHARS characters fit; one more is cut."""
        assert fit("h" * MAX_CELL_CHARS) == "h" * MAX_CELL_CHARS
        assert not is_cut("h" * MAX_CELL_CHARS)
        assert is_cut("h" * (MAX_CELL_CHARS + 1))

    def test_escapes_count_towards_the_width(self) -> None:
        """Escaping can make a short value too wide: it is cut, and is_cut says so."""
        text = "\x1b" * 30  # 30 characters, 120 once escaped
        assert len(fit(text)) == MAX_CELL_CHARS
        assert is_cut(text)

    def test_shorten_leaves_short_text_alone(self) -> None:
        """shorten cuts only what is longer than the width."""
        assert shorten("abc", 3) == "abc"
        assert shorten("abcdefgh", 6) == "abc..."

    @given(texts, st.integers(min_value=4, max_value=100))
    def test_is_safe_and_bounded(self, text: str, width: int) -> None:
        """Any text fits in width characters with no unsafe character, cut iff is_cut."""
        cell = fit(text, width)
        assert len(cell) <= width
        assert _unsafe_in(cell) == []
        assert (cell != terminal_text(text)) == is_cut(text, width)

    def test_cut_note_says_where_the_full_values_are(self) -> None:
        """The note names the width and, when given, where to find the whole values."""
        assert cut_note(80) == "cells longer than 80 characters were cut"
        assert cut_note(full_values="use --format json for full values") == (
            f"cells longer than {MAX_CELL_CHARS} characters were cut; "
            "use --format json for full values"
        )


#: A Markdown or HTML special character not preceded by an escaping backslash.
_UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*(?:[`*_\[\]<>|#~&!@{}]|://)")


class TestMarkdown:
    """markdown_text and markdown_code: a value renders as its characters, in its cell."""

    def test_table_and_html_characters_are_escaped(self) -> None:
        """Pipes, HTML, emphasis, links, entities, e-mail and URL autolinks are escaped."""
        assert markdown_text("a|b <img src=x onerror=y> *x* [l](u) &lt; @team") == (
            r"a\|b \<img src=x onerror=y\> \*x\* \[l\](u) \&lt; \@team"
        )
        assert markdown_text("rules: x, see http://evil") == r"rules: x, see http\://evil"

    def test_escapes_are_shown_then_escaped_again(self) -> None:
        """A terminal escape becomes \\x1b, whose backslash Markdown must keep: \\\\x1b."""
        assert markdown_text(HOSTILE) == r"web\\x1b\]0;pwned\\x07\\x1b\[2J"

    def test_line_breaks_are_folded(self) -> None:
        """A newline in a value cannot end the table row: white space becomes one space."""
        assert markdown_text("a\n| b |\r\n## c") == r"a \| b \| \#\# c"

    @pytest.mark.parametrize(
        ("text", "shown"),
        [("# x", r"\# x"), ("- x", r"\- x"), ("+ x", r"\+ x"), ("1. x", r"1\. x"),
         ("12) x", r"12\) x"), ("=x", r"\=x"), ("a - b 1. c", "a - b 1. c")],
    )  # fmt: skip
    def test_line_start_syntax_is_escaped_only_at_the_start(self, text: str, shown: str) -> None:
        """A heading, list item or underline is escaped where Markdown would read it."""
        assert markdown_text(text) == shown

    def test_width_cuts_before_escaping(self) -> None:
        """With a width, a long value is cut with an ellipsis, then escaped."""
        assert markdown_text("a|" * 100, 10) == r"a\|a\|a\|a..."

    def test_code_span_keeps_an_id_verbatim(self) -> None:
        """An ID is a code span; its pipe is escaped for GitHub tables; controls are shown."""
        assert markdown_code("i-a|b") == r"`i-a\|b`"
        assert markdown_code("i-\x1b[2J") == r"`i-\x1b[2J`"

    def test_code_span_with_a_backtick_falls_back_to_text(self) -> None:
        """A backtick would close the span, so the value is escaped text instead."""
        assert markdown_code("i-`rm`") == r"i-\`rm\`"

    @given(texts)
    def test_no_markup_survives(self, text: str) -> None:
        """Any text gives one line with no unsafe or unescaped Markdown character."""
        shown = markdown_text(text)
        assert "\n" not in shown
        assert _unsafe_in(shown) == []
        assert _UNESCAPED.search(shown) is None


class TestCsvCell:
    """csv_cell: OWASP's CSV-injection guidance."""

    @pytest.mark.parametrize(
        ("text", "cell"),
        [
            ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", r"\x09=1"),
            ("\r=1", r"\x0d=1"),
            ("web-1", "web-1"),
            ("", ""),
        ],
    )
    def test_formula_starts_are_neutralised(self, text: str, cell: str) -> None:
        """A cell a spreadsheet would run gets a leading quote; tab and CR are escaped."""
        assert csv_cell(text) == cell

    @given(texts)
    def test_no_cell_can_start_a_formula(self, text: str) -> None:
        """Whatever the text, the cell never starts with = + - @ tab or CR, and has no control."""
        cell = csv_cell(text)
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert _unsafe_in(cell) == []

    def test_quoted_cells_round_trip_through_a_csv_reader(self) -> None:
        """Written with QUOTE_ALL, a cell with ; , and quotes reads back as one cell."""
        buffer = io.StringIO()
        cells = [csv_cell('a;=b,"c"'), csv_cell("=1")]
        csv.writer(buffer, quoting=csv.QUOTE_ALL).writerow(cells)
        assert buffer.getvalue() == '"a;=b,""c""","\'=1"\r\n'
        assert next(csv.reader(io.StringIO(buffer.getvalue()))) == cells


class TestJsonNeedsNothing:
    """JSON output is exact and already safe for a terminal."""

    @pytest.mark.parametrize("char", UNSAFE)
    def test_json_dumps_escapes_every_control_character(self, char: str) -> None:
        """json.dumps writes C0, DEL, C1 and bidi characters as \\u escapes and reads them back."""
        text = json.dumps({"hostname": f"a{char}b"})
        # json.dumps escapes all non-ASCII (ensure_ascii), and C0 always.
        assert _unsafe_in(text) == []
        assert json.loads(text) == {"hostname": f"a{char}b"}

    def test_unsafe_list_matches_the_unicode_categories(self) -> None:
        """Every Cc character of the BMP's first 0xA0 code points is in UNSAFE."""
        controls = [chr(c) for c in range(0xA0) if unicodedata.category(chr(c)) == "Cc"]
        assert set(controls) <= set(UNSAFE)
