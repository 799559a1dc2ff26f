"""Client version strings such as ``2.13.10``, compared part by part as integers."""

from __future__ import annotations

import re

__all__ = ["compare_versions", "parse_version"]

_PART = re.compile(r"\d+")


def parse_version(text: str | None) -> tuple[int, ...]:
    """Parse ``"2.13.10"`` into ``(2, 13, 10)``.

    Each dot-separated part contributes its leading digits (``"2.4.5-beta"`` gives
    ``(2, 4, 5)``); a part without digits counts as 0. Trailing zero parts are dropped so
    ``"2.4"`` and ``"2.4.0"`` compare equal. ``None`` or ``""`` gives ``()``.
    """
    if not text:
        return ()
    parts: list[int] = []
    for piece in text.strip().lstrip("vV").split("."):
        match = _PART.match(piece.strip())
        parts.append(int(match.group()) if match else 0)
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def compare_versions(left: str | None, right: str | None) -> int:
    """Return -1, 0 or 1 as ``left`` is older than, equal to or newer than ``right``.

    Parts compare as integers, so ``2.13.10`` is newer than ``2.4.5``.
    """
    a, b = parse_version(left), parse_version(right)
    return (a > b) - (a < b)
