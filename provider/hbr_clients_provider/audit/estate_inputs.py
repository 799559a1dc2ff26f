"""The inputs of an estate audit, the same on every surface: :class:`EstateRequest`.

The Python SDK (``get_backup_coverage``), the ``hbr`` plugin (``getBackupCoverage``) and the
policy pack (``hbr-estate-coverage``) take loosely typed inputs (a protobuf ``Struct``, stack
config, keyword arguments); :meth:`EstateRequest.from_inputs` checks them all at once and
names each bad one as the surface spells it (``names``), before anything is sent.

==========================  ===========================================================
input                       meaning
==========================  ===========================================================
``regions``                 ``"all"`` (default) or a list (or ``"a,b"``) of region IDs
``require_client``          every instance in scope has an ``ECS_CLIENT`` (default true)
``instance_tags``           ``{key: value}`` an instance must carry to be in scope
``instance_ids``            only these instances are in scope
``instance_statuses``       statuses in scope (default: all but those being released)
``allow_unreachable``       targets whose failure is accepted: ``REGION``, ``ACCOUNT``,
                            ``ACCOUNT/REGION``
``accounts``                member accounts too: ``"all"`` (the Resource Directory) or IDs
``role_name``               the role assumed in each member (``ResourceDirectoryAccountAccessRole``)
``include_caller``          audit the caller's own account too (default true)
``require_activated`` ...   the client rules of :class:`~.rules.AuditRules`
==========================  ===========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from hbr_clients_provider.api.coerce import BadInputError, to_bool, to_str_list
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.instances import IN_SCOPE_STATUSES
from hbr_clients_provider.api.limits import DEFAULT_DEADLINE_S, DEFAULT_MAX_CLIENTS
from hbr_clients_provider.api.sts_api import valid_role_name
from hbr_clients_provider.audit.accounts import DEFAULT_ROLE_NAME
from hbr_clients_provider.audit.coverage import CoverageReport, InstanceScope, TargetListing
from hbr_clients_provider.audit.estate import (
    ALL_REGIONS,
    audit_estate,
    parse_accounts,
    parse_regions,
)
from hbr_clients_provider.audit.rules import AuditRules
from hbr_clients_provider.errors import InvalidQuery, Violation

__all__ = ["CLIENT_RULE_INPUTS", "ESTATE_INPUTS", "EstateRequest"]

#: The client rules an estate audit applies to the clients of in-scope instances.
CLIENT_RULE_INPUTS: Final = (
    "require_activated",
    "require_protected",
    "require_latest",
    "require_https_proxy",
    "max_heartbeat_age",
)

#: Every input :meth:`EstateRequest.from_inputs` reads, by its Python name.
ESTATE_INPUTS: Final = (
    "regions",
    "require_client",
    "instance_tags",
    "instance_ids",
    "instance_statuses",
    "allow_unreachable",
    "accounts",
    "role_name",
    "include_caller",
    *CLIENT_RULE_INPUTS,
)


def _tags(field: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise BadInputError(field, "must be a map of tag keys to values", value)
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key or not isinstance(item, str):
            raise BadInputError(
                f"{field}.{key}", "must be a non-empty key with a string value", item
            )
        out[key] = item
    return out


def _role_name(field: str, value: Any) -> str:
    if not isinstance(value, str) or not valid_role_name(value):
        rule = "must be a RAM role name: 1-64 letters, digits, '.', '-' or '_'"
        raise BadInputError(field, rule, value)
    return value


@attrs.frozen(kw_only=True)
class EstateRequest:
    """What to audit: the regions, the instance scope, the rules, the failures accepted."""

    regions: tuple[str, ...] | str = ALL_REGIONS
    scope: InstanceScope = attrs.field(factory=InstanceScope)
    rules: AuditRules = attrs.field(factory=AuditRules)
    require_client: bool = True
    allow_unreachable: tuple[str, ...] = ()
    accounts: tuple[str, ...] | None = None
    """``None``: the caller's account alone; ``("all",)`` or IDs: members too."""
    role_name: str = DEFAULT_ROLE_NAME
    include_caller: bool = True

    def audit(
        self,
        connection: ConnectionSettings,
        *,
        deadline_s: float = DEFAULT_DEADLINE_S,
        max_items: int = DEFAULT_MAX_CLIENTS,
        now: datetime | None = None,
        on_target: Callable[[TargetListing], Any] | None = None,
    ) -> CoverageReport:
        """List and judge the estate this request describes (:func:`.estate.audit_estate`)."""
        return audit_estate(
            connection,
            regions=self.regions,
            accounts=self.accounts,
            role_name=self.role_name,
            include_caller=self.include_caller,
            scope=self.scope,
            rules=self.rules,
            require_client=self.require_client,
            allow_unreachable=self.allow_unreachable,
            deadline_s=deadline_s,
            max_items=max_items,
            now=now,
            on_target=on_target,
        )

    @classmethod
    def from_inputs(
        cls, inputs: Mapping[str, Any], *, name: Callable[[str], str] = str
    ) -> EstateRequest:
        """Check loosely typed ``inputs`` (module docstring); ``None`` takes the default.

        :param name: spells an input's Python name as the caller's user does
            (``instance_tags`` -> ``instanceTags``), for messages.
        :raises InvalidQuery: naming every bad input.
        """
        unknown = sorted(set(inputs) - set(ESTATE_INPUTS))
        violations = [
            Violation(
                field=name(key), rule="is not an input of the estate audit", value=inputs[key]
            )
            for key in unknown
        ]
        values: dict[str, Any] = {}

        def read(key: str, convert: Callable[[str, Any], Any]) -> None:
            raw = inputs.get(key)
            if raw is None:
                return
            try:
                values[key] = convert(name(key), raw)
            except BadInputError as error:
                violations.append(error.violation)
            except InvalidQuery as error:
                violations.extend(error.violations)

        read("regions", lambda field, raw: parse_regions(raw, field=field))
        read("require_client", to_bool)
        read("instance_tags", _tags)
        read("instance_ids", to_str_list)
        read("instance_statuses", to_str_list)
        read("allow_unreachable", to_str_list)
        read("accounts", lambda field, raw: parse_accounts(raw, field=field))
        read("include_caller", to_bool)
        read("role_name", _role_name)
        for index, status in enumerate(values.get("instance_statuses", ())):
            if status not in IN_SCOPE_STATUSES:
                rule = f"must be one of {', '.join(IN_SCOPE_STATUSES)}"
                field = f"{name('instance_statuses')}[{index}]"
                violations.append(Violation(field=field, rule=rule, value=status))
        rules = AuditRules()
        try:
            rules = AuditRules.from_inputs({k: inputs.get(k) for k in CLIENT_RULE_INPUTS})
        except InvalidQuery as error:
            violations.extend(attrs.evolve(v, field=name(v.field)) for v in error.violations)
        if violations:
            raise InvalidQuery(tuple(violations))
        return cls(
            regions=values.get("regions", ALL_REGIONS),
            scope=InstanceScope(
                tags=values.get("instance_tags"),
                instance_ids=values.get("instance_ids"),
                statuses=values.get("instance_statuses", IN_SCOPE_STATUSES),
            ),
            rules=rules,
            require_client=values.get("require_client", True),
            allow_unreachable=values.get("allow_unreachable", ()),
            accounts=values.get("accounts"),
            role_name=values.get("role_name", DEFAULT_ROLE_NAME),
            include_caller=values.get("include_caller", True),
        )
