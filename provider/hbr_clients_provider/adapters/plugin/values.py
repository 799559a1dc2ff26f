"""Values across the gRPC edge: Pulumi property values in, schema-shaped results out.

Inputs arrive as :class:`~pulumi.provider.experimental.property_value.PropertyValue` maps
with camelCase names; :func:`plain_inputs` turns them into the snake_case JSON-ish mapping
the query engine takes (an unknown value becomes the engine's ``UNKNOWN`` marker, which
:func:`~hbr_clients_provider.adapters.lifecycle.is_unknown` recognises). Results go out through
:func:`to_property`, which walks a schema spec of :mod:`.schema`: object keys become
camelCase, integers become numbers, and the keys of a map (instance IDs, client IDs) stay
as they are.

What arrives is what the program's language host sent, and Pulumi YAML drops a map entry
whose value is ``null`` before sending: ``tags: {env: null}`` arrives as ``tags: {}``, which
would widen the query to every client. :func:`emptied_maps` names such maps so that the
resource and the functions refuse them, as the Python SDK refuses the ``None`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.rpc import UNKNOWN

from hbr_clients_provider.adapters.plugin.names import camel, snake
from hbr_clients_provider.errors import Violation

__all__ = ["MAP_INPUTS", "emptied_maps", "plain", "plain_inputs", "to_property"]

#: The inputs that are maps; none of them means anything when empty.
MAP_INPUTS: tuple[str, ...] = ("tags", "filters")


def plain(value: PropertyValue) -> Any:
    """The plain Python value of ``value``: secrets unwrapped, unknowns as ``UNKNOWN``."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: plain(v) for k, v in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [plain(v) for v in inner]
    return inner


def plain_inputs(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """``{camelName: PropertyValue}`` -> ``{snake_name: plain value}``, nulls dropped.

    Names that start with ``__`` (the engine's own) are left out.
    """
    return {
        snake(name): plain(value)
        for name, value in props.items()
        if not name.startswith("__") and value.value is not None
    }


def emptied_maps(inputs: Mapping[str, Any]) -> list[Violation]:
    """A violation for each map input of ``inputs`` (snake_case) that arrived empty.

    An empty ``tags`` or ``filters`` selects nothing and would list every client; it is
    what a program gets when each of its entries was ``null``.
    """
    return [
        Violation(
            field=name,
            rule=(
                "must hold at least one entry (got an empty map; an entry whose value is "
                "null is dropped before it reaches the provider): give each entry a value, "
                f"or leave {camel(name)} out"
            ),
        )
        for name in MAP_INPUTS
        if isinstance(inputs.get(name), Mapping) and not inputs[name]
    ]


def _ref(spec: Mapping[str, Any], types: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = spec.get("$ref")
    if ref is None:
        return spec
    resolved: Mapping[str, Any] = types[str(ref).removeprefix("#/types/")]
    return resolved


def to_property(
    value: Any, spec: Mapping[str, Any], types: Mapping[str, Any], *, secret: bool = False
) -> PropertyValue:
    """``value`` (snake_case, from the query engine) as the schema ``spec`` describes it.

    :raises KeyError: when ``value`` holds a key the spec does not know; a test keeps the
        models and the schema in agreement, so this never reaches a user.
    """
    spec = _ref(spec, types)
    if value is None:
        return PropertyValue(None, is_secret=secret)
    kind = spec.get("type")
    if kind == "object" and "properties" in spec:
        props = spec["properties"]
        fields = {camel(k): to_property(v, props[camel(k)], types) for k, v in dict(value).items()}
        return PropertyValue(fields, is_secret=secret)
    if kind == "object":
        items = spec["additionalProperties"]
        mapped = {str(k): to_property(v, items, types) for k, v in dict(value).items()}
        return PropertyValue(mapped, is_secret=secret)
    if kind == "array":
        return PropertyValue(
            [to_property(v, spec["items"], types) for v in value], is_secret=secret
        )
    if kind in ("integer", "number") and not isinstance(value, bool):
        return PropertyValue(float(value), is_secret=secret)
    return PropertyValue(value, is_secret=secret)
