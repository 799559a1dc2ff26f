"""The one module that spells the API's wire names: building, normalising and rendering clients.

A client is kept as the dict the API returns (``PascalCase`` keys, real wire
types: ``UseHttps``/``MaxCpuCore``/``MaxWorker`` strings, times as integer
seconds, ``Appliance`` boolean). The container cluster of a client is not a
field of the documented response; it travels beside the dict under the internal
key :data:`CLUSTER_KEY` and is never rendered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from hbr_emulator.defaults import CLIENT_TYPES, MAX_CLIENT_VERSION

CLUSTER_KEY = "ClusterId"
"""Internal (non-wire) key naming a container client's cluster."""

ECS_ONLY_FIELDS = ("InstanceName", "PrivateIpV4", "ZoneId", "OsType", "ArchType")
"""Fields only ECS clients carry."""

FIELD_ORDER = (
    "ClientId",
    "ClientType",
    "Status",
    "BackupStatus",
    "InstanceId",
    "InstanceName",
    "Hostname",
    "PrivateIpV4",
    "ZoneId",
    "OsType",
    "ArchType",
    "ClientVersion",
    "MaxClientVersion",
    "Appliance",
    "CreatedTime",
    "UpdatedTime",
    "LastHeartBeatTime",
    "Tags",
    "Settings",
)
"""Order of the fields in a rendered client."""

STRING_SETTINGS = ("UseHttps", "MaxCpuCore", "MaxWorker")
"""Settings that are strings on the wire although they mean a boolean or integers."""

_DEFAULT_SETTINGS: dict[str, Any] = {
    "DataNetworkType": "VPC",
    "DataProxySetting": "USE_CONTROL_PROXY",
    "ProxyHost": "",
    "ProxyPort": 0,
    "ProxyUser": "",
    "ProxyPassword": "",
    "UseHttps": "false",
    "MaxCpuCore": "0",
    "MaxWorker": "0",
    "AlertOnPartialComplete": False,
    "MaxMemory": 0,
}


def build_settings(
    *,
    data_network_type: str = "VPC",
    data_proxy_setting: str = "USE_CONTROL_PROXY",
    proxy_host: str = "",
    proxy_port: int = 0,
    proxy_user: str = "",
    proxy_password: str = "",
    use_https: bool = False,
    max_cpu_core: int = 0,
    max_worker: int = 0,
    alert_on_partial_complete: bool = False,
    max_memory: int = 0,
) -> dict[str, Any]:
    """Build a wire ``Settings`` object from Python values."""
    return {
        "DataNetworkType": data_network_type,
        "DataProxySetting": data_proxy_setting,
        "ProxyHost": proxy_host,
        "ProxyPort": proxy_port,
        "ProxyUser": proxy_user,
        "ProxyPassword": proxy_password,
        "UseHttps": "true" if use_https else "false",
        "MaxCpuCore": str(max_cpu_core),
        "MaxWorker": str(max_worker),
        "AlertOnPartialComplete": alert_on_partial_complete,
        "MaxMemory": max_memory,
    }


def build_client(
    *,
    client_id: str,
    client_type: str,
    status: str,
    backup_status: str,
    instance_id: str,
    hostname: str,
    client_version: str,
    created_time: int,
    updated_time: int,
    last_heart_beat_time: int,
    tags: tuple[tuple[str, str], ...],
    settings: dict[str, Any],
    appliance: bool = False,
    instance_name: str | None = None,
    private_ip_v4: str | None = None,
    zone_id: str | None = None,
    os_type: str | None = None,
    arch_type: str | None = None,
) -> dict[str, Any]:
    """Build a wire client from Python values; ECS-only fields are left out when None."""
    client: dict[str, Any] = {
        "ClientId": client_id,
        "ClientType": client_type,
        "Status": status,
        "BackupStatus": backup_status,
        "InstanceId": instance_id,
        "InstanceName": instance_name,
        "Hostname": hostname,
        "PrivateIpV4": private_ip_v4,
        "ZoneId": zone_id,
        "OsType": os_type,
        "ArchType": arch_type,
        "ClientVersion": client_version,
        "MaxClientVersion": MAX_CLIENT_VERSION,
        "Appliance": appliance,
        "CreatedTime": created_time,
        "UpdatedTime": updated_time,
        "LastHeartBeatTime": last_heart_beat_time,
        "Tags": [{"Key": k, "Value": v} for k, v in tags],
        "Settings": settings,
    }
    return {k: v for k, v in client.items() if v is not None}


