"""The seeded estate generator: per region, ECS instances and the HBR fleet that covers them.

Every value is drawn from ``random.Random(f"{seed}/{region}")`` (so adding a region leaves
the others as they were), except heartbeat and update times, which count back from the
moment the emulator started, as in :mod:`hbr_emulator.fleet`. The rules, per region:

- **Instances**: ``instances_per_region``, newest first (``CreationTime`` descending),
  IDs ``i-`` + 20 lowercase letters and digits; each is tagged ``env`` (prod, staging,
  dev), ``team`` and ``app``; a quarter run Windows. A sample of ``stopped_per_region``
  is ``Stopped``, the others ``Running``.
- **Coverage**: a sample of ``uncovered_per_region`` instances (stopped or not) has no
  client; every other instance has exactly one ``ECS_CLIENT`` client with its
  ``InstanceId``, ``InstanceName``, ``Hostname``, ``ZoneId``, ``OsType`` and tags.
- **Client status**: the client of a ``Stopped`` instance is ``STOPPED``; of the clients
  of covered ``Running`` instances, taken in the instances' listing order, every
  :data:`DEGRADED_EVERY`-th (the 10th, 20th, ...) takes the next status of
  :data:`DEGRADED_STATUSES` in turn; all others are ``ACTIVATED``. Clients are listed
  newest first by ``CreatedTime`` (ECS clients, then container clients), as HBR lists them.
- **Orphans**: ``orphans_per_region`` ``ECS_CLIENT`` clients, ``ACTIVATED``, whose
  ``InstanceId`` is no instance of the region.
- **Containers**: ``containers_per_region`` ``ACTIVATED`` ``CONTAINER_CLIENT`` clients in
  one ``cl-`` cluster.
- A region in ``not_activated`` has its instances and no client at all.
"""

from __future__ import annotations

import random
from typing import Any

import attrs

from hbr_emulator import fleet as fleet_gen
from hbr_emulator.ecs_wire import build_instance, parse_time
from hbr_emulator.estate import Estate

__all__ = [
    "DEGRADED_EVERY",
    "DEGRADED_STATUSES",
    "RegionPlan",
    "generate_region",
]

DEGRADED_EVERY = 10
"""Every this many clients of ``Running`` instances, one is not ``ACTIVATED``."""

DEGRADED_STATUSES = ("UNKNOWN", "DEACTIVATED", "INSTALL_FAILED", "UPGRADE_FAILED", "REGISTERED")
"""The statuses degraded clients take, in turn."""

ZONE_LETTERS = "abc"
"""Zones of a region: ``<region>-a``, ``-b``, ``-c``."""

INSTANCE_TYPES = (("ecs.g7.large", 2, 8192), ("ecs.c7.xlarge", 4, 8192), ("ecs.r7.large", 2, 16384))
"""``(InstanceType, Cpu, Memory MiB)`` the generator picks from."""

_DAY = 86_400


@attrs.frozen(kw_only=True)
class RegionPlan:
    """What one region of an estate holds: wire instances and wire clients, in listing order."""

    region: str
    instances: tuple[dict[str, Any], ...]
    clients: tuple[fleet_gen.Generated, ...]


def _instances(
    rng: random.Random, estate: Estate, region: str, anchor: int
) -> list[dict[str, Any]]:
    count = estate.instances_per_region
    created = sorted(
        (anchor - rng.randint(_DAY, 3 * 365 * _DAY) for _ in range(count)), reverse=True
    )
    stopped = set(rng.sample(range(count), estate.stopped_per_region))
    taken: set[str] = set()
    instances = []
    for index, created_time in enumerate(created):
        instance_id = fleet_gen.unique_id(rng, "i-", taken)
        taken.add(instance_id)
        env, team, app = (
            rng.choice(fleet_gen.ENVS),
            rng.choice(fleet_gen.TEAMS),
            rng.choice(fleet_gen.APPS),
        )
        windows = rng.random() < 0.25
        serial = rng.randint(1, 9999)
        instance_type, cpu, memory = rng.choice(INSTANCE_TYPES)
        instances.append(
            build_instance(
                instance_id=instance_id,
                instance_name=f"{app}-{env}-{serial:04d}",
                host_name=f"{'win' if windows else app}-{env}-{serial:04d}",
                region_id=region,
                zone_id=f"{region}-{rng.choice(ZONE_LETTERS)}",
                status="Stopped" if index in stopped else "Running",
                os_type="windows" if windows else "linux",
                created=created_time,
                tags=(("env", env), ("team", team), ("app", app)),
                instance_type=instance_type,
                cpu=cpu,
                memory_mib=memory,
            )
        )
    return instances


