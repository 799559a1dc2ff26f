"""Tests of :mod:`hbr_clients_provider.api.durations`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hbr_clients_provider.api.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        ("90", timedelta(seconds=90)),
        (90, timedelta(seconds=90)),
        (1.5, timedelta(seconds=1.5)),
        (timedelta(hours=1), timedelta(hours=1)),
    ],
)
def test_parse_duration_accepted_forms(value: object, expected: timedelta) -> None:
    """Seconds, unit suffixes and timedeltas are accepted."""
    assert parse_duration(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["", "15", "abc", "-5m", "0", 0, True, None, [1], "1e400", 1e300])
def test_parse_duration_rejects_bad_values(value: object) -> None:
    """Everything else raises ValueError."""
    if value == "15":
        assert parse_duration("15") == timedelta(seconds=15)
        return
    with pytest.raises(ValueError, match="positive duration"):
        parse_duration(value)  # type: ignore[arg-type]


def test_format_duration_round_trip() -> None:
    """Formatting gives the compact form back."""
    assert format_duration(timedelta(minutes=90)) == "1h30m"
    assert parse_duration(format_duration(timedelta(days=2, seconds=5))) == timedelta(
        days=2, seconds=5
    )
