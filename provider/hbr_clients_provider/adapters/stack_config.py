"""Where a Pulumi program, the dynamic provider and the ``hbr`` plugin find their connection.

The keys are the ones pulumi-alicloud users already set, plus this project's own. Each
``alicloud:`` key has an ``hbr:`` twin (``hbr:region``, ``hbr:accessKey``...) that wins over
it, so one stack can point HBR somewhere else than its other Alibaba Cloud resources:

=========================  ====================================================
stack config key           meaning
=========================  ====================================================
``alicloud:region``        region, e.g. ``cn-hangzhou`` (endpoint ``hbr.<region>.aliyuncs.com``)
``alicloud:accessKey``     AccessKey ID
``alicloud:secretKey``     AccessKey secret (set it with ``--secret``)
``alicloud:securityToken`` STS token (set it with ``--secret``)
``alicloud:profile``       a profile of ``~/.aliyun/config.json``
``hbr:region`` ...         the same, for HBR alone (``hbr:accessKey``, ``hbr:profile``...)
``hbr:endpoint``           explicit endpoint ``host[:port]`` (the emulator's, say)
``hbr:protocol``           ``https`` (default) or ``http``
``hbr:caBundle``           PEM file of the CAs to trust (default: ``REQUESTS_CA_BUNDLE`` ...)
``hbr:connectTo``          ``HOST:PORT`` every connection goes to, keeping its real ``Host``
``hbr:maxClients``         refuse a ``TotalCount`` above this (default 1,000,000)
``hbr:deadline``           seconds one listing may take, retries included (default 300)
=========================  ====================================================

``hbr:maxClients`` and ``hbr:deadline`` bound every listing (:mod:`.limits`); a resource's or
lookup's ``max_clients``/``deadline`` inputs win over them. A bad value is reported under
its config key, with the value given.

A resource's own ``region``, ``endpoint`` and ``protocol`` inputs win over stack config;
within stack config the order of :data:`CONFIG_PRECEDENCE` decides (``hbr:region``, then
``alicloud:region``); stack config wins over the environment (``HBR_ENDPOINT``,
``HBR_PROTOCOL``, ``ALIBABA_CLOUD_REGION_ID``, ``ALIBABA_CLOUD_ACCESS_KEY_ID`` ...), which wins
over the rest of the standard credential chain. See :meth:`ConnectionSettings.resolve`.
:func:`read_stack_config` applies that order for every surface and remembers which key gave
each value (:class:`StackOptions`), so a bad value is reported under the key it came from:
``hbr:protocol: must be one of http, https (got 'htp')``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from hbr_clients_provider.api.connection import ConnectionSettings, endpoint_problem
from hbr_clients_provider.api.limits import (
    LIMIT_CONFIG_KEYS,
    LIMIT_INPUTS,
    ListingLimits,
    limit_violations,
    resolve_limits,
)
from hbr_clients_provider.api.query import validate_inputs
from hbr_clients_provider.errors import InvalidQuery, Violation
from hbr_clients_provider.settings import SETTINGS

__all__ = [
    "CONFIG_KEYS",
    "CONFIG_PRECEDENCE",
    "CONNECTION_INPUTS",
    "LIMIT_INPUTS",
    "ListingLimits",
    "StackOptions",
    "config_violations",
    "connection_options",
    "connection_violations",
    "input_violations",
    "read_stack_config",
    "resolve_connection",
    "resolve_limits",
]

#: Keyword of :meth:`ConnectionSettings.resolve` (or of a limit) -> the stack config keys
#: that give it, the first one set winning. The ``hbr:`` key is the more specific one.
CONFIG_PRECEDENCE: Mapping[str, tuple[str, ...]] = {
    "region": SETTINGS["region"].config_keys,
    "access_key_id": SETTINGS["access_key_id"].config_keys,
    "access_key_secret": ("hbr:secretKey", "alicloud:secretKey"),
    "security_token": ("hbr:securityToken", "alicloud:securityToken"),
    "profile": SETTINGS["profile"].config_keys,
    "endpoint": SETTINGS["endpoint"].config_keys,
    "protocol": SETTINGS["protocol"].config_keys,
    "ca_bundle": SETTINGS["ca_bundle"].config_keys,
    "connect_to": SETTINGS["connect_to"].config_keys,
    **{keyword: (key,) for key, keyword in LIMIT_CONFIG_KEYS.items()},
}

#: Stack config key -> keyword of :meth:`ConnectionSettings.resolve` (limits apart).
CONFIG_KEYS: Mapping[str, str] = {
    key: keyword
    for keyword, keys in CONFIG_PRECEDENCE.items()
    if keyword not in LIMIT_INPUTS
    for key in keys
}

#: Inputs of a resource or lookup that choose the connection rather than the query.
CONNECTION_INPUTS: tuple[str, ...] = ("region", "endpoint", "protocol", "ca_bundle")

_PROTOCOLS = ("http", "https")


@attrs.frozen
class StackOptions(Mapping[str, str]):
    """The connection and limit settings read from stack config, by keyword.

    A read-only mapping (``options["region"]``), plus ``origins``: the config key each value
    came from (``{"region": "alicloud:region"}``), so messages can name it.
    """

    options: Mapping[str, str] = attrs.field(factory=dict)
    origins: Mapping[str, str] = attrs.field(factory=dict)

    def __getitem__(self, keyword: str) -> str:
        return self.options[keyword]

    def __iter__(self) -> Iterator[str]:
        return iter(self.options)

    def __len__(self) -> int:
        return len(self.options)


def read_stack_config(get: Callable[[str], Any]) -> StackOptions:
    """Read every setting with ``get(full_key)``, in the order of :data:`CONFIG_PRECEDENCE`.

    A key that is not set (``None`` or ``""``) passes to the next; a key after the first set
    one is not read at all. Numbers arrive as floats from some engines: ``1000.0`` is
    ``1000``.
    """
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    for keyword, keys in CONFIG_PRECEDENCE.items():
        for key in keys:
            value = get(key)
            if value is None or value == "":
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            values[keyword] = str(value)
            origins[keyword] = key
            break
    return StackOptions(options=values, origins=origins)


def connection_options(get: Callable[[str], Any]) -> StackOptions:
    """Read the connection and limit keys with ``get(full_key)``; return the ones set.

    Limit keys come back under their input names (``max_clients``, ``deadline``), for
    :func:`resolve_limits`; :func:`resolve_connection` ignores them.
    """
    return read_stack_config(get)


def _origin(options: Mapping[str, str], keyword: str) -> str:
    origins: Mapping[str, str] = getattr(options, "origins", {})
    return origins.get(keyword) or CONFIG_PRECEDENCE[keyword][0]


def config_violations(
    options: Mapping[str, str], inputs: Mapping[str, Any] | None = None
) -> tuple[Violation, ...]:
    """Check the stack's ``protocol`` and ``endpoint``, each under the key that gave it.

    A setting an input overrides is not checked: the input's value is the one used.
    """
    violations: list[Violation] = []
    for name in ("protocol", "endpoint"):
        value = options.get(name)
        if value is None or (inputs or {}).get(name):
            continue
        for violation in connection_violations({name: value}):
            violations.append(attrs.evolve(violation, field=_origin(options, name)))
    return tuple(violations)


def connection_violations(inputs: Mapping[str, Any]) -> tuple[Violation, ...]:
    """Check the ``region``/``endpoint``/``protocol``/``ca_bundle`` inputs that are set."""
    violations: list[Violation] = []
    for name in CONNECTION_INPUTS:
        value = inputs.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            rule = "must be a non-empty string"
            violations.append(Violation(field=name, rule=rule, value=value))
        elif name == "protocol" and value.lower() not in _PROTOCOLS:
            rule = "must be one of http, https"
            violations.append(Violation(field=name, rule=rule, value=value))
        elif name == "endpoint" and (problem := endpoint_problem(value)) is not None:
            violations.append(Violation(field=name, rule=problem, value=value))
    return tuple(violations)


def input_violations(inputs: Mapping[str, Any]) -> tuple[Violation, ...]:
    """Every violation of a lookup's inputs: the query's, the connection's and the limits'."""
    query = {k: v for k, v in inputs.items() if k not in CONNECTION_INPUTS + LIMIT_INPUTS}
    return validate_inputs(query) + connection_violations(inputs) + limit_violations(inputs)


def resolve_connection(
    options: Mapping[str, str], inputs: Mapping[str, Any] | None = None
) -> ConnectionSettings:
    """Resolve the connection from stack ``options`` overridden by resource ``inputs``.

    :raises InvalidQuery: an invalid endpoint, CA bundle or proxy variable; a bad value
        from stack config is named by its key (``hbr:protocol``).
    :raises CredentialsError: when no credentials can be found.
    :raises NoEndpointError: when neither an endpoint nor a region is known.
    """
    problems = config_violations(options, inputs)
    if problems:
        raise InvalidQuery(problems)
    merged = dict(options)
    for name in CONNECTION_INPUTS:
        value = (inputs or {}).get(name)
        if value:
            merged[name] = str(value)
    return ConnectionSettings.resolve(
        endpoint=merged.get("endpoint"),
        region=merged.get("region"),
        protocol=merged.get("protocol"),
        access_key_id=merged.get("access_key_id"),
        access_key_secret=merged.get("access_key_secret"),
        security_token=merged.get("security_token"),
        profile=merged.get("profile"),
        ca_bundle=merged.get("ca_bundle"),
        connect_to=merged.get("connect_to"),
    )
