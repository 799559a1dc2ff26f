"""ECS instances, the estate an audit covers: :class:`EcsInstance` from ``DescribeInstances``.

Field names and shapes follow the official ``alibabacloud-ecs20140526`` SDK's
``DescribeInstancesResponseBody``: an answer is ``{"Instances": {"Instance": [...]},
"TotalCount", "PageNumber", "PageSize", "RequestId"}``; an instance's tags are
``{"Tags": {"Tag": [{"TagKey", "TagValue"}]}}`` (unlike HBR's ``[{"Key", "Value"}]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from hbr_clients_provider.api.models import Tag

__all__ = [
    "IN_SCOPE_STATUSES",
    "OUT_OF_SCOPE_STATUSES",
    "EcsInstance",
]

#: ``Status`` values of an instance an audit covers by default: it exists and may hold data.
IN_SCOPE_STATUSES: Final = ("Pending", "Running", "Starting", "Stopping", "Stopped")

#: ``Status`` values never in scope: the instance is being released and holds nothing to back up.
OUT_OF_SCOPE_STATUSES: Final = ("Deleted",)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _ecs_tags(value: Any) -> tuple[Tag, ...]:
    if isinstance(value, tuple):
        return value
    items = value.get("Tag") if isinstance(value, Mapping) else value
    if not isinstance(items, list):
        return ()
    return tuple(
        Tag(key=_str(item.get("TagKey")), value=_str(item.get("TagValue")))
        for item in items
        if isinstance(item, Mapping) and _str(item.get("TagKey"))
    )


@attrs.frozen(kw_only=True)
class EcsInstance:
    """One ECS instance: what an estate audit needs to judge whether it is backed up."""

    instance_id: str = attrs.field(converter=_str)
    instance_name: str | None = attrs.field(default=None, converter=_opt_str)
    hostname: str | None = attrs.field(default=None, converter=_opt_str)
    region_id: str | None = attrs.field(default=None, converter=_opt_str)
    zone_id: str | None = attrs.field(default=None, converter=_opt_str)
    status: str | None = attrs.field(default=None, converter=_opt_str)
    os_type: str | None = attrs.field(default=None, converter=_opt_str)
    tags: tuple[Tag, ...] = attrs.field(default=(), converter=_ecs_tags)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> EcsInstance:
        """Build an instance from one ``Instances.Instance`` item of the answer.

        The usual shape (a ``dict`` of ``str`` values, well-formed tags) takes a fast path
        that sets the slots directly, as the converters would; anything else goes through
        the constructor, field by field (see :func:`_fast_instance`).
        """
        fast = _fast_instance(cls, data)
        if fast is not None:
            return fast
        return cls(
            instance_id=data.get("InstanceId"),
            instance_name=data.get("InstanceName"),
            hostname=data.get("HostName"),
            region_id=data.get("RegionId"),
            zone_id=data.get("ZoneId"),
            status=data.get("Status"),
            os_type=data.get("OSType"),
            tags=data.get("Tags"),
        )

    @property
    def tag_map(self) -> dict[str, str]:
        """The tags as ``{key: value}``."""
        return {t.key: t.value for t in self.tags}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe snake_case dict."""
        return {
            "instance_id": self.instance_id,
            "instance_name": self.instance_name,
            "hostname": self.hostname,
            "region_id": self.region_id,
            "zone_id": self.zone_id,
            "status": self.status,
            "os_type": self.os_type,
            "tags": self.tag_map,
        }


# The fast path of ``EcsInstance.from_wire``: an estate audit builds every instance of every
# region (24,000 for 6 accounts x 4 regions x 1,000), and the attrs ``__init__`` with a
# converter per field and a ``Tag`` per tag cost about 55 us an instance under the GIL the
# listings share. For the wire's usual shape the slots are set directly, with the values the
# converters would return (tests/provider/test_instances.py checks equality with hypothesis);
# equal tag lists are one shared tuple (immutable), up to ``_CACHE_LIMIT`` of them.

_new = object.__new__
_set = object.__setattr__
_CACHE_LIMIT: Final = 4096
_OPTIONAL_WIRE: Final = (
    ("instance_name", "InstanceName"),
    ("hostname", "HostName"),
    ("region_id", "RegionId"),
    ("zone_id", "ZoneId"),
    ("status", "Status"),
    ("os_type", "OSType"),
)
_tags_cache: dict[tuple[tuple[str, str], ...], tuple[Tag, ...]] = {}


def _fast_tags(value: Any) -> tuple[Tag, ...] | None:
    """``_ecs_tags(value)`` for ``None`` or ``{"Tag": [{"TagKey": str, "TagValue": str}]}``.

    ``None`` when ``value`` has another shape (the converter then decides).
    """
    if value is None:
        return ()
    if type(value) is not dict:
        return None
    items = value.get("Tag")
    if type(items) is not list:
        return None
    pairs = []
    for item in items:
        if type(item) is not dict:
            return None
        key, text = item.get("TagKey"), item.get("TagValue")
        if type(key) is not str or not key or type(text) is not str:
            return None
        pairs.append((key, text))
    wanted = tuple(pairs)
    tags = _tags_cache.get(wanted)
    if tags is None:
        built = []
        for key, text in wanted:
            tag = _new(Tag)
            _set(tag, "key", key)
            _set(tag, "value", text)
            built.append(tag)
        tags = tuple(built)
        if len(_tags_cache) < _CACHE_LIMIT:
            _tags_cache[wanted] = tags
    return tags


def _fast_instance(cls: type[EcsInstance], data: Any) -> EcsInstance | None:
    """The instance ``cls(...)`` would build from ``data``, or ``None`` off the usual shape."""
    if type(data) is not dict:
        return None
    instance_id = data.get("InstanceId")
    if type(instance_id) is not str:
        return None
    tags = _fast_tags(data.get("Tags"))
    if tags is None:
        return None
    instance = _new(cls)
    _set(instance, "instance_id", instance_id)
    for name, key in _OPTIONAL_WIRE:
        value = data.get(key)
        _set(instance, name, value if type(value) is str and value else _opt_str(value))
    _set(instance, "tags", tags)
    return instance
