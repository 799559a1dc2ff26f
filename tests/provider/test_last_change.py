"""``last_change``: which clients moved between two states of a lookup."""

from __future__ import annotations

from typing import Any

from hbr_clients_provider.adapters.outputs import encode_clients, fleet_changes_since


def _state(rows: list[dict[str, Any]], passwords: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "clients_json": encode_clients(rows),
        "client_ids": [r["client_id"] for r in rows],
        "proxy_passwords": passwords or {},
    }


A = {"client_id": "c-a", "status": "ACTIVATED", "last_heartbeat_time": 1}
B = {"client_id": "c-b", "status": "ACTIVATED", "last_heartbeat_time": 1}


class TestFleetChangesSince:
    """Added, removed and changed are told apart; volatile fields count only when asked."""

    def test_added_removed_and_changed_are_named_by_client_id(self) -> None:
        """A removed, a new and a changed client each land in their own list."""
        old = _state([A, B])
        new = _state([{**B, "status": "STOPPED"}, {"client_id": "c-c", "status": "ACTIVATED"}])
        assert fleet_changes_since(old, new) == {
            "added": ["c-c"],
            "removed": ["c-a"],
            "changed": ["c-b"],
        }

    def test_a_heartbeat_alone_is_a_change_only_with_volatile_fields(self) -> None:
        """``last_heartbeat_time`` moves all the time: it is a change only when included."""
        old, new = _state([A]), _state([{**A, "last_heartbeat_time": 2}])
        assert fleet_changes_since(old, new)["changed"] == []
        assert fleet_changes_since(old, new, include_volatile=True)["changed"] == ["c-a"]

    def test_a_changed_proxy_password_is_a_change(self) -> None:
        """The password is a secret output beside the rows; changing it changes the client."""
        old = _state([A], {"c-a": "one"})
        new = _state([A], {"c-a": "two"})
        assert fleet_changes_since(old, new)["changed"] == ["c-a"]

    def test_a_state_without_rows_compares_client_ids(self) -> None:
        """A state too old to hold ``clients_json`` still yields added and removed."""
        old = {"client_ids": ["c-a", "c-gone"]}
        new = _state([A, B])
        assert fleet_changes_since(old, new) == {
            "added": ["c-b"],
            "removed": ["c-gone"],
            "changed": [],
        }
