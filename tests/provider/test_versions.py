"""Tests of :mod:`hbr_clients_provider.api.versions`."""

from __future__ import annotations

import pytest

from hbr_clients_provider.api.versions import compare_versions, parse_version


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2.13.10", (2, 13, 10)),
        ("2.4", (2, 4)),
        ("2.4.0", (2, 4)),
        ("v2.5.1-beta", (2, 5, 1)),
        ("", ()),
        (None, ()),
    ],
)
def test_parse_version_parts(text: str | None, parsed: tuple[int, ...]) -> None:
    """Versions parse into integer parts without trailing zeros."""
    assert parse_version(text) == parsed


@pytest.mark.parametrize(
    ("left", "right", "result"),
    [
        ("2.13.10", "2.4.5", 1),
        ("2.4.5", "2.13.10", -1),
        ("2.9.9", "2.10.0", -1),
        ("2.4", "2.4.0", 0),
        ("10.0", "9.99.99", 1),
        ("2.13.10", "2.13.10", 0),
    ],
)
def test_compare_versions_multi_digit_parts(left: str, right: str, result: int) -> None:
    """Parts compare numerically, not as text."""
    assert compare_versions(left, right) == result
