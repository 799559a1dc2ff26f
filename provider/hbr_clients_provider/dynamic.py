"""The Pulumi dynamic provider behind ``pulumi_hbr_clients.BackupClients``.

The engine runs this in the dynamic-provider process (``python -m pulumi.dynamic``). The
provider object is pickled into the state by reference — it lives in this importable,
side-effect-free module and holds nothing — so ``__provider`` stays tens of bytes, and
no credential or client is ever written into the state. ``configure()`` keeps the stack's
connection options in this process only (:data:`_PROCESS`).

The lifecycle of a lookup:

* ``check()`` validates every input through :class:`~.query.ClientQuery` and returns one
  ``CheckFailure`` per field, so ``pulumi preview`` names the field and nothing is sent.
  Inputs that are still unknown pass through. When every input is known it lists the
  fleet once, so an API, auth or network error also comes back as a readable failure
  (``DescribeBackupClients failed: Throttling.User ...``) instead of a traceback; the listing
  is reused by the ``diff``/``create``/``update`` that follow in the same operation.
* ``create()``/``update()`` return the complete outputs (:mod:`.outputs`).
* ``diff()`` reports a change when an input changed, or the fleet's fingerprint or proxy
  passwords changed; an unchanged fleet previews as "no changes".
* ``read()`` lists afresh, for ``pulumi refresh``. ``delete()`` calls no API at all.

Why ``read()`` tells the ``diff()`` after it what it found: in the engine this project
pins (v3.274.1, ``RefreshStep.Apply`` in ``pkg/resource/deploy/step.go``), refresh does not
compare the refreshed outputs with the old ones. It asks the provider to diff the refreshed
state (as the olds) against the program's inputs (as the news), and shows the lookup as
updated only when that diff reports changes. A lookup's inputs are its query, which a fleet change
leaves alone, and its outputs are the fleet the engine just read, so an ordinary ``diff()``
finds nothing and refresh reported "unchanged" while the state moved (``total_count`` 337 to
336). So when the fleet markers (fingerprint, proxy passwords) moved, ``read()`` records
that for the resource ID, and the ``diff()`` that follows on exactly those refreshed outputs
reports a change; an unchanged fleet takes the ordinary path (one more listing) and shows
unchanged; the engine then shows ``~ update``, and ``--diff`` prints the outputs that
changed (its display falls back to old against new outputs when a diff has no detail).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from hbr_clients_provider.connection import ConnectionSettings
from hbr_clients_provider.errors import HbrError, InvalidQuery, Violation
from hbr_clients_provider.models import ClientListing
from hbr_clients_provider.outputs import fleet_markers, inputs_key, listing_outputs
from hbr_clients_provider.paging import list_clients
from hbr_clients_provider.query import INPUT_NAMES, ClientQuery
from hbr_clients_provider.stack_config import (
    CONNECTION_INPUTS,
    LIMIT_INPUTS,
    ListingLimits,
    connection_options,
    input_violations,
    resolve_connection,
    resolve_limits,
)

__all__ = ["OPTION_INPUTS", "RESOURCE_INPUTS", "BackupClientsProvider"]

#: Inputs that shape the provider's behaviour rather than the query.
OPTION_INPUTS: tuple[str, ...] = ("include_volatile",)

#: Every input the resource accepts.
RESOURCE_INPUTS: tuple[str, ...] = INPUT_NAMES + CONNECTION_INPUTS + LIMIT_INPUTS + OPTION_INPUTS

#: How long a listing made by ``check()`` serves the ``diff``/``create``/``update`` after it.
_CHECK_LISTING_TTL_S = 60.0


@attrs.define
class _ProcessState:
    """Per-process state of the provider: stack options and the listings ``check()`` made."""

    options: dict[str, str] = attrs.field(factory=dict)
    listings: dict[
        tuple[ClientQuery, ConnectionSettings, ListingLimits], tuple[float, ClientListing]
    ] = attrs.field(factory=dict)
    refreshes: dict[str, list[tuple[float, dict[str, Any]]]] = attrs.field(factory=dict)
    lock: threading.Lock = attrs.field(factory=threading.Lock)


_PROCESS = _ProcessState()


#: Set by the user to get the engine's older refresh, which compares outputs itself.
_LEGACY_REFRESH_DIFF = "PULUMI_ENABLE_LEGACY_REFRESH_DIFF"

#: The outputs that tell one fleet from another (see :func:`.outputs.fleet_markers`).
_MARKERS: tuple[str, ...] = ("fingerprint", "proxy_passwords")


def _record_refresh(id_: str, markers: dict[str, Any]) -> None:
    """Remember that ``read()`` found a changed fleet for ``id_``, with these new markers."""
    if os.environ.get(_LEGACY_REFRESH_DIFF, "").lower() in {"1", "true"}:
        return  # that engine sends no refresh diff, so nothing would use the finding
    with _PROCESS.lock:
        # A list: lookups with identical inputs share an ID, and each is refreshed once.
        _PROCESS.refreshes.setdefault(id_, []).append((time.monotonic(), markers))


def _refreshed_changed_fleet(id_: str, olds: Mapping[str, Any]) -> bool:
    """Whether ``olds`` are the outputs of a ``read()`` of ``id_`` that found the fleet changed.

    The finding is used once, within :data:`_CHECK_LISTING_TTL_S`, and only for outputs
    carrying exactly the markers that read produced; a changed fleet's markers differ from
    the old state's, so a diff of the old state is never mistaken for it.
    """
    now = time.monotonic()
    with _PROCESS.lock:
        findings = [f for f in _PROCESS.refreshes.pop(id_, []) if now - f[0] < _CHECK_LISTING_TTL_S]
        match = next((f for f in findings if all(olds.get(k) == v for k, v in f[1].items())), None)
        if match is not None:
            findings.remove(match)
        if findings:
            _PROCESS.refreshes[id_] = findings
    return match is not None


def _is_unknown(value: Any) -> bool:
    """Whether ``value`` is, or holds, a value that is not known until deployment."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(_is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_is_unknown(v) for v in value)
    return False


