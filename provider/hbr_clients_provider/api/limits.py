"""The bounds of one listing, and the ranges of every numeric knob.

A listing is bounded three ways, so that no server, however it answers, can make it run
forever or fill memory:

* ``max_clients`` (default :data:`DEFAULT_MAX_CLIENTS`): a sanity bound on the
  ``TotalCount`` that page 1 reports. A larger count is refused before page 2 is requested
  (:class:`~.errors.TooManyClientsError`): a server that says "100,000,000 clients" costs
  one request, not a million.
* in-flight pages: at most ``concurrency`` pages are requested at once and at most twice
  that are scheduled (:mod:`.paging`), so what is queued does not grow with ``TotalCount``.
* ``deadline`` (default :data:`DEFAULT_DEADLINE_S` seconds): the whole listing, retries and
  waits included, must finish within it, or it stops with
  :class:`~.errors.DeadlineExceeded`; the transport cuts a response that drips.

They are set on the CLI (``--max-clients``, ``--deadline``), as resource and lookup inputs
(``max_clients``, ``deadline``) and as stack config (``hbr:maxClients``, ``hbr:deadline``);
an input wins over stack config, which wins over the default.

Every numeric knob has a range (:data:`NUMBER_RANGES`), checked before anything is sent;
an out-of-range value is refused with the field, the value, the range and the nearest
valid value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from hbr_clients_provider.api.coerce import Converter, coerce_inputs, int_in, seconds_in
from hbr_clients_provider.errors import InvalidQuery, Violation

__all__ = [
    "DEFAULT_DEADLINE_S",
    "DEFAULT_MAX_CLIENTS",
    "LIMIT_CONFIG_KEYS",
    "LIMIT_INPUTS",
    "NUMBER_RANGES",
    "ListingLimits",
    "limit_violations",
    "resolve_limits",
]

#: The default sanity bound on ``TotalCount``.
DEFAULT_MAX_CLIENTS = 1_000_000

#: The default overall deadline of one listing, in seconds. A 100,000-client fleet lists
#: in seconds against the emulator and in about two minutes at the 10 calls/s the real
#: service is assumed to grant (1,011 pages), so five minutes leaves room for throttling.
DEFAULT_DEADLINE_S = 300.0

#: Converters (with their ranges) of every numeric knob, by snake_case name.
NUMBER_RANGES: Mapping[str, Converter] = {
    "max_clients": int_in(1, 2**31 - 1),
    "deadline": seconds_in(0.1, 86_400),
    "connect_timeout": seconds_in(0.01, 3_600),
    "read_timeout": seconds_in(0.01, 3_600),
    "concurrency": int_in(1, 64),
    "max_attempts": int_in(1, 100),
}

#: Resource and lookup inputs that bound the listing.
LIMIT_INPUTS: tuple[str, ...] = ("max_clients", "deadline")

#: Stack config key -> limit input.
LIMIT_CONFIG_KEYS: Mapping[str, str] = {"hbr:maxClients": "max_clients", "hbr:deadline": "deadline"}


@attrs.frozen(kw_only=True)
class ListingLimits:
    """The bounds of one listing: ``max_clients`` and ``deadline_s`` (see the module)."""

    max_clients: int = DEFAULT_MAX_CLIENTS
    deadline_s: float = DEFAULT_DEADLINE_S

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> ListingLimits:
        """Build limits from ``max_clients``/``deadline`` inputs; raise one InvalidQuery."""
        fields, violations, _ = coerce_inputs(
            inputs, {name: NUMBER_RANGES[name] for name in LIMIT_INPUTS}
        )
        if violations:
            raise InvalidQuery(tuple(violations))
        deadline = fields.get("deadline")
        return cls(
            max_clients=fields.get("max_clients", DEFAULT_MAX_CLIENTS),
            deadline_s=DEFAULT_DEADLINE_S if deadline is None else float(deadline),
        )


def limit_violations(inputs: Mapping[str, Any]) -> tuple[Violation, ...]:
    """The violations of the limit inputs that are set in ``inputs`` (other keys ignored)."""
    picked = {name: inputs[name] for name in LIMIT_INPUTS if inputs.get(name) is not None}
    try:
        ListingLimits.from_inputs(picked)
    except InvalidQuery as error:
        return error.violations
    return ()


def resolve_limits(
    options: Mapping[str, Any], inputs: Mapping[str, Any] | None = None
) -> ListingLimits:
    """The limits from stack ``options`` (keyed by input name) overridden by ``inputs``.

    A bad stack value is reported under its config key (``hbr:deadline``), a bad input
    under its input name.

    :raises InvalidQuery: naming every bad value.
    """
    by_key = {name: key for key, name in LIMIT_CONFIG_KEYS.items()}
    violations = [
        attrs.evolve(v, field=by_key.get(v.field, v.field))
        for v in limit_violations({k: options.get(k) for k in LIMIT_INPUTS})
    ]
    violations.extend(limit_violations(inputs or {}))
    if violations:
        raise InvalidQuery(tuple(violations))
    merged = {name: options.get(name) for name in LIMIT_INPUTS if options.get(name) is not None}
    merged.update({k: v for k, v in (inputs or {}).items() if k in LIMIT_INPUTS and v is not None})
    return ListingLimits.from_inputs(merged)
