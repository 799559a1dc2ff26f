"""State and logic of the emulated HBR service of one region, with no HTTP: fleets, listing.

:class:`HbrBackend` is what ``Emulator.backend`` returns. A fleet is kept per
account (``"self"`` and ``"cross:<uid>:<role>"``); in each, clients are kept per
client type in listing order, as compact :class:`ClientRecord` objects that hold
the client's pre-rendered JSON (packed, see :mod:`hbr_emulator.packing`), so an
unfiltered page is a slice, an unpack and a join. Credentials, faults and the request
log belong to the :class:`~hbr_emulator.gateway.Gateway` the backend shares with the
other services and regions of its cloud.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from hbr_emulator import fleet as fleet_gen
from hbr_emulator.auth import Credentials, NonceCache
from hbr_emulator.defaults import CLIENT_TYPES, DEFAULT_REGION, REGIONS, SELF_ACCOUNT
from hbr_emulator.exceptions import NoPermission
from hbr_emulator.faults import FaultInjector, Faults
from hbr_emulator.gateway import REQUEST_LOG_LIMIT, Gateway
from hbr_emulator.packing import pack, unpack
from hbr_emulator.summary import AccountSummary
from hbr_emulator.wire import (
    CLUSTER_KEY,
    merge_changes,
    normalize_client,
    render_fragment,
    tag_pairs,
)

__all__ = [
    "REQUEST_LOG_LIMIT",
    "ClientRecord",
    "Fleet",
    "FleetSource",
    "HbrBackend",
    "ListQuery",
    "Page",
]

FleetSource = Callable[[], Mapping[str, Iterable[fleet_gen.Generated]]]
"""Returns the fleets to load, per account key; called again by every reset."""

_TAGS_CACHE: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}


def _shared_tags(tags: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    # Fleets repeat a few tag sets; sharing one tuple per set keeps 100,000 clients small.
    interned = tuple((sys.intern(k), sys.intern(v)) for k, v in tags)
    return _TAGS_CACHE.setdefault(interned, interned)


@attrs.frozen(weakref_slot=False)
class ClientRecord:
    """One client: the fields listing filters on, and its rendered JSON, packed."""

    client_id: str
    client_type: str
    instance_id: str
    status: str
    backup_status: str
    zone_id: str | None
    cluster_id: str | None
    tags: tuple[tuple[str, str], ...]
    packed: bytes

    @classmethod
    def from_wire(cls, client: Mapping[str, Any], cluster_id: str | None) -> ClientRecord:
        """Build a record from a complete wire client."""
        zone = client.get("ZoneId")
        return cls(
            client["ClientId"],
            sys.intern(client["ClientType"]),
            client["InstanceId"],
            sys.intern(client["Status"]),
            sys.intern(client["BackupStatus"]),
            sys.intern(zone) if zone else None,
            sys.intern(cluster_id) if cluster_id else None,
            _shared_tags(tag_pairs(client)),
            pack(render_fragment(client)),
        )

    @property
    def fragment(self) -> bytes:
        """The client rendered as JSON."""
        return unpack(self.packed)

    def to_wire(self) -> dict[str, Any]:
        """Return the client as the API renders it."""
        wire: dict[str, Any] = json.loads(self.fragment)
        return wire


@attrs.frozen(kw_only=True)
class ListQuery:
    """A validated ``DescribeBackupClients`` request."""

    client_type: str
    page_number: int = 1
    page_size: int = 10
    account: str = SELF_ACCOUNT
    client_ids: frozenset[str] | None = None
    instance_ids: frozenset[str] | None = None
    tags: tuple[tuple[str, str | None], ...] = ()
    cluster_id: str | None = None
    filters: tuple[tuple[str, frozenset[str]], ...] = ()


@attrs.frozen(kw_only=True)
class Page:
    """One page of matching clients, and how many match in all."""

    total: int
    fragments: list[bytes]


# Filters.N.Key values the emulator understands, and the record field each reads.
FILTER_FIELDS: dict[str, Callable[[ClientRecord], str | None]] = {
    "status": lambda r: r.status,
    "backupStatus": lambda r: r.backup_status,
    "zoneId": lambda r: r.zone_id,
    "clientId": lambda r: r.client_id,
    "instanceId": lambda r: r.instance_id,
}


def _tag_check(key: str, value: str | None) -> Callable[[ClientRecord], bool]:
    if value is None:
        return lambda r: any(k == key for k, _ in r.tags)
    pair = (key, value)
    return lambda r: pair in r.tags


def _filter_check(
    field: Callable[[ClientRecord], str | None], values: frozenset[str]
) -> Callable[[ClientRecord], bool]:
    return lambda r: field(r) in values


def _predicate(query: ListQuery) -> Callable[[ClientRecord], bool] | None:
    checks: list[Callable[[ClientRecord], bool]] = []
    if query.client_ids is not None:
        ids = query.client_ids
        checks.append(lambda r: r.client_id in ids)
    if query.instance_ids is not None:
        instances = query.instance_ids
        checks.append(lambda r: r.instance_id in instances)
    if query.cluster_id is not None and query.client_type == "CONTAINER_CLIENT":
        cluster = query.cluster_id
        checks.append(lambda r: r.cluster_id == cluster)
    for key, value in query.tags:
        checks.append(_tag_check(key, value))
    for name, values in query.filters:
        field = FILTER_FIELDS.get(name)
        if field is not None:
            checks.append(_filter_check(field, values))
    if not checks:
        return None
    return lambda r: all(check(r) for check in checks)


class Fleet:
    """The clients of one account, per client type in listing order, indexed by id."""

    def __init__(self) -> None:
        """Start empty."""
        self.by_type: dict[str, list[ClientRecord]] = {t: [] for t in CLIENT_TYPES}
        self.by_id: dict[str, ClientRecord] = {}

    def add(self, record: ClientRecord, *, front: bool = False) -> None:
        """Add ``record``; at the front of its list when ``front`` (a newly created client)."""
        if record.client_id in self.by_id:
            msg = f"client {record.client_id} already exists"
            raise ValueError(msg)
        records = self.by_type[record.client_type]
        if front:
            records.insert(0, record)
        else:
            records.append(record)
        self.by_id[record.client_id] = record

    def replace(self, record: ClientRecord) -> None:
        """Replace the record with the same id, keeping its place."""
        old = self.by_id[record.client_id]
        records = self.by_type[old.client_type]
        index = next(i for i, r in enumerate(records) if r is old)
        records[index] = record
        self.by_id[record.client_id] = record

    def remove(self, client_id: str) -> None:
        """Remove a client by id."""
        old = self.by_id.pop(client_id)
        records = self.by_type[old.client_type]
        index = next(i for i, r in enumerate(records) if r is old)
        del records[index]

    def ordered(self) -> Iterable[ClientRecord]:
        """Iterate all clients: ECS, then container, then local, each in listing order."""
        for client_type in CLIENT_TYPES:
            yield from self.by_type[client_type]

    def page(self, query: ListQuery) -> Page:
        """Return the page ``query`` asks for."""
        records = self.by_type[query.client_type]
        start = (query.page_number - 1) * query.page_size
        end = start + query.page_size
        predicate = _predicate(query)
        if predicate is None:
            return Page(total=len(records), fragments=[r.fragment for r in records[start:end]])
        matching = [r for r in records if predicate(r)]
        return Page(total=len(matching), fragments=[r.fragment for r in matching[start:end]])


class HbrBackend:
    """One region's HBR: fleets per account, and the gateway (faults, credentials, log) in front."""

    def __init__(
        self,
        *,
        fleet: int = 100,
        seed: int = 0,
        data: str | os.PathLike[str] | None = None,
        credentials: Credentials | None = None,
        faults: Faults | None = None,
        now: int | None = None,
        gateway: Gateway | None = None,
        source: FleetSource | None = None,
        region: str = DEFAULT_REGION,
        regions: tuple[tuple[str, str], ...] = REGIONS,
    ) -> None:
        """Build the fleets and start with ``faults``.

        The fleets come from ``source`` if given, else from ``data``, else the seeded
        generator (``fleet`` clients from ``seed``). Without a ``gateway`` the backend
        has its own, with ``credentials`` and ``faults``; with one, those two are ignored.
        ``regions`` is what ``DescribeRegions`` answers, as ``(RegionId, LocalName)``.
        """
        self.fleet_size = fleet
        self.seed = seed
        self.data = data
        self.region = region
        self.regions = regions
        self.gateway = gateway or Gateway(credentials=credentials, faults=faults, seed=seed)
        self.now = int(time.time()) if now is None else now
        self.generation = 0
        self._source = source
        self._lock = threading.RLock()
        self._accounts: dict[str, Fleet] = {}
        self._load()

    def _load(self) -> None:
        if self._source is not None:
            source = self._source()
        elif self.data is not None:
            source = fleet_gen.load_accounts(self.data)
        else:
            source = fleet_gen.generate_accounts(size=self.fleet_size, seed=self.seed, now=self.now)
        accounts: dict[str, Fleet] = {}
        for account, clients in source.items():
            target = accounts.setdefault(account, Fleet())
            for client, cluster in clients:
                target.add(ClientRecord.from_wire(client, cluster))
        with self._lock:
            self._accounts = accounts
            self.generation += 1

    # -- the gateway's state, kept reachable from here -----------------------------

    @property
    def credentials(self) -> Credentials:
        """The one access key accepted (the gateway's)."""
        return self.gateway.credentials

    @property
    def nonces(self) -> NonceCache:
        """The signature nonces seen (the gateway's)."""
        return self.gateway.nonces

    @property
    def injector(self) -> FaultInjector:
        """The fault injector in force (the gateway's)."""
        return self.gateway.injector

    # -- listing -----------------------------------------------------------------

    def list_page(self, query: ListQuery) -> Page:
        """Return a page of clients; raise ``NoPermission`` for an account with no fleet."""
        with self._lock:
            account = self._accounts.get(query.account)
            if account is None:
                msg = "The cross-account role cannot be assumed: no such authorisation."
                raise NoPermission(msg)
            page = account.page(query)
        if self.injector.page_served():
            self._mutate(query.account, query.client_type)
        return page

    def _mutate(self, account: str, client_type: str) -> None:
        rng: random.Random = self.injector.mutation_rng()
        with self._lock:
            fleet = self._accounts[account]
            records = fleet.by_type[client_type]
            if records and rng.random() < 0.5:
                fleet.remove(records[0].client_id)
                self.generation += 1
                return
            client, cluster = fleet_gen.random_client(
                rng, client_type=client_type, now=int(time.time()), existing=fleet.by_id
            )
            fleet.add(ClientRecord.from_wire(client, cluster), front=True)
            self.generation += 1

    # -- control -----------------------------------------------------------------

    def count(self, account: str = SELF_ACCOUNT) -> int:
        """Return how many clients the account holds."""
        with self._lock:
            fleet = self._accounts.get(account)
            return len(fleet.by_id) if fleet else 0

    def accounts(self) -> list[str]:
        """Return the account keys that have a fleet."""
        with self._lock:
            return list(self._accounts)

    def summary(self) -> list[AccountSummary]:
        """Return what each account holds: clients per type and per container cluster."""
        with self._lock:
            return [
                AccountSummary.count(
                    account, ((r.client_type, r.cluster_id) for r in fleet.by_id.values())
                )
                for account, fleet in self._accounts.items()
            ]

    def clients(
        self, account: str = SELF_ACCOUNT, *, internal: bool = False
    ) -> list[dict[str, Any]]:
        """Return the account's clients as wire dicts, in listing order.

        With ``internal``, container clients also carry their internal ``ClusterId``.
        """
        with self._lock:
            fleet = self._accounts.get(account)
            records = list(fleet.ordered()) if fleet else []
        result = []
        for record in records:
            wire = record.to_wire()
            if internal and record.cluster_id:
                wire[CLUSTER_KEY] = record.cluster_id
            result.append(wire)
        return result

    def cluster_of(self, client_id: str) -> str | None:
        """Return the internal cluster id of a container client (None for others)."""
        return self._find(client_id)[1].cluster_id

    def add_client(
        self, client: Mapping[str, Any], *, account: str = SELF_ACCOUNT
    ) -> dict[str, Any]:
        """Add a client (wire dict; missing fields get defaults) first in its listing order."""
        with self._lock:
            fleet = self._accounts.setdefault(account, Fleet())
            rng = random.Random()  # noqa: S311  # ids for ad-hoc clients need no determinism
            client_id = client.get("ClientId") or fleet_gen.new_id(rng, "c-")
            instance_id = client.get("InstanceId") or fleet_gen.new_id(rng, "i-")
            wire, cluster = normalize_client(client, client_id=client_id, instance_id=instance_id)
            fleet.add(ClientRecord.from_wire(wire, cluster), front=True)
            self.generation += 1
            return wire

    def update_client(self, client_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Apply wire ``changes`` to a client and return it; ``KeyError`` if unknown."""
        with self._lock:
            fleet, record = self._find(client_id)
            current = record.to_wire()
            cluster = changes.get(CLUSTER_KEY, record.cluster_id)
            merged = merge_changes(current, {k: v for k, v in changes.items() if k != CLUSTER_KEY})
            wire, _ = normalize_client(
                merged, client_id=client_id, instance_id=str(merged["InstanceId"])
            )
            fleet.replace(ClientRecord.from_wire(wire, cluster))
            self.generation += 1
            return wire

    def remove_client(self, client_id: str) -> None:
        """Remove a client from whichever account holds it; ``KeyError`` if unknown."""
        with self._lock:
            fleet, _ = self._find(client_id)
            fleet.remove(client_id)
            self.generation += 1

    def _find(self, client_id: str) -> tuple[Fleet, ClientRecord]:
        with self._lock:
            for fleet in self._accounts.values():
                record = fleet.by_id.get(client_id)
                if record is not None:
                    return fleet, record
        msg = f"no client {client_id}"
        raise KeyError(msg)

    @property
    def faults(self) -> Faults:
        """The faults in force."""
        return self.gateway.faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the faults; re-seeds the fault generator and restarts page counting."""
        self.gateway.set_faults(faults)

    def log_request(self, *, action: str, params: dict[str, str], status: int, code: str) -> None:
        """Record one API request (in the gateway's log)."""
        self.gateway.log_request(
            action=action, params=params, status=status, code=code, region=self.region
        )

    def request_log(self) -> list[dict[str, Any]]:
        """Return the most recent API requests of every service and region, oldest first."""
        return self.gateway.request_log()

    def api_call_count(self, action: str = "DescribeBackupClients") -> int:
        """Return how many API requests named ``action`` arrived (any outcome)."""
        return self.gateway.api_call_count(action)

    def call_counts(self) -> dict[str, int]:
        """Return the number of API requests per action."""
        return self.gateway.call_counts()

    def reload(self) -> None:
        """Go back to the seeded (or loaded) fleets; the gateway is left as it is."""
        self._load()

    def reset(self) -> None:
        """Go back to the seeded (or loaded) fleet, no faults and an empty log."""
        self.reload()
        self.gateway.reset()
