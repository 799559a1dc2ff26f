"""Reading the properties the engine sends, where a value may not be known until the update.

pulumi-policy wraps every property bag in a proxy that raises ``UnknownValueError`` when a
value that is only known after the update is read. The policies read each value through
:func:`read_known`, check everything that *is* known, and only then raise
:class:`NotYetCheckable` for the rest. pulumi-policy turns that exception into an advisory
diagnostic (``can't run policy ... during preview: ...``) whatever the policy's enforcement
level, so an unknown value is reported as not yet checkable and never as a violation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

__all__ = ["UNKNOWN", "NotYetCheckable", "read_known", "shorten"]


class NotYetCheckable(UnknownValueError):  # noqa: N818 - pulumi-policy's exception family
    """Some values a policy needs are only known after the update; ``message`` says which."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.unknown_type_sentinel = ""
        self.props: list[str] = []
        self.message = message


class _Unknown:
    """The marker :func:`read_known` returns for a value that is not known yet."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


def read_known(props: Mapping[str, Any], key: str) -> Any:
    """Return ``props[key]`` (``None`` when absent), or :data:`UNKNOWN` when not known yet."""
    try:
        return props.get(key)
    except UnknownValueError:
        return UNKNOWN


def shorten(items: Sequence[str], limit: int = 10) -> str:
    """``a, b, c`` with at most ``limit`` items, then ``and N more``."""
    shown = ", ".join(items[:limit])
    hidden = len(items) - limit
    return f"{shown} and {hidden} more" if hidden > 0 else shown
