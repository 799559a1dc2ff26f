"""The outputs of the ``BackupClients`` resource, built from one listing.

Every output is JSON-safe and snake_case. ``clients_json`` carries the proxy password masked
(``"******"``); the real passwords are only in ``proxy_passwords``, which the resource marks
secret. ``fingerprint`` identifies the fleet's content so that ``diff()`` can tell an
unchanged fleet from a changed one; it never covers a password, so it reveals none.

The clients travel through the engine as one compact JSON document, ``clients_json``, which
the SDK decodes into the typed ``clients`` output. As a list of objects, a 1,000-client fleet
is about 40,000 protobuf values that the engine, the provider process and the program each
convert one by one on every ``up`` and ``preview``; as one string it is one value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from hbr_clients_provider.api.models import ClientListing

__all__ = [
    "OUTPUT_NAMES",
    "SECRET_OUTPUTS",
    "VOLATILE_FIELDS",
    "decode_clients",
    "encode_clients",
    "fingerprint",
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
    "query",
)


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


def inputs_key(inputs: Mapping[str, Any]) -> str:
    """Return a stable short hash of ``inputs``, used as the resource ID."""
    return hashlib.sha256(_canonical(dict(inputs))).hexdigest()[:20]
