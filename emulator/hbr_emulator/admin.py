"""The loopback-only control API under ``/_emulator/``: fleet, faults, request log, reset.

No signature is needed; requests from a non-loopback address get 403.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from hbr_emulator.defaults import SELF_ACCOUNT
from hbr_emulator.faults import Faults
from hbr_emulator.messages import Reply, Request
from hbr_emulator.models import HbrBackend


def _json(value: Any, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(value).encode())


def _problem(status: int, message: str) -> Reply:
    return _json({"error": message}, status)


def _body(request: Request) -> Any:
    return json.loads(request.body or b"{}")


def is_loopback(host: str) -> bool:
    """Tell whether ``host`` is a loopback address."""
    try:
        address = ipaddress.ip_address(host.removeprefix("::ffff:"))
    except ValueError:
        return False
    return address.is_loopback


def _account(request: Request) -> str:
    return dict(request.query).get("account", SELF_ACCOUNT)


def list_clients(backend: HbrBackend, request: Request) -> Reply:
    """``GET /_emulator/clients?account=...[&internal=true]``: the account's clients."""
    query = dict(request.query)
    internal = query.get("internal", "").lower() in {"1", "true", "yes"}
    clients = backend.clients(_account(request), internal=internal)
    return _json({"Account": _account(request), "TotalCount": len(clients), "Clients": clients})


def add_client(backend: HbrBackend, request: Request) -> Reply:
    """``POST /_emulator/clients?account=...``: add the JSON client in the body."""
    try:
        client = backend.add_client(_body(request), account=_account(request))
    except (ValueError, TypeError, KeyError) as error:
        return _problem(400, str(error))
    return _json(client, 201)


def update_client(backend: HbrBackend, request: Request, client_id: str) -> Reply:
    """``PATCH /_emulator/clients/<id>``: apply the JSON wire changes in the body."""
    try:
        client = backend.update_client(client_id, _body(request))
    except KeyError:
        return _problem(404, f"no client {client_id}")
    except (ValueError, TypeError) as error:
        return _problem(400, str(error))
    return _json(client)


def remove_client(backend: HbrBackend, _request: Request, client_id: str) -> Reply:
    """``DELETE /_emulator/clients/<id>``: remove a client."""
    try:
        backend.remove_client(client_id)
    except KeyError:
        return _problem(404, f"no client {client_id}")
    return Reply(status=204)


def put_faults(backend: HbrBackend, request: Request) -> Reply:
    """``PUT /_emulator/faults``: replace the faults with the JSON ``Faults`` fields."""
    try:
        faults = Faults(**_body(request))
    except (ValueError, TypeError) as error:
        return _problem(400, str(error))
    backend.set_faults(faults)
    return _json(_faults_dict(faults))


def get_faults(backend: HbrBackend, _request: Request) -> Reply:
    """``GET /_emulator/faults``: the faults in force."""
    return _json(_faults_dict(backend.faults))


def _faults_dict(faults: Faults) -> dict[str, Any]:
    import attrs  # noqa: PLC0415  # only the admin API serialises faults

    return attrs.asdict(faults)


def requests(backend: HbrBackend, request: Request) -> Reply:
    """``GET /_emulator/requests[?action=...]``: the request log and counts by action."""
    action = dict(request.query).get("action")
    log = backend.request_log()
    if action:
        log = [entry for entry in log if entry["action"] == action]
    return _json({"Requests": log, "Counts": backend.call_counts()})


def summary(backend: HbrBackend, _request: Request) -> Reply:
    """``GET /_emulator/summary``: each account's client types, clusters and identity."""
    return _json({"Accounts": [account.as_dict() for account in backend.summary()]})


def reset(backend: HbrBackend, _request: Request) -> Reply:
    """``POST /_emulator/reset``: back to the seeded fleet, no faults, an empty log."""
    backend.reset()
    return Reply(status=204)


def forbidden(_backend: HbrBackend, _request: Request) -> Reply:
    """Refuse an admin call from a non-loopback address."""
    return _problem(403, "the control API only answers loopback clients")
