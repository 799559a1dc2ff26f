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
        """Build an instance from one ``Instances.Instance`` item of the answer."""
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
