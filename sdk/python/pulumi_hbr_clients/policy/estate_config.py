"""The config of ``hbr-estate-coverage``: its JSON schema, and the typed settings of a run.

The inputs are the estate audit's, shared by every surface
(:class:`~hbr_clients_provider.audit.estate_inputs.EstateRequest`), spelt in camelCase
(``instanceTags``), plus the one gate's (``maxFindings``, ``allowEmpty``) and where to
connect (``region``, ``endpoint``, ``protocol``, ``connectTo``). The defaults are the
gate's: ``maxFindings`` 0, an empty scope fails, an estate that could not be listed whole
fails unless ``allowUnreachable`` names what failed.

The schema is exact, so the engine refuses a bad value before the pack runs; the policy
checks again through :meth:`EstateCoverageConfig.from_config` (a pack that composes it with
a looser schema), which names every bad property at once in :class:`EstateConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from hbr_clients_provider.api.endpoints import parse_connect_to
from hbr_clients_provider.api.instances import IN_SCOPE_STATUSES
from hbr_clients_provider.audit.estate_inputs import ESTATE_INPUTS, EstateRequest
from hbr_clients_provider.audit.gate import CAMEL_NAMES, GATE_INPUTS, Gate
from hbr_clients_provider.errors import InvalidQuery, Violation
from pulumi_hbr_clients.policy.config import (
    CONNECTION_PROPERTIES,
    CONNECTION_SCHEMA,
    FLEET_AUDIT_SCHEMA,
    ConnectionConfig,
    PolicyConfigError,
)

__all__ = [
    "ESTATE_COVERAGE_SCHEMA",
    "EstateConfigError",
    "EstateCoverageConfig",
    "camel",
]

_REGION = r"[a-z0-9-]+"

#: The client rules, as ``hbr-fleet-audit`` spells and documents them.
_CLIENT_RULES: Final = (
    "requireActivated",
    "requireProtected",
    "requireLatest",
    "requireHttpsProxy",
    "maxHeartbeatAge",
)

#: The ``hbr-estate-coverage`` config schema (JSON schema of each property).
ESTATE_COVERAGE_SCHEMA: Mapping[str, dict[str, Any]] = {
    "regions": {
        "type": ["string", "array"],
        "pattern": rf"^\s*{_REGION}(\s*,\s*{_REGION})*\s*$",
        "items": {"type": "string", "pattern": rf"^{_REGION}$"},
        "minItems": 1,
        "default": "all",
        "description": (
            '"all" (every region HBR lists), or the region IDs to audit, as a list or '
            '"cn-hangzhou,cn-shanghai".'
        ),
    },
    "requireClient": {
        "type": "boolean",
        "default": True,
        "description": "An ECS instance in scope without an HBR client is a finding "
        "(no_backup_client).",
    },
    "instanceTags": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "Tags ({key: value}) an instance must all carry to be in scope.",
    },
    "instanceIds": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "description": "Only these ECS instances are in scope.",
    },
    "instanceStatuses": {
        "type": "array",
        "items": {"type": "string", "enum": list(IN_SCOPE_STATUSES)},
        "description": "The instance statuses in scope (default: all but an instance being "
        "released).",
    },
    "allowUnreachable": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "description": "Targets whose listing may fail (REGION, ACCOUNT or ACCOUNT/REGION); "
        "any other failure fails the policy.",
    },
    "accounts": {
        "type": ["string", "array"],
        "pattern": r"^\s*(all|[0-9]+(\s*,\s*[0-9]+)*)\s*$",
        "items": {"type": "string", "pattern": "^[0-9]+$"},
        "minItems": 1,
        "description": 'Member accounts to audit too: "all" (the Resource Directory) or '
        "account IDs; each is reached through roleName.",
    },
    "roleName": {
        "type": "string",
        "minLength": 1,
        "description": "The role assumed in each member account "
        "(default ResourceDirectoryAccountAccessRole).",
    },
    "includeCaller": {
        "type": "boolean",
        "default": True,
        "description": "Whether the caller's own account is audited too.",
    },
    **{name: FLEET_AUDIT_SCHEMA[name] for name in _CLIENT_RULES},
    "maxFindings": {
        "type": "integer",
        "minimum": 0,
        "default": 0,
        "description": "How many findings the estate may have before the policy violates.",
    },
    "allowEmpty": {
        "type": "boolean",
        "default": False,
        "description": "Whether an estate with no instance in scope and no client passes; it "
        "violates unless set (a misspelt tag or region would otherwise pass).",
    },
    **CONNECTION_SCHEMA,
    "connectTo": {
        "type": "string",
        "pattern": r"^[^/\s]+:[0-9]+$",
        "description": "HOST:PORT every request goes to (any service, any region), keeping "
        "its real Host; overrides HBR_CONNECT_TO.",
    },
}


def camel(name: str) -> str:
    """``instance_tags`` -> ``instanceTags``: a Python input name as the config spells it."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


