"""One query for the backup clients of a set of ECS instances, and what each one lacks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.api.paging import list_clients
from pulumi_hbr_clients.policy.config import ConnectionConfig

__all__ = ["ACTIVATED", "clients_by_instance", "coverage_problem"]

ACTIVATED = "ACTIVATED"


def clients_by_instance(
    instance_ids: Iterable[str],
    connection: ConnectionConfig,
    *,
    environ: Mapping[str, str] | None = None,
) -> dict[str, list[BackupClient]]:
    """List the ECS clients of exactly ``instance_ids`` in one query; group them by instance.

    The connection comes from ``connection``, else ``HBR_ENDPOINT``/``HBR_PROTOCOL``,
    ``ALIBABA_CLOUD_REGION_ID`` and the standard credential chain (``environ``, default the
    process environment). Long ID lists are split into calls of 99 IDs by the listing.

    :raises HbrError: API, credential or network errors (code and request ID, no secret).
    :raises ValueError: no endpoint can be found, or an instance ID the query refuses.
    """
    ids = sorted(set(instance_ids))
    settings = ConnectionSettings.resolve(
        region=connection.region,
        endpoint=connection.endpoint,
        protocol=connection.protocol,
        environ=environ,
    )
    listing = list_clients({"client_type": "ECS_CLIENT", "instance_ids": ids}, connection=settings)
    grouped: dict[str, list[BackupClient]] = {i: [] for i in ids}
    for client in listing.clients:
        if client.instance_id in grouped:
            grouped[client.instance_id].append(client)
    return grouped


def coverage_problem(clients: list[BackupClient]) -> str | None:
    """Why an instance with these clients is not covered, or ``None`` when one is ACTIVATED."""
    if any(c.status == ACTIVATED for c in clients):
        return None
    if not clients:
        return "has no HBR backup client"
    states = ", ".join(f"{c.client_id} ({c.status or 'no status'})" for c in clients)
    return f"has no ACTIVATED HBR backup client (found {states})"
