"""The lookup resource's lifecycle, shared by the dynamic provider and the ``hbr`` plugin.

Both serve the same read-only ``BackupClients`` resource, one to Python programs (the dynamic
provider) and one to every language (the plugin). What they share lives here, in
snake_case: which inputs a resource takes, how check names each bad field while letting
unknown inputs pass, how one listing is handed from ``check`` to the ``diff``/``create``/
``update`` after it, and how diff decides that the fleet changed.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from hbr_clients_provider.adapters.outputs import fleet_markers
from hbr_clients_provider.adapters.stack_config import (
    CONNECTION_INPUTS,
    LIMIT_INPUTS,
    input_violations,
    resolve_connection,
    resolve_limits,
)
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.limits import ListingLimits
from hbr_clients_provider.api.models import ClientListing
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.api.query import INPUT_NAMES, ClientQuery
from hbr_clients_provider.errors import HbrError, InvalidQuery, Violation

__all__ = [
    "MARKERS",
    "OPTION_INPUTS",
    "RESOURCE_INPUTS",
    "ListingHandOff",
    "LookupKey",
    "RefreshFindings",
    "changed_inputs",
    "check_listing",
    "fleet_changes",
    "is_unknown",
    "lookup_key",
    "resource_inputs",
    "top_field",
    "violations",
]

#: Inputs that shape the provider's behaviour rather than the query.
OPTION_INPUTS: tuple[str, ...] = ("include_volatile",)

#: Every input the resource accepts.
RESOURCE_INPUTS: tuple[str, ...] = INPUT_NAMES + CONNECTION_INPUTS + LIMIT_INPUTS + OPTION_INPUTS

#: How long a listing made by ``check()`` serves the ``diff``/``create``/``update`` after it.
HAND_OFF_TTL_S = 60.0

#: The outputs that tell one fleet from another (see :func:`.outputs.fleet_markers`).
MARKERS: tuple[str, ...] = ("fingerprint", "proxy_passwords")

#: Set by the user to get the engine's older refresh, which compares outputs itself.
_LEGACY_REFRESH_DIFF = "PULUMI_ENABLE_LEGACY_REFRESH_DIFF"

#: The query, the connection and the bounds of a lookup: what a listing depends on.
LookupKey = tuple[ClientQuery, ConnectionSettings, ListingLimits]


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is, or holds, a value that is not known until deployment."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


def resource_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource inputs within ``props`` that are set."""
    return {k: props[k] for k in RESOURCE_INPUTS if props.get(k) is not None}


def top_field(field: str) -> str:
    """The input a violation's field path starts with (``tags[2].key`` -> ``tags``)."""
    return re.split(r"[\[.]", field, maxsplit=1)[0]


def violations(inputs: Mapping[str, Any]) -> list[Violation]:
    """Every violation among the known inputs; unknown ones are assumed valid."""
    unknown = {k for k, v in inputs.items() if is_unknown(v)}
    known = {k: v for k, v in inputs.items() if k not in unknown and k not in OPTION_INPUTS}
    if "client_type" in unknown:
        known["client_type"] = "ECS_CLIENT"  # a stand-in, so the rest can be checked
    found = [v for v in input_violations(known) if top_field(v.field) not in unknown]
    include_volatile = inputs.get("include_volatile")
    if include_volatile is not None and not (
        isinstance(include_volatile, bool) or is_unknown(include_volatile)
    ):
        found.append(Violation(field="include_volatile", rule="must be a boolean"))
    return found


def lookup_key(options: Mapping[str, str], inputs: Mapping[str, Any]) -> LookupKey:
    """The query, connection and bounds of ``inputs`` under the provider ``options``.

    :raises InvalidQuery: for a bad input or a bad limit in ``options``.
    :raises CredentialsError: when no credentials can be found.
    :raises ValueError: when neither an endpoint nor a region is known.
    """
    query = ClientQuery.from_inputs({k: v for k, v in inputs.items() if k in INPUT_NAMES})
    return query, resolve_connection(options, inputs), resolve_limits(options, inputs)


def check_listing(
    hand_off: ListingHandOff,
    options: Mapping[str, str],
    inputs: Mapping[str, Any],
    *,
    wording: Callable[[BaseException], str] = str,
) -> list[Violation | str]:
    """List the fleet for a check whose inputs are all known; hand the listing on.

    What went wrong comes back instead of being raised, so check can report it: a
    :class:`Violation` for a bad input or a bad setting (``hbr:endpoint``, ``hbr:caBundle``,
    a proxy variable), else the message of an API, credential or network error, worded by
    ``wording`` (a Pulumi surface's :func:`~hbr_clients_provider.adapters.wording.pulumi_message`).
    """
    try:
        key = lookup_key(options, inputs)
        hand_off.pass_on(key, hand_off.list(key, reuse=False))
    except InvalidQuery as error:
        return list(error.violations)
    except (HbrError, ValueError) as error:
        return [wording(error)]
    return []


