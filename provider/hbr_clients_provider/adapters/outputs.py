"""The outputs of the ``BackupClients`` resource, built from one listing.

Every output is JSON-safe and snake_case. ``clients_json`` carries the proxy password masked
(``"******"``); the real passwords are only in ``proxy_passwords``, which the resource marks
secret. ``fingerprint`` identifies the fleet's content so that ``diff()`` can tell an
unchanged fleet from a changed one; it never covers a password, so it reveals none.

The clients travel through the engine as one compact JSON document, ``clients_json``, which
the SDK decodes into the typed ``clients`` output. As a list of objects, a 1,000-client fleet
is about 40,000 protobuf values that the engine, the provider process and the program each
convert one by one on every ``up`` and ``preview``; as one string it is one value.

Why ``last_change`` and :data:`HIDDEN_DIFFS`: ``pulumi refresh --diff`` (and ``preview
--diff``) prints old against new outputs, and the engine's display decodes a JSON string and
compares arrays index by index, printing the unchanged entries too. One client removed from
a 136-client fleet printed 32,333 lines: ``clients_json`` entry by entry, then ``client_ids``,
``instance_ids`` and ``instance_client_map`` with every entry after the gap shifted. So the
resource hides those four, and ``query`` (the inputs, which may list thousands of IDs), from
the displayed diff (the ``hide_diffs`` resource option; they read ``(hidden)``), and
``last_change`` says what moved in a few lines: the IDs of the clients added, removed and
changed since the state before, beside ``total_count`` and ``fingerprint``. The values
themselves are untouched: ``clients_json`` keeps the 0.1.0 shape.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from hbr_clients_provider.api.models import ClientListing

__all__ = [
    "HIDDEN_DIFFS",
    "NO_CHANGE",
    "OUTPUT_NAMES",
    "SECRET_OUTPUTS",
    "VOLATILE_FIELDS",
    "decode_clients",
    "encode_clients",
    "fingerprint",
    "fleet_changes_since",
    "fleet_markers",
    "listing_outputs",
]

#: Fields that change on every heartbeat; left out of the fingerprint unless asked for.
VOLATILE_FIELDS: tuple[str, ...] = ("last_heartbeat_time", "updated_time")

#: Outputs that hold secrets.
SECRET_OUTPUTS: tuple[str, ...] = ("proxy_passwords",)

#: Every output of the resource; ``query`` records the inputs the listing was made from.
OUTPUT_NAMES: tuple[str, ...] = (
    "client_ids",
    "instance_ids",
    "clients_json",
    "total_count",
    "api_total_count",
    "instance_client_map",
    "proxy_passwords",
    "fingerprint",
    "last_change",
    "query",
)

#: Outputs whose displayed diff restates the fleet (``last_change`` summarises them instead)
#: or the inputs (``query``, which a refresh never changes but would print in full).
HIDDEN_DIFFS: tuple[str, ...] = (
    "clients_json",
    "client_ids",
    "instance_ids",
    "instance_client_map",
    "query",
)

#: The ``last_change`` of a lookup that has seen no change yet.
NO_CHANGE: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def encode_clients(rows: list[dict[str, Any]]) -> str:
    """Return the ``clients_json`` output: ``rows`` as compact JSON, in the API's order."""
    return json.dumps(rows, separators=(",", ":"))


def decode_clients(document: str) -> list[dict[str, Any]]:
    """Return the client dicts of a ``clients_json`` output."""
    rows: list[dict[str, Any]] = json.loads(document)
    return rows


def fingerprint(rows: list[dict[str, Any]], *, include_volatile: bool = False) -> str:
    """Return a SHA-256 over the masked client ``rows``, volatile fields dropped by default."""
    if not include_volatile:
        rows = [{k: v for k, v in row.items() if k not in VOLATILE_FIELDS} for row in rows]
    return hashlib.sha256(_canonical(rows)).hexdigest()


