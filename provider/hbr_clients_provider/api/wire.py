"""The one module that spells HBR wire names (``PascalCase``) and maps them to snake_case.

Requests: :func:`encode_request` turns snake_case request parameters into the query and
form-body maps the official SDK (``alibabacloud-hbr20170908`` 2.7.1,
``describe_backup_clients_with_options``) sends, flattened by the same ``tea-openapi``
helpers so the bytes on the wire are identical::

    query: ClientType, ClusterId, CrossAccountRoleName, CrossAccountType,
           CrossAccountUserId, PageNumber, PageSize, Filters.1.Key, Filters.1.Values.1
    body:  ClientIds='["c-1","c-2"]', InstanceIds='["i-1"]', Tag.1.Key, Tag.1.Value

Responses: :func:`decode_envelope`, :func:`decode_client` and :func:`decode_settings`
rename known fields to snake_case and drop unknown ones; type conversion (``"true"`` to
``True``) is the models' job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ACTION",
    "CLIENT_FIELDS",
    "ENVELOPE_FIELDS",
    "ERROR_FIELDS",
    "REGIONS_ACTION",
    "SETTINGS_FIELDS",
    "VERSION",
    "decode_client",
    "decode_envelope",
    "decode_settings",
    "decode_tags",
    "encode_request",
]

ACTION = "DescribeBackupClients"
VERSION = "2017-09-08"

#: The action that lists the regions HBR is offered in (:mod:`.regions`).
REGIONS_ACTION = "DescribeRegions"

#: Client fields: snake_case name -> wire name.
CLIENT_FIELDS: Mapping[str, str] = {
    "client_id": "ClientId",
    "client_type": "ClientType",
    "status": "Status",
    "backup_status": "BackupStatus",
    "instance_id": "InstanceId",
    "instance_name": "InstanceName",
    "hostname": "Hostname",
    "private_ipv4": "PrivateIpV4",
    "zone_id": "ZoneId",
    "os_type": "OsType",
    "arch_type": "ArchType",
    "client_version": "ClientVersion",
    "max_client_version": "MaxClientVersion",
    "appliance": "Appliance",
    "created_time": "CreatedTime",
    "updated_time": "UpdatedTime",
    "last_heartbeat_time": "LastHeartBeatTime",
    "tags": "Tags",
    "settings": "Settings",
}

#: ``Settings`` fields: snake_case name -> wire name.
SETTINGS_FIELDS: Mapping[str, str] = {
    "data_network_type": "DataNetworkType",
    "data_proxy_setting": "DataProxySetting",
    "proxy_host": "ProxyHost",
    "proxy_port": "ProxyPort",
    "proxy_user": "ProxyUser",
    "proxy_password": "ProxyPassword",
    "use_https": "UseHttps",
    "max_cpu_core": "MaxCpuCore",
    "max_worker": "MaxWorker",
    "alert_on_partial_complete": "AlertOnPartialComplete",
    "max_memory": "MaxMemory",
}

#: Tag fields: snake_case name -> wire name (the same in requests and responses).
TAG_FIELDS: Mapping[str, str] = {"key": "Key", "value": "Value"}

#: Response envelope: snake_case name -> wire name.
ENVELOPE_FIELDS: Mapping[str, str] = {
    "request_id": "RequestId",
    "success": "Success",
    "code": "Code",
    "message": "Message",
    "page_number": "PageNumber",
    "page_size": "PageSize",
    "total_count": "TotalCount",
    "clients": "Clients",
}

#: Error envelope: snake_case name -> wire name.
ERROR_FIELDS: Mapping[str, str] = {
    "request_id": "RequestId",
    "host_id": "HostId",
    "code": "Code",
    "message": "Message",
    "recommend": "Recommend",
}

#: Request parameters sent in the query string: snake_case -> wire name.
QUERY_PARAMS: Mapping[str, str] = {
    "client_type": "ClientType",
    "cluster_id": "ClusterId",
    "cross_account_role_name": "CrossAccountRoleName",
    "cross_account_type": "CrossAccountType",
    "cross_account_user_id": "CrossAccountUserId",
    "filters": "Filters",
    "page_number": "PageNumber",
    "page_size": "PageSize",
}

#: Request parameters sent in the form body: snake_case -> wire name.
BODY_PARAMS: Mapping[str, str] = {
    "client_ids": "ClientIds",
    "instance_ids": "InstanceIds",
    "tags": "Tag",
}

#: ``Filters`` entries: snake_case -> wire name.
FILTER_FIELDS: Mapping[str, str] = {"key": "Key", "values": "Values"}


def encode_request(params: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Encode snake_case request parameters into ``(query, body)`` maps for ``call_api``.

    ``params`` keys are those of :data:`QUERY_PARAMS` and :data:`BODY_PARAMS`; ``None``
    values and empty sequences are left out. ``tags`` is a sequence of ``(key, value)``
    pairs and ``filters`` a sequence of ``(key, values)`` pairs. The query map comes out
    flattened; the body map is flattened by ``tea-openapi`` into the form body, exactly as
    the official SDK does.
    """
    from alibabacloud_tea_openapi.utils import Utils  # noqa: PLC0415

    unknown = set(params) - set(QUERY_PARAMS) - set(BODY_PARAMS)
    if unknown:
        msg = f"unknown request parameters: {sorted(unknown)}"
        raise KeyError(msg)
    query: dict[str, Any] = {}
    for name, wire_name in QUERY_PARAMS.items():
        value = params.get(name)
        if value is None or (isinstance(value, Sequence) and not value):
            continue
        if name == "filters":
            value = [
                {FILTER_FIELDS["key"]: key, FILTER_FIELDS["values"]: list(values)}
                for key, values in value
            ]
        query[wire_name] = value
    body: dict[str, Any] = {}
    for name, wire_name in BODY_PARAMS.items():
        value = params.get(name)
        if not value:
            continue
        if name == "tags":
            body[wire_name] = [
                {TAG_FIELDS["key"]: key, TAG_FIELDS["value"]: val} for key, val in value
            ]
        else:
            body[wire_name] = Utils.array_to_string_with_specified_style(
                list(value), wire_name, "json"
            )
    return Utils.query(query), body


def _pick(data: Any, fields: Mapping[str, str]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        return {}
    return {name: data[wire] for name, wire in fields.items() if wire in data}


def decode_tags(data: Any) -> list[dict[str, Any]]:
    """Decode a wire ``Tags`` array into ``[{"key": ..., "value": ...}]``; junk is dropped."""
    if not isinstance(data, Sequence) or isinstance(data, str | bytes):
        return []
    return [_pick(item, TAG_FIELDS) for item in data if isinstance(item, Mapping)]


def decode_settings(data: Any) -> dict[str, Any]:
    """Rename a wire ``Settings`` object's known fields to snake_case."""
    return _pick(data, SETTINGS_FIELDS)


def decode_client(data: Any) -> dict[str, Any]:
    """Rename one wire client's known fields to snake_case (nested tags and settings too)."""
    out = _pick(data, CLIENT_FIELDS)
    if "tags" in out:
        out["tags"] = decode_tags(out["tags"])
    if "settings" in out:
        out["settings"] = decode_settings(out["settings"])
    return out


def decode_envelope(data: Any) -> dict[str, Any]:
    """Rename a response envelope's known fields; ``clients`` stays a list of wire dicts."""
    out = _pick(data, ENVELOPE_FIELDS)
    clients = out.get("clients")
    if not isinstance(clients, list):
        out["clients"] = []
    return out