def _inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The resource inputs within ``props`` (the inputs of check, create and update)."""
    return {k: props[k] for k in RESOURCE_INPUTS if props.get(k) is not None}


def _recorded_inputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a state was made from, kept in its ``query`` output.

    Outputs cannot echo the inputs under their own names: ``client_ids`` and
    ``instance_ids`` are both inputs (a filter) and outputs (the result).
    """
    recorded = outputs.get("query")
    return dict(recorded) if isinstance(recorded, Mapping) else _inputs(outputs)


def _query_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k in INPUT_NAMES}


def _top_field(field: str) -> str:
    """The input a violation's field path starts with (``tags[2].key`` -> ``tags``)."""
    return re.split(r"[\[.]", field, maxsplit=1)[0]


def _violations(inputs: Mapping[str, Any]) -> list[Violation]:
    """Every violation among the known inputs; unknown ones are assumed valid."""
    unknown = {k for k, v in inputs.items() if _is_unknown(v)}
    known = {k: v for k, v in inputs.items() if k not in unknown and k not in OPTION_INPUTS}
    if "client_type" in unknown:
        known["client_type"] = "ECS_CLIENT"  # a stand-in, so the rest can be checked
    violations = [v for v in input_violations(known) if _top_field(v.field) not in unknown]
    include_volatile = inputs.get("include_volatile")
    if include_volatile is not None and not isinstance(include_volatile, bool | Unknown):
        violations.append(Violation(field="include_volatile", rule="must be a boolean"))
    return violations


def _check_failure(violation: Violation) -> CheckFailure:
    """Name the top-level input; the reason has the rule, the value and any suggestion.

    ``tags[2].key`` is reported on ``tags``, its reason keeping the sub-path.
    """
    top = _top_field(violation.field)
    rendered = violation.render()
    return CheckFailure(top, rendered.removeprefix(f"{top}: "))


def _connection(inputs: Mapping[str, Any]) -> ConnectionSettings:
    return resolve_connection(_PROCESS.options, inputs)


_Key = tuple[ClientQuery, ConnectionSettings, ListingLimits]


def _key(inputs: Mapping[str, Any]) -> _Key:
    """The query, the connection and the bounds of ``inputs``: what a listing depends on."""
    query = ClientQuery.from_inputs(_query_inputs(inputs))
    return query, _connection(inputs), resolve_limits(_PROCESS.options, inputs)


