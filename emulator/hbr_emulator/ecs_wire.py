"""The one module that spells ECS's wire names: instances, pages, times and paging tokens.

An instance is kept as the dict ``DescribeInstances`` (2014-05-26) returns, a subset of
the official SDK's ``DescribeInstancesResponseBodyInstancesInstance``; times are
``yyyy-MM-ddTHH:mmZ`` (UTC), as ECS writes them.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

INSTANCE_STATUSES = ("Pending", "Running", "Starting", "Stopping", "Stopped")
"""Values of an instance's ``Status`` (and of the ``Status`` filter)."""

TIME_FORMAT = "%Y-%m-%dT%H:%MZ"
"""Format of ``CreationTime`` and ``ExpiredTime``."""

NEVER_EXPIRES = "2099-12-31T15:59Z"
"""``ExpiredTime`` of a pay-as-you-go instance."""

OS_NAMES = {
    "linux": "Alibaba Cloud Linux 3.2104 LTS 64 bit",
    "windows": "Windows Server 2022 Datacenter 64-bit",
}
"""``OSName`` per ``OSType``."""


def format_time(epoch: int) -> str:
    """Return ``epoch`` (seconds) as ECS writes times: ``2024-05-01T08:30Z``."""
    return time.strftime(TIME_FORMAT, time.gmtime(epoch))


def parse_time(text: str) -> int:
    """Return the epoch seconds of an ECS time (``2024-05-01T08:30Z``)."""
    return calendar.timegm(time.strptime(text, TIME_FORMAT))


def build_instance(
    *,
    instance_id: str,
    instance_name: str,
    host_name: str,
    region_id: str,
    zone_id: str,
    status: str,
    os_type: str,
    created: int,
    tags: tuple[tuple[str, str], ...],
    instance_type: str = "ecs.g7.large",
    cpu: int = 2,
    memory_mib: int = 8192,
) -> dict[str, Any]:
    """Build a wire instance from Python values."""
    return {
        "InstanceId": instance_id,
        "InstanceName": instance_name,
        "HostName": host_name,
        "RegionId": region_id,
        "ZoneId": zone_id,
        "Status": status,
        "OSType": os_type,
        "OSName": OS_NAMES.get(os_type, os_type),
        "InstanceType": instance_type,
        "Cpu": cpu,
        "Memory": memory_mib,
        "InstanceChargeType": "PostPaid",
        "InstanceNetworkType": "vpc",
        "CreationTime": format_time(created),
        "ExpiredTime": NEVER_EXPIRES,
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in tags]},
    }


def tag_pairs(instance: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return the instance's tags as ``(key, value)`` pairs."""
    return tuple((t["TagKey"], t["TagValue"]) for t in instance["Tags"]["Tag"])


def render_fragment(instance: Mapping[str, Any]) -> bytes:
    """Render one wire instance as compact JSON bytes."""
    return json.dumps(instance, separators=(",", ":"), ensure_ascii=False).encode()


def render_instances(
    *,
    request_id: str,
    fragments: list[bytes],
    total: int,
    page_number: int | None = None,
    page_size: int | None = None,
    next_token: str | None = None,
) -> bytes:
    """Render a ``DescribeInstances`` answer around pre-rendered instances.

    Paged by number: ``PageNumber``/``PageSize``; by token: ``NextToken`` (``""`` on the
    last page) instead.
    """
    paging = ""
    if page_number is not None and page_size is not None:
        paging += f'"PageNumber":{page_number},"PageSize":{page_size},'
    if next_token is not None:
        paging += f'"NextToken":{json.dumps(next_token)},'
    head = f'{{"RequestId":"{request_id}","TotalCount":{total},{paging}"Instances":{{"Instance":['
    return head.encode() + b",".join(fragments) + b"]}}"


def _token_check(offset: int) -> str:
    return hashlib.sha256(f"ecs-next-token:{offset}".encode()).hexdigest()[:24]


def encode_token(offset: int) -> str:
    """Return the ``NextToken`` that resumes a listing at ``offset`` (32 hex digits)."""
    return f"{offset:08x}{_token_check(offset)}"


def decode_token(token: str) -> int:
    """Return the offset of a token :func:`encode_token` made; ``ValueError`` for others."""
    if len(token) != 32:
        msg = f"not a NextToken: {token!r}"
        raise ValueError(msg)
    offset = int(token[:8], 16)
    if token[8:] != _token_check(offset):
        msg = f"not a NextToken: {token!r}"
        raise ValueError(msg)
    return offset
