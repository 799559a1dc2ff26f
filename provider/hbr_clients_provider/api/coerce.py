"""Turning plain JSON-ish inputs into typed fields, collecting every violation.

Pulumi inputs, CLI flags and stack config arrive as strings, numbers, lists and dicts. A
*converter* ``convert(field, value)`` returns the typed value or raises
:class:`BadInputError` naming the field (or a sub-path such as ``tags[2].key``) and the
rule, with the value given and, where there is one, the closest valid value.
:func:`coerce_inputs` runs a table of converters over a mapping of inputs and reports
unknown names and every bad value together, so a user sees all problems at once.

Numbers have ranges: :func:`int_in` and :func:`seconds_in` build converters that refuse
values outside ``[low, high]`` (and ``inf``/``nan``), suggesting the nearest bound.
Integers are written in ASCII digits only (``int()`` would take ``"١٢"``), and a float
above 2**53 is refused as an integer because it has already lost digits on its way in.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from hbr_clients_provider.api.durations import MAX_DURATION, format_duration, parse_duration
from hbr_clients_provider.errors import NOT_GIVEN, Violation

__all__ = [
    "BadInputError",
    "Converter",
    "closest",
    "coerce_inputs",
    "int_in",
    "seconds_in",
    "to_bool",
    "to_duration",
    "to_int",
    "to_str",
    "to_str_list",
]

Converter = Callable[[str, Any], Any]


#: From here on a float may have lost digits already (2**53 + 1 arrives as 2**53).
_EXACT_FLOAT_INT = 2**53

_ASCII_INT = re.compile(r"\s*[+-]?[0-9]{1,4000}\s*", re.ASCII)


class BadInputError(Exception):
    """One input of the wrong shape; ``violation`` names the field, the rule and the value."""

    def __init__(
        self, field: str, rule: str, value: Any = NOT_GIVEN, suggestion: str | None = None
    ) -> None:
        super().__init__(rule)
        self.violation = Violation(field=field, rule=rule, value=value, suggestion=suggestion)


def closest(value: Any, choices: Sequence[str]) -> str | None:
    """The choice nearest to ``value`` (``"ECS_CLIEN"`` -> ``"ECS_CLIENT"``), if any is close."""
    if not isinstance(value, str) or not choices:
        return None
    by_upper = {c.upper(): c for c in choices}
    found = difflib.get_close_matches(value.strip().upper(), list(by_upper), n=1, cutoff=0.6)
    return by_upper[found[0]] if found else None


def to_str(field: str, value: Any) -> str:
    """A string, as is."""
    if not isinstance(value, str):
        raise BadInputError(field, "must be a string", value)
    return value


def to_str_list(field: str, value: Any) -> tuple[str, ...]:
    """A list of strings (or one string), de-duplicated in order."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or isinstance(value, Mapping | bytes):
        raise BadInputError(field, "must be a list of strings", value)
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise BadInputError(f"{field}[{i}]", "must be a string", item)
    return tuple(dict.fromkeys(items))


def to_int(field: str, value: Any) -> int:
    """An integer, from a number without a fraction or a string of ASCII digits."""
    if isinstance(value, bool):
        raise BadInputError(field, "must be an integer", value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        if abs(value) >= _EXACT_FLOAT_INT:  # 2**53 + 1 arrives as 2**53
            rule = "must be an integer written exactly (pass a number this large as a string)"
            raise BadInputError(field, rule, value)
        return int(value)
    if isinstance(value, str) and _ASCII_INT.fullmatch(value):
        return int(value)
    raise BadInputError(field, "must be an integer in ASCII digits", value)


def int_in(low: int, high: int) -> Converter:
    """A converter to an integer between ``low`` and ``high`` (inclusive)."""

    def convert(field: str, value: Any) -> int:
        number = to_int(field, value)
        if not low <= number <= high:
            nearest = str(min(max(number, low), high))
            # A Pulumi number arrives as a float (0.0): show the integer the user wrote.
            shown = number if isinstance(value, float) else value
            raise BadInputError(field, f"must be between {low} and {high}", shown, nearest)
        return number

    return convert


def seconds_in(low: float, high: float) -> Converter:
    """A converter to a finite number of seconds between ``low`` and ``high`` (inclusive)."""
    rule = f"must be a finite number of seconds between {low:g} and {high:g}"

    def convert(field: str, value: Any) -> float:
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is None or math.isnan(number):
            raise BadInputError(field, rule, value)
        if not low <= number <= high:
            raise BadInputError(field, rule, value, f"{min(max(number, low), high):g}")
        return number

    return convert


def to_bool(field: str, value: Any) -> bool:
    """A boolean, from a bool or ``"true"``/``"false"``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise BadInputError(field, "must be a boolean (true or false)", value)


def to_duration(field: str, value: Any) -> timedelta:
    """A duration up to :data:`MAX_DURATION`, from seconds, a timedelta or ``"15m"``/``"2h"``."""
    try:
        duration = parse_duration(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadInputError(field, str(exc), value) from None
    if duration > MAX_DURATION:
        rule = f"must be at most {format_duration(MAX_DURATION)}"
        raise BadInputError(field, rule, value, format_duration(MAX_DURATION))
    return duration


def coerce_inputs(
    inputs: Mapping[str, Any], converters: Mapping[str, Converter]
) -> tuple[dict[str, Any], list[Violation], set[str]]:
    """Convert every known input that is set (not ``None``).

    :returns: the typed fields, the violations (unknown names first, then bad values), and
        the names of the inputs whose values were bad.
    """
    expected = ", ".join(converters)
    violations = [
        # The name is what is wrong; the value is left out, since an input nobody expected
        # (``secret_key=...`` passed by mistake) could be anything, a secret included.
        Violation(
            field=str(name),
            rule=f"is not a known input (expected one of {expected})",
            suggestion=closest(str(name), list(converters)),
        )
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
