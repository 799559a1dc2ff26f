"""Tests of :mod:`hbr_clients_provider.api.name_regex`: RE2, which cannot hang."""

from __future__ import annotations

import time

import pytest

from hbr_clients_provider.api.name_regex import MAX_PATTERN_CHARS, compile_name_regex, regex_problem
from hbr_clients_provider.api.query import validate_inputs


def test_catastrophic_pattern_is_linear() -> None:
    """``(a+)+$`` against 34 a's and '!' answers in milliseconds, not minutes."""
    pattern = compile_name_regex("(a+)+$")
    started = time.monotonic()
    assert pattern.search("a" * 34 + "!") is None
    assert pattern.search("a" * 100_000 + "!") is None
    assert time.monotonic() - started < 1.0


def test_ordinary_patterns_match_as_in_re() -> None:
    """Classes, anchors, alternation and (?i) behave as in Python's re."""
    assert compile_name_regex(r"^web-\d+$").search("web-12") is not None
    assert compile_name_regex("(?i)DB|cache").search("db-primary") is not None
    assert compile_name_regex(r"^web-\d+$").search("xweb-12") is None


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)", "(?<!a)b", "(", "a{1000}{1000}"])
def test_unsupported_or_invalid_patterns_refused(
    pattern: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """Backreferences, lookaround, syntax errors and huge programs are refused, quietly."""
    assert regex_problem(pattern) is not None
    assert capfd.readouterr().err == ""  # RE2 would log the error itself


def test_long_pattern_refused() -> None:
    """A pattern over the length bound is refused with its length."""
    problem = regex_problem("a" * (MAX_PATTERN_CHARS + 1))
    assert problem is not None
    assert str(MAX_PATTERN_CHARS + 1) in problem


def test_query_names_the_field_and_value() -> None:
    """An unusable name_regex is a violation of name_regex carrying the pattern."""
    (violation,) = validate_inputs({"client_type": "ECS_CLIENT", "name_regex": r"(a)\1"})
    assert violation.field == "name_regex"
    assert violation.value == r"(a)\1"
    assert "RE2" in violation.rule
