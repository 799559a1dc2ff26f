"""Where a Pulumi program or the dynamic provider finds its HBR connection.

The keys are the ones pulumi-alicloud users already set, plus two of this project's:

=========================  ====================================================
stack config key           meaning
=========================  ====================================================
``alicloud:region``        region, e.g. ``cn-hangzhou`` (endpoint ``hbr.<region>.aliyuncs.com``)
``alicloud:accessKey``     AccessKey ID
``alicloud:secretKey``     AccessKey secret (set it with ``--secret``)
``alicloud:securityToken`` STS token (set it with ``--secret``)
``alicloud:profile``       a profile of ``~/.aliyun/config.json``
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
stack config wins over the environment (``HBR_ENDPOINT``, ``HBR_PROTOCOL``,
``ALIBABA_CLOUD_REGION_ID``, ``ALIBABA_CLOUD_ACCESS_KEY_ID`` ...), which wins over the rest
of the standard credential chain. See :meth:`ConnectionSettings.resolve`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hbr_clients_provider.api.connection import ConnectionSettings, endpoint_problem
from hbr_clients_provider.api.limits import (
    LIMIT_CONFIG_KEYS,
    LIMIT_INPUTS,
    ListingLimits,
    limit_violations,
    resolve_limits,
)
from hbr_clients_provider.api.query import validate_inputs
from hbr_clients_provider.errors import Violation

__all__ = [
    "CONFIG_KEYS",
    "CONNECTION_INPUTS",
    "LIMIT_INPUTS",
    "ListingLimits",
    "connection_options",
    "connection_violations",
    "input_violations",
    "resolve_connection",
    "resolve_limits",
]

#: Stack config key -> keyword of :meth:`ConnectionSettings.resolve`.
CONFIG_KEYS: Mapping[str, str] = {
    "alicloud:region": "region",
    "alicloud:accessKey": "access_key_id",
    "alicloud:secretKey": "access_key_secret",
    "alicloud:securityToken": "security_token",
    "alicloud:profile": "profile",
    "hbr:endpoint": "endpoint",
    "hbr:protocol": "protocol",
    "hbr:caBundle": "ca_bundle",
    "hbr:connectTo": "connect_to",
}

#: Inputs of a resource or lookup that choose the connection rather than the query.
CONNECTION_INPUTS: tuple[str, ...] = ("region", "endpoint", "protocol", "ca_bundle")

_PROTOCOLS = ("http", "https")


def connection_options(get: Callable[[str], Any]) -> dict[str, str]:
    """Read the connection and limit keys with ``get(full_key)``; return the ones set.

    Limit keys come back under their input names (``max_clients``, ``deadline``), for
    :func:`resolve_limits`; :func:`resolve_connection` ignores them.
    """
    options: dict[str, str] = {}
    for key, keyword in {**CONFIG_KEYS, **LIMIT_CONFIG_KEYS}.items():
        value = get(key)
        if value not in (None, ""):
            options[keyword] = str(value)
    return options


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

    :raises InvalidQuery: an invalid endpoint, CA bundle or proxy variable.
    :raises CredentialsError: when no credentials can be found.
    :raises ValueError: when neither an endpoint nor a region is known.
    """
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
