"""Tests of :mod:`hbr_clients_provider.api.models`: wire conversion and secret masking."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hbr_clients_provider.api.models import (
    BackupClient,
    ClientListing,
    ClientSettings,
    ClientsPage,
    Tag,
)

WIRE: dict[str, Any] = {
    "ClientId": "c-1",
    "ClientType": "ECS_CLIENT",
    "Status": "ACTIVATED",
    "BackupStatus": "PROTECTED",
    "InstanceId": "i-1",
    "InstanceName": "web-1",
    "Hostname": "web-1.local",
    "PrivateIpV4": "10.0.0.1",
    "ZoneId": "cn-hangzhou-f",
    "OsType": "linux",
    "ArchType": "amd64",
    "ClientVersion": "2.4.5",
    "MaxClientVersion": "2.13.10",
    "Appliance": False,
    "CreatedTime": 1700000000,
    "UpdatedTime": 1700000100,
    "LastHeartBeatTime": 1700000200,
    "Tags": [{"Key": "env", "Value": "prod"}],
    "Settings": {
        "DataNetworkType": "VPC",
        "DataProxySetting": "CUSTOM",
        "ProxyHost": "proxy",
        "ProxyPort": 3128,
        "ProxyUser": "u",
        "ProxyPassword": "hunter2",
        "UseHttps": "true",
        "MaxCpuCore": "1",
        "MaxWorker": "0",
        "AlertOnPartialComplete": True,
        "MaxMemory": 4294967296,
    },
    "SomethingNew": "ignored",
}


def test_from_wire_every_field() -> None:
    """All 19 fields and 11 settings convert, wire strings becoming bool and int."""
    client = BackupClient.from_wire(WIRE)
    assert client.client_id == "c-1"
    assert client.private_ipv4 == "10.0.0.1"
    assert client.last_heartbeat_time == 1700000200
    assert client.last_heartbeat_at == datetime.fromtimestamp(1700000200, tz=UTC)
    assert client.tags == (Tag(key="env", value="prod"),)
    s = client.settings
    assert s.use_https is True
    assert s.max_cpu_core == 1
    assert s.max_worker == 0
    assert s.proxy_port == 3128
    assert s.alert_on_partial_complete is True
    assert s.max_memory == 4294967296
    assert client.is_outdated


def test_from_wire_missing_fields() -> None:
    """A sparse dict gives defaults rather than an error."""
    client = BackupClient.from_wire({"ClientId": "c-2"})
    assert client.status is None
    assert client.tags == ()
    assert client.settings == ClientSettings()
    assert client.last_heartbeat_at is None
    assert not client.is_outdated


def test_from_wire_use_https_false_and_junk() -> None:
    """``"false"`` is False; unreadable values become None."""
    settings = ClientSettings.from_wire({"UseHttps": "false", "MaxCpuCore": "lots"})
    assert settings.use_https is False
    assert settings.max_cpu_core is None


def test_to_dict_masks_proxy_password() -> None:
    """The proxy password is ****** unless revealed, and JSON-safe either way."""
    client = BackupClient.from_wire(WIRE)
    masked = client.to_dict()
    assert masked["settings"]["proxy_password"] == "******"
    assert client.to_dict(reveal_secrets=True)["settings"]["proxy_password"] == "hunter2"
    assert "hunter2" not in json.dumps(masked)
    assert masked["tags"] == [{"key": "env", "value": "prod"}]
    assert list(masked)[:3] == ["client_id", "client_type", "status"]


def test_to_dict_unset_password_is_none() -> None:
    """An unset or empty password is None, not a mask."""
    assert BackupClient.from_wire({"ClientId": "c"}).to_dict()["settings"]["proxy_password"] is None
    wire = {"ClientId": "c", "Settings": {"ProxyPassword": ""}}
    assert BackupClient.from_wire(wire).to_dict()["settings"]["proxy_password"] is None


def test_repr_hides_proxy_password() -> None:
    """Neither repr nor str of a client shows the password."""
    client = BackupClient.from_wire(WIRE)
    assert "hunter2" not in repr(client)
    assert "hunter2" not in str(client)
    assert "hunter2" not in str(client.settings)


def test_page_from_wire_envelope() -> None:
    """The envelope's counts and request ID are read."""
    page = ClientsPage.from_wire(
        {"RequestId": "R1", "PageNumber": 2, "PageSize": 99, "TotalCount": 150, "Clients": [WIRE]}
    )
    assert (page.request_id, page.page_number, page.page_size, page.total_count) == (
        "R1",
        2,
        99,
        150,
    )
    assert page.clients[0].client_id == "c-1"


def test_page_from_wire_missing_clients() -> None:
    """A missing Clients array is an empty page."""
    assert ClientsPage.from_wire({"TotalCount": 0}).clients == ()


def test_listing_ids_and_dicts() -> None:
    """The listing exposes client and instance IDs and JSON dicts."""
    a = BackupClient.from_wire(WIRE)
    b = BackupClient.from_wire({"ClientId": "c-2"})
    listing = ClientListing(clients=(a, b), total_count=2, api_total_count=2)
    assert listing.client_ids == ("c-1", "c-2")
    assert listing.instance_ids == ("i-1",)
    assert json.loads(json.dumps(listing.to_dicts()))[1]["client_id"] == "c-2"