def _pass_on(key: _Key, listing: ClientListing) -> None:
    """Hand ``listing`` to the next step of this operation (diff, create or update)."""
    with _PROCESS.lock:
        _PROCESS.listings[key] = (time.monotonic(), listing)


def _list(key: _Key, *, reuse: bool) -> ClientListing:
    """List the fleet for ``key``; with ``reuse``, take the listing the step before passed on.

    A listing is passed on once and for at most :data:`_CHECK_LISTING_TTL_S`, so ``check()``
    and the ``diff``/``create``/``update`` after it list the fleet once, while every later
    operation served by the same process lists it afresh.
    """
    with _PROCESS.lock:
        passed = _PROCESS.listings.pop(key, None) if reuse else None
    if passed is not None and time.monotonic() - passed[0] < _CHECK_LISTING_TTL_S:
        return passed[1]
    return list_clients(key[0], connection=key[1], limits=key[2])


def _include_volatile(inputs: Mapping[str, Any]) -> bool:
    return inputs.get("include_volatile") is True


def _outputs(inputs: Mapping[str, Any], listing: ClientListing) -> dict[str, Any]:
    return {
        **listing_outputs(listing, include_volatile=_include_volatile(inputs)),
        "query": dict(inputs),
    }


class BackupClientsProvider(ResourceProvider):
    """Dynamic provider of the read-only ``hbr:BackupClients`` lookup resource."""

    # The pickled provider holds no state at all, so it need not be encrypted in the state.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack's connection options (``alicloud:*``, ``hbr:*``) for this process."""
        _PROCESS.options = connection_options(req.config.get)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs; list the fleet once when all of them are known."""
        inputs = _inputs(news)
        failures = [_check_failure(v) for v in _violations(inputs)]
        if not failures and not any(_is_unknown(v) for v in inputs.values()):
            try:
                key = _key(inputs)
                _pass_on(key, _list(key, reuse=False))
            except InvalidQuery as error:  # hbr:endpoint, hbr:caBundle or a proxy variable
                failures.extend(
                    _check_failure(v) if v.field in inputs else CheckFailure("", v.render())
                    for v in error.violations
                )
            except (HbrError, ValueError) as error:
                failures.append(CheckFailure("", str(error)))
        return CheckResult({**news, **inputs}, failures)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """List the fleet and return the complete outputs."""
        inputs = _inputs(props)
        return CreateResult(
            f"hbr-clients-{inputs_key(inputs)}",
            _outputs(inputs, _list(_key(inputs), reuse=True)),
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Report a change when the inputs, the fleet's fingerprint or its passwords changed."""
        old_inputs, new_inputs = _recorded_inputs(olds), _inputs(news)
        if any(_is_unknown(v) for v in new_inputs.values()):
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        changed = sorted(
            k for k in set(old_inputs) | set(new_inputs) if old_inputs.get(k) != new_inputs.get(k)
        )
        if not changed and _refreshed_changed_fleet(_id, olds):
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        if not changed:
            key = _key(new_inputs)
            listing = _list(key, reuse=True)
            current = fleet_markers(listing, include_volatile=_include_volatile(new_inputs))
            changed = [name for name, value in current.items() if olds.get(name) != value]
            if olds.get("clients_json") is None:
                changed.append("clients_json")  # a state from before it existed: rewrite it
            if changed:
                _pass_on(key, listing)  # the update that follows
        return DiffResult(
            changes=bool(changed), replaces=[], stables=[], delete_before_replace=False
        )

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """List the fleet again and return the complete outputs."""
        inputs = _inputs(news)
        return UpdateResult(_outputs(inputs, _list(_key(inputs), reuse=True)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """List the fleet afresh, for ``pulumi refresh``; note whether the fleet changed."""
        inputs = _recorded_inputs(props)
        outputs = _outputs(inputs, _list(_key(inputs), reuse=False))
        markers = {name: outputs[name] for name in _MARKERS}
        if any(props.get(name) != value for name, value in markers.items()):
            _record_refresh(id_, markers)
        return ReadResult(id_, outputs, inputs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Forget the lookup; a read-only lookup has nothing to delete, so no API is called."""
