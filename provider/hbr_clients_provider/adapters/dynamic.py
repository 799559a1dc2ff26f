"""The Pulumi dynamic provider behind ``pulumi_hbr_clients.BackupClients``.

The engine runs this in the dynamic-provider process (``python -m pulumi.dynamic``). The
provider object is pickled into the state by reference — it lives in this importable,
side-effect-free module and holds nothing — so ``__provider`` stays tens of bytes, and
no credential or client is ever written into the state. States written by 0.1.0 name
the old address ``hbr_clients_provider.dynamic.BackupClientsProvider``, which
:mod:`hbr_clients_provider.dynamic` keeps importing. ``configure()`` keeps the stack's
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

Each of them runs inside :func:`~.boundary.engine_entry`: an API error met by a refresh, or
any unexpected exception, reaches the engine as the same one paragraph ``check()`` gives
in a preview, never as the traceback the dynamic-provider process would print.

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

from hbr_clients_provider.adapters.boundary import engine_entry
from hbr_clients_provider.adapters.lifecycle import (
    MARKERS,
    OPTION_INPUTS,
    RESOURCE_INPUTS,
    ListingHandOff,
    LookupKey,
    RefreshFindings,
    changed_inputs,
    check_listing,
    fleet_changes,
    is_unknown,
    lookup_key,
    resource_inputs,
    top_field,
    violations,
)
from hbr_clients_provider.adapters.outputs import (
    NO_CHANGE,
    fleet_changes_since,
    inputs_key,
    listing_outputs,
)
from hbr_clients_provider.adapters.stack_config import StackOptions, connection_options
from hbr_clients_provider.adapters.wording import (
    given_inputs,
    pulumi_message,
    pulumi_names,
    pulumi_violation,
    worded,
)
from hbr_clients_provider.api.models import ClientListing
from hbr_clients_provider.errors import Violation
from hbr_clients_provider.settings import PulumiNames, pulumi_text

__all__ = ["OPTION_INPUTS", "RESOURCE_INPUTS", "BackupClientsProvider"]


@attrs.define
class _ProcessState:
    """Per-process state of the provider: stack options, listings handed on, refresh findings."""

    options: Mapping[str, str] = attrs.field(factory=StackOptions)
    hand_off: ListingHandOff = attrs.field(factory=ListingHandOff)
    refreshes: RefreshFindings = attrs.field(factory=RefreshFindings)


_PROCESS = _ProcessState()


def _recorded_inputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a state was made from, kept in its ``query`` output.

    Outputs cannot echo the inputs under their own names: ``client_ids`` and
    ``instance_ids`` are both inputs (a filter) and outputs (the result).
    """
    recorded = outputs.get("query")
    return dict(recorded) if isinstance(recorded, Mapping) else resource_inputs(outputs)


def _check_failure(violation: Violation) -> CheckFailure:
    """Name the top-level input; the reason has the rule, the value and any suggestion.

    ``tags[2].key`` is reported on ``tags``, its reason keeping the sub-path.
    """
    top = top_field(violation.field)
    rendered = pulumi_text(violation.render(), PulumiNames())
    return CheckFailure(top, rendered.removeprefix(f"{top}: "))


def _message(error: BaseException, inputs: Mapping[str, Any]) -> str:
    """``error`` in a Pulumi operation's words: the inputs given and the stack's keys."""
    return pulumi_message(error, pulumi_names(_PROCESS.options, given_inputs(inputs)))


def _key(inputs: Mapping[str, Any]) -> LookupKey:
    """The query, the connection and the bounds of ``inputs``: what a listing depends on."""
    with worded(lambda error: _message(error, inputs)):
        return lookup_key(_PROCESS.options, inputs)


def _list(key: LookupKey, *, reuse: bool) -> ClientListing:
    """List the fleet for ``key``; with ``reuse``, take the listing the step before passed on."""
    with worded(lambda error: _message(error, {})):
        return _PROCESS.hand_off.list(key, reuse=reuse)


def _include_volatile(inputs: Mapping[str, Any]) -> bool:
    return inputs.get("include_volatile") is True


