"""The policies' configuration: JSON schemas for the engine, and typed settings for the checks.

The engine validates ``--policy-pack-config`` against each policy's schema before the pack
runs, and refuses the preview with a message that names the policy and the property
(``hbr-fleet-audit: maxFindings: Must be greater than or equal to 0``). The schemas here are
exact, so every value they accept converts. The policies convert again anyway, through the
same coercions as ``hbr-clients audit`` (``AuditRules.from_inputs``): a pack that
composes these policies with a looser schema still gets a
:class:`PolicyConfigError` naming the property, the value given and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from hbr_clients_provider.api.connection import PROTOCOLS
from hbr_clients_provider.audit.gate import CAMEL_NAMES, Gate
from hbr_clients_provider.audit.rules import AuditRules
from hbr_clients_provider.errors import InvalidQuery

__all__ = [
    "AUDIT_PROPERTIES",
    "CONNECTION_PROPERTIES",
    "CONNECTION_SCHEMA",
    "DURATION_PATTERN",
    "FLEET_AUDIT_SCHEMA",
    "ConnectionConfig",
    "FleetAuditConfig",
    "PolicyConfigError",
]

#: ``15m``, ``2h``, ``1d``, ``1w`` or combinations (``1h30m``); every part positive.
DURATION_PATTERN = r"^([0-9]*[1-9][0-9]*[smhdw])+$"

#: The audit properties of ``hbr-fleet-audit`` and the :class:`AuditRules` field each sets.
AUDIT_PROPERTIES: Mapping[str, str] = {
    "requireActivated": "require_activated",
    "requireProtected": "require_protected",
    "requireLatest": "require_latest",
    "maxHeartbeatAge": "max_heartbeat_age",
    "requireHttpsProxy": "require_https_proxy",
}

#: The connection properties of the policies that call the API, and the argument each sets.
CONNECTION_PROPERTIES: Mapping[str, str] = {
    "region": "region",
    "endpoint": "endpoint",
    "protocol": "protocol",
}

_RULE_DESCRIPTIONS = {
    "requireActivated": "A client whose status is not ACTIVATED is a finding (not_activated).",
    "requireProtected": "A client whose backup status is UNPROTECTED is a finding (unprotected).",
    "requireLatest": "A client older than its MaxClientVersion is a finding (outdated).",
    "requireHttpsProxy": (
        "A client sending data through a CUSTOM proxy without HTTPS is a finding (insecure_proxy)."
    ),
}

#: The gate's config keys -> :class:`~hbr_clients_provider.audit.gate.Gate` fields.
_GATE_PROPERTIES: Mapping[str, str] = {"maxFindings": "max_findings", "allowEmpty": "allow_empty"}

#: The ``hbr-fleet-audit`` config schema (JSON schema of each property).
FLEET_AUDIT_SCHEMA: Mapping[str, dict[str, Any]] = {
    **{
        name: {"type": "boolean", "default": False, "description": text}
        for name, text in _RULE_DESCRIPTIONS.items()
    },
    "maxHeartbeatAge": {
        "type": "string",
        "pattern": DURATION_PATTERN,
        "description": (
            "A client whose last heartbeat is older than this (15m, 2h, 1d, 1w, 1h30m) is a "
            "finding (stale_heartbeat)."
        ),
    },
    "maxFindings": {
        "type": "integer",
        "minimum": 0,
        "default": 0,
        "description": "How many findings a BackupClients resource may have before it violates.",
    },
    "allowEmpty": {
        "type": "boolean",
        "default": False,
        "description": (
            "Whether a BackupClients resource that found no client passes; an empty scope "
            "violates unless set."
        ),
    },
}

#: The connection schema of ``hbr-instance-coverage`` and ``hbr-backup-plan-client``.
CONNECTION_SCHEMA: Mapping[str, dict[str, Any]] = {
    "region": {
        "type": "string",
        "pattern": r"^[a-z0-9-]+$",
        "description": (
            "HBR region (endpoint hbr.<region>.aliyuncs.com); default from the environment."
        ),
    },
    "endpoint": {
        "type": "string",
        "pattern": r"^[^/\s]+$",
        "description": "host[:port] of the HBR API, overriding HBR_ENDPOINT and the region.",
    },
    "protocol": {
        "type": "string",
        "enum": list(PROTOCOLS),
        "description": "https (default) or http (the local emulator), overriding HBR_PROTOCOL.",
    },
}


class PolicyConfigError(ValueError):
    """A policy config property holds a value its rule refuses.

    ``policy``, ``property``, ``value`` and ``rule`` carry the facts; the message reads
    ``hbr-fleet-audit: maxHeartbeatAge = '0m': must be a positive duration ...``.
    """

    def __init__(self, *, policy: str, prop: str, value: Any, rule: str) -> None:
        self.policy = policy
        self.property = prop
        self.value = value
        self.rule = rule
        msg = (
            f"{policy}: {prop} = {value!r}: {rule}; fix it in the --policy-pack-config file "
            f'(e.g. {{"{policy}": {{"{prop}": ...}}}})'
        )
        super().__init__(msg)


def _unknown_keys(policy: str, config: Mapping[str, Any], known: set[str]) -> None:
    for key in config:
        if key not in known:
            expected = ", ".join(sorted(known))
            raise PolicyConfigError(
                policy=policy,
                prop=str(key),
                value=config[key],
                rule=f"is not a property of this policy (expected one of {expected})",
            )


@attrs.frozen(kw_only=True)
class FleetAuditConfig:
    """The settings of ``hbr-fleet-audit``: the audit rules and the gate (every surface's)."""

    rules: AuditRules
    gate: Gate = attrs.field(factory=Gate)

    @property
    def max_findings(self) -> int:
        """The findings tolerated per resource (``maxFindings``, default 0)."""
        return self.gate.max_findings or 0

    @classmethod
    def from_config(cls, policy: str, config: Mapping[str, Any]) -> FleetAuditConfig:
        """Convert a policy's config (camelCase JSON) or raise :class:`PolicyConfigError`."""
        _unknown_keys(policy, config, {*AUDIT_PROPERTIES, *_GATE_PROPERTIES})
        try:
            gate = Gate.from_inputs(
                {field: config.get(name) for name, field in _GATE_PROPERTIES.items()},
                names=CAMEL_NAMES,
            )
        except InvalidQuery as error:
            first = error.violations[0]
            raise PolicyConfigError(
                policy=policy, prop=first.field, value=first.value, rule=first.rule
            ) from None
        inputs = {field: config.get(name) for name, field in AUDIT_PROPERTIES.items()}
        try:
            rules = AuditRules.from_inputs(inputs)
        except InvalidQuery as error:
            first = error.violations[0]
            prop = next(
                (n for n, f in AUDIT_PROPERTIES.items() if first.field.startswith(f)), first.field
            )
            raise PolicyConfigError(
                policy=policy, prop=prop, value=config.get(prop), rule=first.rule
            ) from None
        return cls(rules=rules, gate=gate)


@attrs.frozen(kw_only=True)
class ConnectionConfig:
    """Where the API-calling policies send their one query (unset: the environment decides)."""

    region: str | None = None
    endpoint: str | None = None
    protocol: str | None = None

    @classmethod
    def from_config(cls, policy: str, config: Mapping[str, Any]) -> ConnectionConfig:
        """Convert a policy's config or raise :class:`PolicyConfigError`."""
        _unknown_keys(policy, config, set(CONNECTION_PROPERTIES))
        values: dict[str, str | None] = {}
        for prop, field in CONNECTION_PROPERTIES.items():
            value = config.get(prop)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise PolicyConfigError(
                    policy=policy, prop=prop, value=value, rule="must be a non-empty string"
                )
            values[field] = value.strip() if isinstance(value, str) else None
        protocol = values["protocol"]
        if protocol is not None and protocol.lower() not in PROTOCOLS:
            raise PolicyConfigError(
                policy=policy,
                prop="protocol",
                value=protocol,
                rule=f"must be one of {', '.join(PROTOCOLS)}",
            )
        return cls(**values)
