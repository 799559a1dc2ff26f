"""The seeded fleet generator and the ``--data`` file loader.

Every value of a generated fleet is a function of the seed, except the volatile
times: ``LastHeartBeatTime`` and ``UpdatedTime`` are offsets from ``now`` (the moment
the emulator started), so that heartbeats look fresh or stale to a caller comparing
them with its clock. ``CreatedTime`` counts back from :data:`CREATION_ANCHOR`, so two
emulators started with the same seed serve the same fleet, apart from those two fields.
"""

from __future__ import annotations

import json
import os
import random
import string
from collections.abc import Container, Iterator, Mapping
from pathlib import Path
from typing import Any

from hbr_emulator.defaults import (
    DEFAULT_CROSS_ACCOUNT_ROLE_NAME,
    DEFAULT_CROSS_ACCOUNT_USER_ID,
    MAX_CLIENT_VERSION,
    SELF_ACCOUNT,
    cross_account_key,
)
from hbr_emulator.wire import build_client, build_settings, normalize_client

Generated = tuple[dict[str, Any], str | None]
"""A wire client and its internal cluster id."""

CONTAINER_SHARE = 0.15
"""Share of container clients in a generated fleet."""

CROSS_ACCOUNT_FLEET = 12
"""Clients in the seeded cross-account fleet."""

ZONES = tuple(f"cn-hangzhou-{z}" for z in "fghijk")
STATUSES = (
    "REGISTERED",
    "DEACTIVATED",
    "INSTALLING",
    "INSTALL_FAILED",
    "NOT_INSTALLED",
    "UPGRADING",
    "UPGRADE_FAILED",
    "UNINSTALLING",
    "UNINSTALL_FAILED",
    "STOPPED",
    "UNKNOWN",
)
"""Every status other than ``ACTIVATED``."""

VERSIONS = ("2.4.5", "2.5.1", "2.9.3", "2.11.2", "2.12.0", "2.13.2")
"""Client versions behind :data:`MAX_CLIENT_VERSION` (multi-digit parts on purpose)."""

ENVS = ("prod", "staging", "dev")
TEAMS = ("payments", "platform", "data", "search", "identity")
APPS = ("billing", "checkout", "gateway", "ledger", "indexer", "auth", "etl", "cache")

_ALNUM = string.ascii_lowercase + string.digits
_DAY = 86_400


def new_id(rng: random.Random, prefix: str) -> str:
    """Return ``prefix`` followed by 20 lowercase letters and digits."""
    return prefix + "".join(rng.choices(_ALNUM, k=20))


def unique_id(rng: random.Random, prefix: str, taken: Container[str]) -> str:
    """Return a :func:`new_id` that is not in ``taken``."""
    while True:
        candidate = new_id(rng, prefix)
        if candidate not in taken:
            return candidate


def _tags(rng: random.Random) -> tuple[tuple[str, str], ...]:
    roll = rng.random()
    if roll < 0.1:
        return ()
    env = ("env", rng.choice(ENVS))
    if roll < 0.2:
        return (env,)
    return (env, ("team", rng.choice(TEAMS)), ("app", rng.choice(APPS)))


