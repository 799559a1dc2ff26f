"""Turning plain JSON-ish inputs into typed fields, collecting every violation.

Pulumi inputs, CLI flags and stack config arrive as strings, numbers, lists and dicts. A
*converter* ``convert(field, value)`` returns the typed value or raises
:class:`BadInputError` naming the field (or a sub-path such as ``tags[2].key``) and the
rule. :func:`coerce_inputs` runs a table of converters over a mapping of inputs and reports
unknown names and every bad value together, so a user sees all problems at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from hbr_clients_provider.durations import parse_duration
from hbr_clients_provider.errors import Violation

__all__ = [
    "BadInputError",
    "Converter",
    "coerce_inputs",
    "to_bool",
    "to_duration",
    "to_int",
    "to_str",
    "to_str_list",
]

Converter = Callable[[str, Any], Any]


class BadInputError(Exception):
    """One input of the wrong shape; ``violation`` names the field and the rule."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(rule)
        self.violation = Violation(field=field, rule=rule)


def to_str(field: str, value: Any) -> str:
    """A string, as is."""
    if not isinstance(value, str):
        raise BadInputError(field, "must be a string")
    return value


def to_str_list(field: str, value: Any) -> tuple[str, ...]:
    """A list of strings (or one string), de-duplicated in order."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or isinstance(value, Mapping | bytes):
        raise BadInputError(field, "must be a list of strings")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise BadInputError(f"{field}[{i}]", "must be a string")
    return tuple(dict.fromkeys(items))


def to_int(field: str, value: Any) -> int:
    """An integer, from a number without a fraction or a string of digits."""
    if isinstance(value, bool):
        raise BadInputError(field, "must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,30}\s*", value):
        return int(value)
    raise BadInputError(field, "must be an integer")


def to_bool(field: str, value: Any) -> bool:
    """A boolean, from a bool or ``"true"``/``"false"``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise BadInputError(field, "must be a boolean")


def to_duration(field: str, value: Any) -> timedelta:
    """A duration, from seconds, a timedelta or ``"15m"``/``"2h"``/``"1d"``."""
    try:
        return parse_duration(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadInputError(field, str(exc)) from None


def coerce_inputs(
    inputs: Mapping[str, Any], converters: Mapping[str, Converter]
) -> tuple[dict[str, Any], list[Violation], set[str]]:
    """Convert every known input that is set (not ``None``).

    :returns: the typed fields, the violations (unknown names first, then bad values), and
        the names of the inputs whose values were bad.
    """
    expected = ", ".join(converters)
    violations = [
        Violation(field=str(name), rule=f"is not a known input (expected one of {expected})")
        for name in inputs
        if str(name) not in converters
    ]
    fields: dict[str, Any] = {}
    bad: set[str] = set()
    for name, convert in converters.items():
        value = inputs.get(name)
        if value is None:
            continue
        try:
            fields[name] = convert(name, value)
        except BadInputError as error:
            violations.append(error.violation)
            bad.add(name)
    return fields, violations, bad