def changed_inputs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The names of the inputs whose values differ, sorted."""
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def fleet_changes(
    hand_off: ListingHandOff,
    options: Mapping[str, str],
    inputs: Mapping[str, Any],
    olds: Mapping[str, Any],
    *,
    required: tuple[str, ...] = (),
) -> list[str]:
    """What a diff with unchanged inputs finds: the fleet markers that moved since ``olds``.

    The fleet is listed (or check's listing taken); ``required`` outputs that ``olds`` lack
    count as changed too. When anything changed, the listing is handed to the update after.
    """
    key = lookup_key(options, inputs)
    listing = hand_off.list(key, reuse=True)
    current = fleet_markers(listing, include_volatile=inputs.get("include_volatile") is True)
    changed = [name for name, value in current.items() if olds.get(name) != value]
    changed += [name for name in required if olds.get(name) is None]
    if changed:
        hand_off.pass_on(key, listing)
    return changed


@attrs.define
class ListingHandOff:
    """Listings handed from one step of an operation to the next, within one process.

    ``check()`` lists the fleet once, so that an API error is a readable check failure;
    the ``diff``/``create``/``update`` after it take that listing instead of listing
    again. A listing is handed on once and for at most :data:`HAND_OFF_TTL_S`, so every
    later operation served by the same process lists afresh.
    """

    _listings: dict[LookupKey, tuple[float, ClientListing]] = attrs.field(factory=dict)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def pass_on(self, key: LookupKey, listing: ClientListing) -> None:
        """Hand ``listing`` to the next step of this operation."""
        with self._lock:
            self._listings[key] = (time.monotonic(), listing)

    def list(self, key: LookupKey, *, reuse: bool) -> ClientListing:
        """List the fleet for ``key``; with ``reuse``, take the listing handed on."""
        with self._lock:
            passed = self._listings.pop(key, None) if reuse else None
        if passed is not None and time.monotonic() - passed[0] < HAND_OFF_TTL_S:
            return passed[1]
        return list_clients(key[0], connection=key[1], limits=key[2])


@attrs.define
class RefreshFindings:
    """What ``read()`` found for each resource ID, told to the ``diff()`` of the refresh.

    In the engine this project pins (v3.274.1, ``RefreshStep.Apply``), refresh does not
    compare the refreshed outputs with the old ones: it asks the provider to diff the
    refreshed state (as the olds) against the program's inputs. A lookup's inputs are its
    query, which a fleet change leaves alone, so an ordinary diff finds nothing and refresh
    would show "unchanged" while the state moved. So when the fleet markers moved,
    ``read()`` records them for the ID, and the diff that follows on exactly those outputs
    reports a change. A finding is used once, within :data:`HAND_OFF_TTL_S`.
    """

    _found: dict[str, list[tuple[float, dict[str, Any]]]] = attrs.field(factory=dict)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def record(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        """Remember the new markers of ``id_`` when they differ from the old outputs'."""
        markers = {name: news.get(name) for name in MARKERS}
        if all(olds.get(name) == value for name, value in markers.items()):
            return
        if os.environ.get(_LEGACY_REFRESH_DIFF, "").lower() in {"1", "true"}:
            return  # that engine sends no refresh diff, so nothing would use the finding
        with self._lock:
            # A list: lookups with identical inputs share an ID, and each is refreshed once.
            self._found.setdefault(id_, []).append((time.monotonic(), markers))

    def changed(self, id_: str, olds: Mapping[str, Any]) -> bool:
        """Whether ``olds`` are the outputs of a ``read()`` of ``id_`` that found a change.

        A finding is used once, and only for outputs carrying exactly the markers that read
        produced; a changed fleet's markers differ from the old state's, so a diff of the
        old state is never mistaken for it.
        """
        now = time.monotonic()
        with self._lock:
            found = [f for f in self._found.pop(id_, []) if now - f[0] < HAND_OFF_TTL_S]
            match = next((f for f in found if all(olds.get(k) == v for k, v in f[1].items())), None)
            if match is not None:
                found.remove(match)
            if found:
                self._found[id_] = found
        return match is not None