def _settings(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    network = rng.choices(("VPC", "PUBLIC", "CLASSIC"), weights=(8, 1, 1))[0]
    common: dict[str, Any] = {
        "data_network_type": network,
        "use_https": rng.random() < 0.3,
        "max_cpu_core": rng.choice((0, 0, 2, 4)),
        "max_worker": rng.choice((0, 0, 1, 4)),
        "alert_on_partial_complete": rng.random() < 0.2,
        "max_memory": rng.choice((0, 0, 2 << 30, 4 << 30)),
    }
    if roll < 0.1:
        return build_settings(
            data_proxy_setting="CUSTOM",
            proxy_host=f"proxy-{rng.randint(1, 9)}.corp.example",
            proxy_port=rng.choice((3128, 8080, 8888)),
            proxy_user=f"hbr-{rng.choice(TEAMS)}",
            proxy_password="".join(rng.choices(_ALNUM, k=16)),
            **common,
        )
    if roll < 0.15:
        return build_settings(data_proxy_setting="DISABLE", **common)
    return build_settings(**common)


def random_client(
    rng: random.Random,
    *,
    client_type: str,
    now: int,
    existing: Container[str] = (),
    created_time: int | None = None,
    status: str | None = None,
    cluster_ids: tuple[str, ...] = (),
) -> Generated:
    """Draw one realistic client of ``client_type`` from ``rng``."""
    client_id = unique_id(rng, "c-", existing)
    created = created_time if created_time is not None else now - rng.randint(_DAY, 3 * 365 * _DAY)
    if status is None:
        status = "ACTIVATED" if rng.random() < 0.8 else rng.choice(STATUSES)
    protected = status == "ACTIVATED" and rng.random() < 0.7
    stale = status in {"UNKNOWN", "STOPPED"} or rng.random() < 0.05
    heartbeat = now - (rng.randint(2 * _DAY, 60 * _DAY) if stale else rng.randint(5, 300))
    version = MAX_CLIENT_VERSION if rng.random() < 0.6 else rng.choice(VERSIONS)
    tags = _tags(rng)
    app = next((v for k, v in tags if k == "app"), "host")
    env = next((v for k, v in tags if k == "env"), "misc")
    serial = rng.randint(1, 9999)
    settings = _settings(rng)
    common: dict[str, Any] = {
        "client_id": client_id,
        "client_type": client_type,
        "status": status,
        "backup_status": "PROTECTED" if protected else "UNPROTECTED",
        "instance_id": new_id(rng, "i-"),
        "client_version": version,
        "created_time": created,
        "updated_time": min(now, created + rng.randint(0, 200 * _DAY)),
        "last_heart_beat_time": max(created, heartbeat),
        "tags": tags,
        "settings": settings,
        "appliance": rng.random() < 0.03,
    }
    if client_type != "ECS_CLIENT":
        cluster = rng.choice(cluster_ids) if cluster_ids else new_id(rng, "cl-")
        hostname = f"{app}-{env}-node-{serial:04d}"
        return build_client(hostname=hostname, **common), cluster
    windows = rng.random() < 0.25
    hostname = f"{'win' if windows else app}-{env}-{serial:04d}"
    client = build_client(
        hostname=hostname,
        instance_name=f"{app}-{env}-{serial:04d}",
        private_ip_v4=f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        zone_id=rng.choice(ZONES),
        os_type="windows" if windows else "linux",
        arch_type="386" if rng.random() < 0.1 else "amd64",
        **common,
    )
    return client, None


#: Creation times count back from here (2026-09-01 UTC), or from ``now`` if that is earlier.
CREATION_ANCHOR = 1_788_220_800


def _fleet(rng: random.Random, *, size: int, now: int) -> Iterator[Generated]:
    containers = round(size * CONTAINER_SHARE)
    ecs = size - containers
    clusters = tuple(new_id(rng, "cl-") for _ in range(max(1, containers // 8)))
    taken: set[str] = set()
    for client_type, count in (("ECS_CLIENT", ecs), ("CONTAINER_CLIENT", containers)):
        # Newest first: listing order is creation time, descending.
        anchor = min(now, CREATION_ANCHOR)
        created = sorted(
            (anchor - rng.randint(_DAY, 3 * 365 * _DAY) for _ in range(count)), reverse=True
        )
        # Every non-ACTIVATED status appears at least once when there is room for it.
        forced = dict(
            zip(rng.sample(range(count), min(count, len(STATUSES))), STATUSES, strict=False)
        )
        for index, created_time in enumerate(created):
            client, cluster = random_client(
                rng,
                client_type=client_type,
                now=now,
                existing=taken,
                created_time=created_time,
                status=forced.get(index),
                cluster_ids=clusters,
            )
            taken.add(client["ClientId"])
            yield client, cluster


def generate_accounts(*, size: int, seed: int, now: int) -> dict[str, Iterator[Generated]]:
    """Return the seeded fleets: ``size`` clients for ``"self"``, a small cross-account fleet."""
    cross = cross_account_key(DEFAULT_CROSS_ACCOUNT_USER_ID, DEFAULT_CROSS_ACCOUNT_ROLE_NAME)
    return {
        SELF_ACCOUNT: _fleet(random.Random(seed), size=size, now=now),  # noqa: S311
        cross: _fleet(random.Random(seed + 7_919), size=CROSS_ACCOUNT_FLEET, now=now),  # noqa: S311
    }


def _clients_of(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping) and "Clients" in value:
        value = value["Clients"]
    if not isinstance(value, list) or not all(isinstance(c, Mapping) for c in value):
        msg = "a fleet must be a list of clients or a {'Clients': [...]} envelope"
        raise ValueError(msg)
    return value


def load_accounts(path: str | os.PathLike[str]) -> dict[str, Iterator[Generated]]:
    """Load fleets from a JSON file in the API's own shape.

    Accepted: a list of clients, a ``{"Clients": [...]}`` envelope (both: the
    caller's own fleet), or ``{"accounts": {"self": <fleet>, "cross:<uid>:<role>":
    <fleet>}}``. Missing fields get defaults; missing ids are drawn from a fixed seed.
    """
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(document, Mapping) and "accounts" in document:
        raw = {str(k): _clients_of(v) for k, v in document["accounts"].items()}
    else:
        raw = {SELF_ACCOUNT: _clients_of(document)}
    rng = random.Random(0)  # noqa: S311  # ids for clients the file leaves without one
    result: dict[str, Iterator[Generated]] = {}
    for account, clients in raw.items():
        result[account] = iter(
            [
                normalize_client(
                    client,
                    client_id=client.get("ClientId") or new_id(rng, "c-"),
                    instance_id=client.get("InstanceId") or new_id(rng, "i-"),
                )
                for client in clients
            ]
        )
    return result