def proxy_passwords(listing: ClientListing) -> dict[str, str]:
    """Return ``{client_id: proxy_password}`` for the clients that have a password."""
    return {
        c.client_id: c.settings.proxy_password for c in listing.clients if c.settings.proxy_password
    }


def fleet_markers(
    listing: ClientListing,
    *,
    include_volatile: bool = False,
    rows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the outputs that change when the fleet does: ``fingerprint`` and ``proxy_passwords``.

    ``diff()`` compares these alone, so it need not build the other outputs. ``rows`` are
    ``listing.to_dicts()`` when the caller already has them.
    """
    rows = listing.to_dicts() if rows is None else rows
    return {
        "fingerprint": fingerprint(rows, include_volatile=include_volatile),
        "proxy_passwords": proxy_passwords(listing),
    }


def listing_outputs(
    listing: ClientListing, *, include_volatile: bool = False, clients_as_rows: bool = False
) -> dict[str, Any]:
    """Return the computed outputs of the resource for ``listing``.

    The clients are the ``clients_json`` document, or with ``clients_as_rows`` the list of
    client dicts itself, as ``clients`` (the ``hbr`` plugin's typed output).
    """
    rows = listing.to_dicts()
    clients = {"clients": rows} if clients_as_rows else {"clients_json": encode_clients(rows)}
    return {
        "client_ids": list(listing.client_ids),
        "instance_ids": list(listing.instance_ids),
        **clients,
        "total_count": listing.total_count,
        "api_total_count": listing.api_total_count,
        "instance_client_map": {
            c.instance_id: c.client_id for c in listing.clients if c.instance_id
        },
        **fleet_markers(listing, include_volatile=include_volatile, rows=rows),
    }


def _old_rows(olds: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The client rows of an old state: ``clients_json``, or the list states before it kept."""
    document = olds.get("clients_json")
    if isinstance(document, str):
        try:
            rows = decode_clients(document)
        except ValueError:
            return None
        return rows if isinstance(rows, list) else None
    listed = olds.get("clients")
    return listed if isinstance(listed, list) else None


def _by_id(rows: list[Any], *, include_volatile: bool) -> dict[str, Any]:
    return {
        str(row.get("client_id")): {
            k: v for k, v in row.items() if include_volatile or k not in VOLATILE_FIELDS
        }
        for row in rows
        if isinstance(row, Mapping)
    }


def fleet_changes_since(
    olds: Mapping[str, Any], outputs: Mapping[str, Any], *, include_volatile: bool = False
) -> dict[str, list[str]]:
    """The ``last_change`` from the state ``olds`` to the new ``outputs``: client IDs, by kind.

    ``added`` and ``removed`` compare the client IDs; ``changed`` holds the clients in both
    whose row (volatile fields left out unless ``include_volatile``) or proxy password
    differs. A state too old to hold its rows compares its ``client_ids`` alone.
    """
    new_rows = _old_rows(outputs) or []
    new = _by_id(new_rows, include_volatile=include_volatile)
    old_rows = _old_rows(olds)
    if old_rows is None:
        old_ids = [str(i) for i in olds.get("client_ids") or ()]
        old: dict[str, Any] = dict.fromkeys(old_ids)
    else:
        old = _by_id(old_rows, include_volatile=include_volatile)
    old_passwords = olds.get("proxy_passwords") or {}
    new_passwords = outputs.get("proxy_passwords") or {}
    return {
        "added": [i for i in new if i not in old],
        "removed": [i for i in old if i not in new],
        "changed": [
            i
            for i in new
            if i in old
            and old[i] is not None
            and (old[i] != new[i] or old_passwords.get(i) != new_passwords.get(i))
        ],
    }


def inputs_key(inputs: Mapping[str, Any]) -> str:
    """Return a stable short hash of ``inputs``, used as the resource ID."""
    return hashlib.sha256(_canonical(dict(inputs))).hexdigest()[:20]