def _as_wire_bool_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def normalize_client(
    data: Mapping[str, Any], *, client_id: str, instance_id: str, now: int | None = None
) -> tuple[dict[str, Any], str | None]:
    """Return ``data`` as a complete wire client, and its internal cluster id.

    Missing fields get defaults (``client_id``/``instance_id`` when absent, status
    ``ACTIVATED``, times ``now``); wire types are coerced (``UseHttps`` ``True`` →
    ``"true"``, ``MaxWorker`` ``4`` → ``"4"``, times → int). Raises ``ValueError``
    for an unknown ``ClientType`` or a field that cannot be coerced.
    """
    stamp = int(time.time()) if now is None else now
    source = dict(data)
    cluster = source.pop(CLUSTER_KEY, None)
    client_type = source.get("ClientType", "ECS_CLIENT")
    if client_type not in CLIENT_TYPES:
        msg = f"ClientType must be one of {CLIENT_TYPES}, got {client_type!r}"
        raise ValueError(msg)
    client: dict[str, Any] = {
        "ClientId": client_id,
        "ClientType": client_type,
        "Status": "ACTIVATED",
        "BackupStatus": "UNPROTECTED",
        "InstanceId": instance_id,
        "Hostname": "",
        "ClientVersion": MAX_CLIENT_VERSION,
        "MaxClientVersion": MAX_CLIENT_VERSION,
        "Appliance": False,
        "CreatedTime": stamp,
        "UpdatedTime": stamp,
        "LastHeartBeatTime": stamp,
        "Tags": [],
    }
    client.update(source)
    for name in ("CreatedTime", "UpdatedTime", "LastHeartBeatTime"):
        client[name] = int(client[name])
    client["Appliance"] = bool(client["Appliance"])
    client["Tags"] = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in client["Tags"]]
    settings = dict(_DEFAULT_SETTINGS)
    settings.update(client.get("Settings") or {})
    settings["UseHttps"] = _as_wire_bool_string(settings["UseHttps"])
    settings["MaxCpuCore"] = str(settings["MaxCpuCore"])
    settings["MaxWorker"] = str(settings["MaxWorker"])
    settings["ProxyPort"] = int(settings["ProxyPort"])
    settings["MaxMemory"] = int(settings["MaxMemory"])
    client["Settings"] = settings
    ordered = {k: client[k] for k in FIELD_ORDER if k in client}
    ordered.update((k, v) for k, v in client.items() if k not in ordered)
    return ordered, (str(cluster) if cluster else None)


def merge_changes(client: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Apply wire ``changes`` to ``client``: ``Settings`` merges key by key, others replace."""
    if "ClientId" in changes and changes["ClientId"] != client["ClientId"]:
        msg = "ClientId cannot be changed"
        raise ValueError(msg)
    if "ClientType" in changes and changes["ClientType"] != client["ClientType"]:
        msg = "ClientType cannot be changed"
        raise ValueError(msg)
    merged = dict(client)
    for key, value in changes.items():
        if key == "Settings":
            merged["Settings"] = {**client.get("Settings", {}), **value}
        else:
            merged[key] = value
    return merged


def render_fragment(client: Mapping[str, Any]) -> bytes:
    """Render one wire client as compact JSON bytes."""
    return json.dumps(client, separators=(",", ":"), ensure_ascii=False).encode()


def tag_pairs(client: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return the client's tags as ``(key, value)`` pairs."""
    return tuple((t["Key"], t["Value"]) for t in client.get("Tags", ()))


def render_page(
    *, request_id: str, page_number: int, page_size: int, total: int, fragments: list[bytes]
) -> bytes:
    """Render a ``DescribeBackupClients`` success envelope around pre-rendered clients."""
    head = (
        f'{{"RequestId":"{request_id}","Success":true,"Code":"200","Message":"successful",'
        f'"PageNumber":{page_number},"PageSize":{page_size},"TotalCount":{total},"Clients":['
    ).encode()
    return head + b",".join(fragments) + b"]}"


def render_regions(*, request_id: str, regions: tuple[tuple[str, str], ...]) -> bytes:
    """Render a ``DescribeRegions`` success envelope: ``{"Regions": {"Region": [...]}}``."""
    body = {
        "RequestId": request_id,
        "Success": True,
        "Code": "200",
        "Message": "successful",
        "Regions": {"Region": [{"RegionId": r, "LocalName": name} for r, name in regions]},
    }
    return json.dumps(body, separators=(",", ":")).encode()
