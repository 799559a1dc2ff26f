"""The loopback control API under ``/_emulator/``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from hbr_emulator import Emulator, Faults
from hbr_emulator.admin import is_loopback

from .helpers import describe, sdk_client


def _admin(emu: Emulator, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(emu.url + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_admin_list_clients(emulator: Emulator) -> None:
    """``GET /_emulator/clients`` returns the account's wire clients in listing order."""
    status, body = _admin(emulator, "GET", "/_emulator/clients")
    assert status == 200
    assert body["Clients"] == emulator.backend.clients()
    assert body["TotalCount"] == 120


def test_admin_list_cross_account_clients(emulator: Emulator) -> None:
    """``?account=cross:<uid>:<role>`` selects the cross-account fleet."""
    status, body = _admin(
        emulator, "GET", "/_emulator/clients?account=cross:1234567890123456:hbrcrossrole"
    )
    assert (status, body["TotalCount"]) == (200, 12)


def test_admin_add_update_remove_client(emulator: Emulator) -> None:
    """A client added, changed and removed over HTTP is seen by the SDK each time."""
    client = sdk_client(emulator.endpoint)
    status, added = _admin(emulator, "POST", "/_emulator/clients", {"Hostname": "new-host"})
    assert status == 201
    first = describe(client).clients[0]
    assert (first.client_id, first.hostname) == (added["ClientId"], "new-host")

    path = f"/_emulator/clients/{added['ClientId']}"
    status, updated = _admin(emulator, "PATCH", path, {"Status": "STOPPED"})
    assert (status, updated["Status"]) == (200, "STOPPED")
    assert describe(client, client_ids=[added["ClientId"]]).clients[0].status == "STOPPED"

    assert _admin(emulator, "DELETE", path)[0] == 204
    assert describe(client, client_ids=[added["ClientId"]]).total_count == 0
    assert _admin(emulator, "DELETE", path)[0] == 404


def test_admin_add_client_bad_type(emulator: Emulator) -> None:
    """An unknown client type is refused with 400."""
    status, body = _admin(emulator, "POST", "/_emulator/clients", {"ClientType": "VM"})
    assert status == 400
    assert "ClientType" in body["error"]


def test_admin_put_faults(emulator: Emulator) -> None:
    """``PUT /_emulator/faults`` replaces the faults; bad fields are refused."""
    status, body = _admin(emulator, "PUT", "/_emulator/faults", {"error_rate": 1.0})
    assert (status, body["error_rate"]) == (200, 1.0)
    assert emulator.backend.faults == Faults(error_rate=1.0)
    assert _admin(emulator, "PUT", "/_emulator/faults", {"error_rate": 2})[0] == 400
    assert _admin(emulator, "PUT", "/_emulator/faults", {"nope": 1})[0] == 400
    assert _admin(emulator, "GET", "/_emulator/faults")[1]["error_rate"] == 1.0


def test_admin_requests_and_reset(emulator: Emulator) -> None:
    """``GET /_emulator/requests`` shows the log and counts; ``POST /_emulator/reset`` clears."""
    describe(sdk_client(emulator.endpoint), page_size=3)
    status, body = _admin(emulator, "GET", "/_emulator/requests")
    assert status == 200
    assert body["Counts"] == {"DescribeBackupClients": 1}
    entry = body["Requests"][0]
    assert (entry["status"], entry["code"], entry["params"]["PageSize"]) == (200, "200", "3")
    assert emulator.backend.api_call_count() == 1
    assert _admin(emulator, "POST", "/_emulator/reset")[0] == 204
    assert emulator.backend.request_log() == []


def test_admin_unknown_route(emulator: Emulator) -> None:
    """An unknown path answers 404."""
    assert _admin(emulator, "GET", "/_emulator/nothing")[0] == 404


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("10.0.0.1", False), ("x", False)],
)
def test_admin_loopback_only(host: str, *, expected: bool) -> None:
    """Only loopback addresses may use the control API."""
    assert is_loopback(host) is expected