def _outputs(
    inputs: Mapping[str, Any], listing: ClientListing, olds: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The outputs for ``listing``; ``last_change`` compares them with the state ``olds``.

    A listing whose fleet markers equal the old state's keeps the old ``last_change``, so an
    unchanged refresh leaves the state as it was.
    """
    include_volatile = _include_volatile(inputs)
    outputs = {
        **listing_outputs(listing, include_volatile=include_volatile),
        "query": dict(inputs),
    }
    if olds is None:
        change: Any = NO_CHANGE
    elif all(olds.get(name) == outputs[name] for name in MARKERS):
        change = olds.get("last_change") or NO_CHANGE
    else:
        change = fleet_changes_since(olds, outputs, include_volatile=include_volatile)
    return {**outputs, "last_change": change}


def _failed_check(message: str, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
    return CheckResult(news, [CheckFailure("", message)])


def _no_diff(_message: str, *_args: Any) -> DiffResult:
    return DiffResult(changes=False, replaces=[], stables=[], delete_before_replace=False)


def _no_create(_message: str, *_args: Any) -> CreateResult:
    return CreateResult("", {})


def _no_update(_message: str, *_args: Any) -> UpdateResult:
    return UpdateResult({})


def _no_read(_message: str, id_: str, *_args: Any) -> ReadResult:
    return ReadResult(id_, {})


def _nothing(_message: str, *_args: Any) -> None:
    return None


class BackupClientsProvider(ResourceProvider):
    """Dynamic provider of the read-only ``hbr:BackupClients`` lookup resource."""

    # The pickled provider holds no state at all, so it need not be encrypted in the state.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack's connection options (``alicloud:*``, ``hbr:*``) for this process."""
        _PROCESS.options = connection_options(req.config.get)

    @engine_entry(_failed_check)
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs; list the fleet once when all of them are known."""
        inputs = resource_inputs(news)
        failures = [_check_failure(v) for v in violations(inputs)]
        if not failures and not any(is_unknown(v) for v in inputs.values()):
            names = pulumi_names(_PROCESS.options, given_inputs(inputs))
            failures.extend(
                _check_failure(p)
                if isinstance(p, Violation) and p.field in inputs
                else CheckFailure("", pulumi_violation(p, names) if isinstance(p, Violation) else p)
                for p in check_listing(
                    _PROCESS.hand_off,
                    _PROCESS.options,
                    inputs,
                    wording=lambda error: _message(error, inputs),
                )
            )
        return CheckResult({**news, **inputs}, failures)

    @engine_entry(_no_create)
    def create(self, props: dict[str, Any]) -> CreateResult:
        """List the fleet and return the complete outputs."""
        inputs = resource_inputs(props)
        return CreateResult(
            f"hbr-clients-{inputs_key(inputs)}",
            _outputs(inputs, _list(_key(inputs), reuse=True)),
        )

    @engine_entry(_no_diff)
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Report a change when the inputs, the fleet's fingerprint or its passwords changed."""
        old_inputs, new_inputs = _recorded_inputs(olds), resource_inputs(news)
        if any(is_unknown(v) for v in new_inputs.values()):
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        changed = changed_inputs(old_inputs, new_inputs)
        if not changed and _PROCESS.refreshes.changed(_id, olds):
            return DiffResult(changes=True, replaces=[], stables=[], delete_before_replace=False)
        if not changed:
            # A state from before clients_json existed lacks it: the update rewrites it.
            with worded(lambda error: _message(error, new_inputs)):
                changed = fleet_changes(
                    _PROCESS.hand_off,
                    _PROCESS.options,
                    new_inputs,
                    olds,
                    required=("clients_json",),
                )
        return DiffResult(
            changes=bool(changed), replaces=[], stables=[], delete_before_replace=False
        )

    @engine_entry(_no_update)
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """List the fleet again and return the complete outputs."""
        inputs = resource_inputs(news)
        return UpdateResult(_outputs(inputs, _list(_key(inputs), reuse=True), olds))

    @engine_entry(_no_read)
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """List the fleet afresh, for ``pulumi refresh``; note whether the fleet changed."""
        inputs = _recorded_inputs(props)
        outputs = _outputs(inputs, _list(_key(inputs), reuse=False), props)
        _PROCESS.refreshes.record(id_, props, outputs)
        return ReadResult(id_, outputs, inputs)

    @engine_entry(_nothing)
    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Forget the lookup; a read-only lookup has nothing to delete, so no API is called."""