#: Config key -> :class:`EstateRequest` input.
_ESTATE_PROPERTIES: Final = {camel(name): name for name in ESTATE_INPUTS}
#: Config key -> :class:`Gate` input.
_GATE_PROPERTIES: Final = {camel(name): name for name in GATE_INPUTS}

_PROPERTY = re.compile(r"^[A-Za-z]+")


class EstateConfigError(ValueError):
    """The config has one or more bad values; ``errors`` holds a
    :class:`~pulumi_hbr_clients.policy.config.PolicyConfigError` for each."""

    def __init__(self, errors: tuple[PolicyConfigError, ...]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _config_error(policy: str, violation: Violation) -> PolicyConfigError:
    """The violation of an input (``instanceStatuses[0]``) as a property's error."""
    match = _PROPERTY.match(violation.field)
    prop = match.group(0) if match else violation.field
    where = violation.field[len(prop) :]
    rule = f"item {where} {violation.rule}" if where else violation.rule
    return PolicyConfigError(policy=policy, prop=prop, value=violation.value, rule=rule)


@attrs.frozen(kw_only=True)
class EstateCoverageConfig:
    """The settings of one ``hbr-estate-coverage`` run: what to audit, the gate, where."""

    request: EstateRequest = attrs.field(factory=EstateRequest)
    gate: Gate = attrs.field(factory=Gate)
    connection: ConnectionConfig = attrs.field(factory=ConnectionConfig)
    connect_to: str | None = None
    """``HOST:PORT`` every request goes to (``None``: ``HBR_CONNECT_TO``, else direct)."""

    @classmethod
    def from_config(cls, policy: str, config: Mapping[str, Any]) -> EstateCoverageConfig:
        """Convert a policy's config (camelCase JSON); nothing is sent.

        :raises EstateConfigError: naming every bad property, its value and the rule.
        """
        errors: list[PolicyConfigError] = []
        known = {*_ESTATE_PROPERTIES, *_GATE_PROPERTIES, *CONNECTION_PROPERTIES, "connectTo"}
        expected = ", ".join(sorted(known))
        errors += [
            PolicyConfigError(
                policy=policy,
                prop=str(key),
                value=value,
                rule=f"is not a property of this policy (expected one of {expected})",
            )
            for key, value in config.items()
            if key not in known
        ]
        request, gate, connection = EstateRequest(), Gate(), ConnectionConfig()
        try:
            request = EstateRequest.from_inputs(
                {
                    name: config[key]
                    for key, name in _ESTATE_PROPERTIES.items()
                    if config.get(key) is not None
                },
                name=camel,
            )
        except InvalidQuery as error:
            errors += [_config_error(policy, v) for v in error.violations]
        try:
            gate = Gate.from_inputs(
                {name: config.get(key) for key, name in _GATE_PROPERTIES.items()},
                names=CAMEL_NAMES,
            )
        except InvalidQuery as error:
            errors += [_config_error(policy, v) for v in error.violations]
        try:
            connection = ConnectionConfig.from_config(
                policy, {k: config[k] for k in CONNECTION_PROPERTIES if k in config}
            )
        except PolicyConfigError as error:
            errors.append(error)
        connect_to = config.get("connectTo")
        if connect_to is not None and not isinstance(connect_to, str):
            errors.append(
                PolicyConfigError(
                    policy=policy, prop="connectTo", value=connect_to, rule="must be HOST:PORT"
                )
            )
        elif connect_to is not None:
            try:
                parse_connect_to(connect_to, field="connectTo")
            except InvalidQuery as error:
                errors += [_config_error(policy, v) for v in error.violations]
        if errors:
            raise EstateConfigError(tuple(errors))
        return cls(
            request=request,
            gate=gate,
            connection=connection,
            connect_to=connect_to.strip() if isinstance(connect_to, str) else None,
        )
