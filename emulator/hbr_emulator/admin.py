"""The loopback-only control API under ``/_emulator/``: fleets, faults, log, reset, truths.

No signature is needed; requests from a non-loopback address get 403. Client routes act
on the default region's fleet unless ``?region=`` names another. In an organisation they
act on the management account's regions; ``GET /_emulator/estate?account=<id>`` reads a
member's estate and ``GET /_emulator/organisation`` every account's.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from hbr_emulator.cloud import Cloud
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


def _backends(cloud: Cloud, request: Request) -> list[HbrBackend] | Reply:
    """The HBR backend ``?region=`` names (404 if none), else every region's, default first."""
    region = dict(request.query).get("region")
    if region is None:
        return [cloud.hbr(r) for r in cloud.regions]
    if not cloud.serves(region):
        return _problem(404, f"no region {region}: the cloud has {', '.join(cloud.regions)}")
    return [cloud.hbr(region)]


def list_clients(cloud: Cloud, request: Request) -> Reply:
    """``GET /_emulator/clients?account=...[&region=...][&internal=true]``: the clients."""
    backends = _backends(cloud, request)
    if isinstance(backends, Reply):
        return backends
    query = dict(request.query)
    internal = query.get("internal", "").lower() in {"1", "true", "yes"}
    clients = backends[0].clients(_account(request), internal=internal)
    return _json({"Account": _account(request), "TotalCount": len(clients), "Clients": clients})


def add_client(cloud: Cloud, request: Request) -> Reply:
    """``POST /_emulator/clients?account=...[&region=...]``: add the JSON client in the body."""
    backends = _backends(cloud, request)
    if isinstance(backends, Reply):
        return backends
    try:
        client = backends[0].add_client(_body(request), account=_account(request))
    except (ValueError, TypeError, KeyError) as error:
        return _problem(400, str(error))
    return _json(client, 201)


def update_client(cloud: Cloud, request: Request, client_id: str) -> Reply:
    """``PATCH /_emulator/clients/<id>[?region=...]``: apply the JSON wire changes in the body."""
    backends = _backends(cloud, request)
    if isinstance(backends, Reply):
        return backends
    for backend in backends:
        try:
            return _json(backend.update_client(client_id, _body(request)))
        except KeyError:
            continue
        except (ValueError, TypeError) as error:
            return _problem(400, str(error))
    return _problem(404, f"no client {client_id}")


def remove_client(cloud: Cloud, request: Request, client_id: str) -> Reply:
    """``DELETE /_emulator/clients/<id>[?region=...]``: remove a client."""
    backends = _backends(cloud, request)
    if isinstance(backends, Reply):
        return backends
    for backend in backends:
        try:
            backend.remove_client(client_id)
        except KeyError:
            continue
        return Reply(status=204)
    return _problem(404, f"no client {client_id}")


def put_faults(cloud: Cloud, request: Request) -> Reply:
    """``PUT /_emulator/faults``: replace the faults with the JSON ``Faults`` fields."""
    try:
        faults = Faults(**_body(request))
    except (ValueError, TypeError) as error:
        return _problem(400, str(error))
    cloud.gateway.set_faults(faults)
    return _json(_faults_dict(faults))


def get_faults(cloud: Cloud, _request: Request) -> Reply:
    """``GET /_emulator/faults``: the faults in force."""
    return _json(_faults_dict(cloud.gateway.faults))


def _faults_dict(faults: Faults) -> dict[str, Any]:
    import attrs  # noqa: PLC0415  # only the admin API serialises faults

    return attrs.asdict(faults)


def requests(cloud: Cloud, request: Request) -> Reply:
    """``GET /_emulator/requests[?action=...]``: the request log and counts by action."""
    action = dict(request.query).get("action")
    log = cloud.gateway.request_log()
    if action:
        log = [entry for entry in log if entry["action"] == action]
    return _json({"Requests": log, "Counts": cloud.gateway.call_counts()})


def summary(cloud: Cloud, request: Request) -> Reply:
    """``GET /_emulator/summary[?region=...]``: each account's client types, clusters, identity."""
    backends = _backends(cloud, request)
    if isinstance(backends, Reply):
        return backends
    return _json({"Accounts": [account.as_dict() for account in backends[0].summary()]})


def estate(cloud: Cloud, request: Request) -> Reply:
    """``GET /_emulator/estate[?account=<id>]``: per region, instances, clients, gaps."""
    account = dict(request.query).get("account")
    try:
        target = cloud.account(account or None)
    except KeyError:
        return _problem(404, f"no member account {account}")
    return _json(target.truth().as_dict())


def organisation(cloud: Cloud, _request: Request) -> Reply:
    """``GET /_emulator/organisation``: every account, its role, status and estate; 404 if none."""
    truth = cloud.organisation_truth()
    if truth is None:
        return _problem(404, "the emulator serves no organisation")
    return _json(truth.as_dict())


def reset(cloud: Cloud, _request: Request) -> Reply:
    """``POST /_emulator/reset``: every region seeded again, no faults, an empty log."""
    cloud.reset()
    return Reply(status=204)


def forbidden(_cloud: Cloud, _request: Request) -> Reply:
    """Refuse an admin call from a non-loopback address."""
    return _problem(403, "the control API only answers loopback clients")