def _client_status(instance: dict[str, Any], running_index: int) -> str:
    """``running_index`` counts the clients of Running instances from 1, in listing order."""
    if instance["Status"] == "Stopped":
        return "STOPPED"
    if running_index % DEGRADED_EVERY == 0:
        turn = running_index // DEGRADED_EVERY - 1
        return DEGRADED_STATUSES[turn % len(DEGRADED_STATUSES)]
    return "ACTIVATED"


def _covering_client(
    rng: random.Random,
    instance: dict[str, Any],
    *,
    status: str,
    now: int,
    anchor: int,
    taken: set[str],
) -> fleet_gen.Generated:
    # Installed up to 30 days after the instance was created, never after the anchor.
    installed = parse_time(instance["CreationTime"]) + rng.randint(0, 30 * _DAY)
    client, _ = fleet_gen.random_client(
        rng,
        client_type="ECS_CLIENT",
        now=now,
        existing=taken,
        created_time=min(installed, anchor),
        status=status,
    )
    client.update(
        InstanceId=instance["InstanceId"],
        InstanceName=instance["InstanceName"],
        Hostname=instance["HostName"],
        ZoneId=instance["ZoneId"],
        OsType=instance["OSType"],
        Tags=[{"Key": t["TagKey"], "Value": t["TagValue"]} for t in instance["Tags"]["Tag"]],
    )
    return client, None


def _newest_first(clients: list[fleet_gen.Generated]) -> list[fleet_gen.Generated]:
    return sorted(clients, key=lambda generated: -int(generated[0]["CreatedTime"]))


def generate_region(estate: Estate, region: str, *, now: int) -> RegionPlan:
    """Return region ``region`` of ``estate`` (see the module docstring for the rules)."""
    rng = random.Random(f"{estate.seed}/{region}")  # noqa: S311  # not cryptographic
    anchor = min(now, fleet_gen.CREATION_ANCHOR)
    instances = _instances(rng, estate, region, anchor)
    if region in estate.not_activated:
        return RegionPlan(region=region, instances=tuple(instances), clients=())
    uncovered = set(rng.sample(range(len(instances)), estate.uncovered_per_region))
    taken: set[str] = set()
    ecs_clients: list[fleet_gen.Generated] = []
    running_index = 0
    for index, instance in enumerate(instances):
        if index in uncovered:
            continue
        if instance["Status"] != "Stopped":
            running_index += 1
        status = _client_status(instance, running_index)
        generated = _covering_client(
            rng, instance, status=status, now=now, anchor=anchor, taken=taken
        )
        taken.add(generated[0]["ClientId"])
        ecs_clients.append(generated)
    instance_ids = {instance["InstanceId"] for instance in instances}
    for _ in range(estate.orphans_per_region):
        client, _cluster = fleet_gen.random_client(
            rng, client_type="ECS_CLIENT", now=now, existing=taken, status="ACTIVATED"
        )
        client["InstanceId"] = fleet_gen.unique_id(rng, "i-", instance_ids)
        client["ZoneId"] = f"{region}-{rng.choice(ZONE_LETTERS)}"
        taken.add(client["ClientId"])
        ecs_clients.append((client, None))
    cluster = fleet_gen.new_id(rng, "cl-")
    containers: list[fleet_gen.Generated] = []
    for _ in range(estate.containers_per_region):
        generated = fleet_gen.random_client(
            rng,
            client_type="CONTAINER_CLIENT",
            now=now,
            existing=taken,
            status="ACTIVATED",
            cluster_ids=(cluster,),
        )
        taken.add(generated[0]["ClientId"])
        containers.append(generated)
    clients = (*_newest_first(ecs_clients), *_newest_first(containers))
    return RegionPlan(region=region, instances=tuple(instances), clients=clients)
