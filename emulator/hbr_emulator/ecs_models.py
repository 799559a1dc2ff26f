"""State and logic of the emulated ECS service of one region, with no HTTP: instances, listing.

:class:`EcsBackend` holds a region's instances in listing order (newest first) as
:class:`InstanceRecord` objects: the fields ``DescribeInstances`` filters on and the
instance's pre-rendered JSON. Where the instances come from is a callable, read again by
every reset: an estate's generated instances, or (single-fleet mode) the instances the
caller's ``ECS_CLIENT`` clients name (:func:`instances_of_clients`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from hbr_emulator.ecs_wire import build_instance, render_fragment, tag_pairs
from hbr_emulator.models import HbrBackend

__all__ = [
    "EcsBackend",
    "InstancePage",
    "InstanceQuery",
    "InstanceRecord",
    "InstanceSource",
    "instances_of_clients",
]


@attrs.frozen(kw_only=True)
class InstanceRecord:
    """One instance: the fields listing filters on, and its rendered JSON."""

    instance_id: str
    status: str
    tags: tuple[tuple[str, str], ...]
    fragment: bytes

    @classmethod
    def from_wire(cls, instance: Mapping[str, Any]) -> InstanceRecord:
        """Build a record from a complete wire instance."""
        return cls(
            instance_id=instance["InstanceId"],
            status=instance["Status"],
            tags=tag_pairs(instance),
            fragment=render_fragment(instance),
        )

    def to_wire(self) -> dict[str, Any]:
        """Return the instance as the API renders it."""
        wire: dict[str, Any] = json.loads(self.fragment)
        return wire


@attrs.frozen(kw_only=True)
class InstanceQuery:
    """A validated ``DescribeInstances`` request.

    ``offset``/``limit`` is the window asked for: ``(PageNumber - 1) * PageSize`` and
    ``PageSize``, or the ``NextToken``'s offset and ``MaxResults`` when ``by_token``.
    ``instance_ids`` of ``frozenset()`` (``InstanceIds=[]``) matches nothing, as in ECS.
    """

    region_id: str
    page_number: int = 1
    page_size: int = 10
    by_token: bool = False
    offset: int = 0
    limit: int = 10
    instance_ids: frozenset[str] | None = None
    tags: tuple[tuple[str, str | None], ...] = ()
    status: str | None = None


@attrs.frozen(kw_only=True)
class InstancePage:
    """One page of matching instances, how many match in all, and where the next page starts."""

    total: int
    fragments: list[bytes]
    next_offset: int | None


def _matches(record: InstanceRecord, query: InstanceQuery) -> bool:
    if query.instance_ids is not None and record.instance_id not in query.instance_ids:
        return False
    if query.status is not None and record.status != query.status:
        return False
    for key, value in query.tags:
        if value is None:
            if not any(k == key for k, _ in record.tags):
                return False
        elif (key, value) not in record.tags:
            return False
    return True


InstanceSource = Callable[[], Iterable[InstanceRecord]]
"""Returns a region's instances in listing order."""


class EcsBackend:
    """One region's ECS: its instances, listed and filtered as ``DescribeInstances`` does."""

    def __init__(self, *, region: str, source: InstanceSource, follows: HbrBackend | None = None):
        """Load the instances ``source`` returns.

        With ``follows``, the instances are read when first asked for, and again whenever
        that HBR backend's fleet has changed (single-fleet mode, where instances mirror
        the clients): a large fleet costs nothing until ECS is called.
        """
        self.region = region
        self._source = source
        self._follows = follows
        self._lock = threading.Lock()
        self._generation = -1
        self._records: tuple[InstanceRecord, ...] = ()
        self.reset()

    def _current(self) -> tuple[InstanceRecord, ...]:
        if self._follows is not None and self._follows.generation != self._generation:
            self._load()
        return self._records

    def _load(self) -> None:
        with self._lock:
            generation = self._follows.generation if self._follows is not None else 0
            self._records = tuple(self._source())
            self._generation = generation

    def page(self, query: InstanceQuery) -> InstancePage:
        """Return the window of matching instances ``query`` asks for."""
        records = self._current()
        matching = [r for r in records if _matches(r, query)]
        end = query.offset + query.limit
        window = matching[query.offset : end]
        return InstancePage(
            total=len(matching),
            fragments=[r.fragment for r in window],
            next_offset=end if end < len(matching) else None,
        )

    def instances(self) -> list[dict[str, Any]]:
        """Return every instance as a wire dict, in listing order."""
        return [record.to_wire() for record in self._current()]

    def records(self) -> tuple[InstanceRecord, ...]:
        """Return every instance record, in listing order."""
        return self._current()

    def reset(self) -> None:
        """Read the instances from the source again (when next asked for, with ``follows``)."""
        if self._follows is None:
            self._load()
        else:
            self._generation = -1


def instances_of_clients(backend: HbrBackend) -> list[InstanceRecord]:
    """Return one ``Running`` instance per ``ECS_CLIENT`` client of ``backend``'s own fleet.

    Each takes its client's ``InstanceId``, ``InstanceName``, ``Hostname``, ``ZoneId``,
    ``OsType``, tags and ``CreatedTime``: the instances a fully covered region would hold.
    """
    seen: set[str] = set()
    records = []
    for client in backend.clients():
        instance_id = client["InstanceId"]
        if client["ClientType"] != "ECS_CLIENT" or instance_id in seen:
            continue
        seen.add(instance_id)
        wire = build_instance(
            instance_id=instance_id,
            instance_name=client.get("InstanceName") or client.get("Hostname") or instance_id,
            host_name=client.get("Hostname") or instance_id,
            region_id=backend.region,
            zone_id=client.get("ZoneId") or f"{backend.region}-g",
            status="Running",
            os_type=client.get("OsType") or "linux",
            created=int(client["CreatedTime"]),
            tags=tuple((t["Key"], t["Value"]) for t in client.get("Tags", ())),
        )
        records.append(InstanceRecord.from_wire(wire))
    return records
