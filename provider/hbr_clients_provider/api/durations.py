"""Durations written as ``"15m"``, ``"2h"``, ``"1d"``, ``"90s"``, ``"1h30m"`` or plain seconds."""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["MAX_DURATION", "format_duration", "parse_duration"]

#: The longest duration any input accepts (ten years): far beyond any heartbeat or age
#: anyone means, and far from where ``now - duration`` leaves the range of a datetime.
MAX_DURATION = timedelta(days=3650)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TOKEN = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(value: str | float | timedelta) -> timedelta:
    """Parse a duration.

    Accepts a :class:`~datetime.timedelta`, a number of seconds (``900`` or ``"900"``), or
    unit-suffixed parts (``"15m"``, ``"2h"``, ``"1d"``, ``"1h30m"``). The result must be
    positive.

    :raises ValueError: for anything else, with a message that says the accepted forms.
    """
    msg = "must be a positive duration such as 900, '15m', '2h', '1d' or '1h30m'"
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, bool):
        raise ValueError(msg)  # noqa: TRY004 - one error type for every bad duration
    elif isinstance(value, int | float):
        try:
            result = timedelta(seconds=value)
        except (OverflowError, ValueError):
            raise ValueError(msg) from None
    elif isinstance(value, str):
        text = value.strip().lower()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            try:
                result = timedelta(seconds=float(text))
            except (OverflowError, ValueError):
                raise ValueError(msg) from None
        elif text and re.fullmatch(rf"(?:{_TOKEN.pattern})+", text):
            seconds = sum(float(n) * _UNITS[u] for n, u in _TOKEN.findall(text))
            try:
                result = timedelta(seconds=seconds)
            except (OverflowError, ValueError):
                raise ValueError(msg) from None
        else:
            raise ValueError(msg)
    else:
        raise ValueError(msg)  # noqa: TRY004 - one error type for every bad duration
    if result <= timedelta(0):
        raise ValueError(msg)
    return result


def format_duration(value: timedelta) -> str:
    """Format a duration compactly (``timedelta(minutes=90)`` gives ``"1h30m"``)."""
    seconds = int(value.total_seconds())
    out = []
    for unit in ("d", "h", "m", "s"):
        size = _UNITS[unit]
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"
