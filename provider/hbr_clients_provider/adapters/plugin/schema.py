"""The Pulumi package schema of ``hbr``, generated from the query and result models.

Nothing here lists a field by hand: the inputs are the fields of
:class:`~hbr_clients_provider.api.query.ClientQuery` (plus the connection inputs of
:mod:`~hbr_clients_provider.adapters.stack_config` and the resource's options), the client object is
:class:`~hbr_clients_provider.api.models.BackupClient` with its settings and tags, the audit's
inputs and results are :class:`~hbr_clients_provider.audit.rules.AuditRules`,
:class:`~hbr_clients_provider.audit.rules.Finding` and
:class:`~hbr_clients_provider.audit.rules.AuditSummary`.
Each Python annotation maps to a schema type (:func:`schema_type`); a field whose type has
no mapping fails :func:`build_schema`, so a new field cannot go missing silently. Only the
outputs computed from a listing (``instance_client_map``, ...) need a type stated here,
and a test checks that list against :data:`~hbr_clients_provider.adapters.outputs.OUTPUT_NAMES`.

The same specs drive the conversion of values (:mod:`.values`), so what the plugin returns
and what the schema says cannot differ.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import attrs

from hbr_clients_provider.adapters.lifecycle import OPTION_INPUTS
from hbr_clients_provider.adapters.outputs import SECRET_OUTPUTS
from hbr_clients_provider.adapters.plugin.names import camel
from hbr_clients_provider.adapters.stack_config import CONFIG_KEYS, CONNECTION_INPUTS
from hbr_clients_provider.api.limits import LIMIT_CONFIG_KEYS, LIMIT_INPUTS, ListingLimits
from hbr_clients_provider.api.models import ClientListing
from hbr_clients_provider.api.query import INPUT_NAMES, ClientQuery, TagFilter
from hbr_clients_provider.audit.coverage import CoverageFinding, CoverageSummary, TargetSummary
from hbr_clients_provider.audit.estate_inputs import CLIENT_RULE_INPUTS
from hbr_clients_provider.audit.rules import AuditRules, AuditSummary, Finding

__all__ = [
    "AUDIT_COVERAGE_TOKEN",
    "AUDIT_OUTPUTS",
    "AUDIT_TOKEN",
    "CONFIG_SECRETS",
    "COVERAGE_INPUT_NAMES",
    "COVERAGE_OUTPUTS",
    "COVERAGE_TOKEN",
    "FUNCTION_OUTPUTS",
    "LOOKUP_TOKEN",
    "PACKAGE",
    "RESOURCE_OUTPUTS",
    "RESOURCE_TOKEN",
    "UnmappedTypeError",
    "build_schema",
    "config_keywords",
    "coverage_output_specs",
    "output_specs",
    "schema_type",
    "type_specs",
]

PACKAGE = "hbr"
LOOKUP_TOKEN = f"{PACKAGE}:index:getBackupClients"
AUDIT_TOKEN = f"{PACKAGE}:index:auditBackupClients"
RESOURCE_TOKEN = f"{PACKAGE}:index:BackupClients"
COVERAGE_TOKEN = f"{PACKAGE}:index:getBackupCoverage"
AUDIT_COVERAGE_TOKEN = f"{PACKAGE}:index:auditBackupCoverage"
#: The Go SDK's root package. sdk-gen writes its module, ``github.com/.../sdk/go``, to this
#: repository's ``sdk/go/go.mod``: the import path matches where the code lives.
GO_IMPORT_BASE_PATH = "github.com/pulumi-hbr-clients/pulumi-hbr-clients/sdk/go/hbr"

#: The results of ``getBackupClients``, in the order of the resource's outputs.
FUNCTION_OUTPUTS: tuple[str, ...] = (
    "client_ids",
    "instance_ids",
    "clients",
    "total_count",
    "api_total_count",
    "instance_client_map",
)

#: The outputs of the ``BackupClients`` resource. Unlike the dynamic resource's, the clients
#: are a list of objects (``clients``), not one JSON string: a YAML or TypeScript program
#: reads ``clients[0].instanceId`` directly. The inputs stay in the engine's state of inputs,
#: so no ``query`` output is needed.
RESOURCE_OUTPUTS: tuple[str, ...] = (*FUNCTION_OUTPUTS, "proxy_passwords", "fingerprint")

#: The results of ``auditBackupClients``.
AUDIT_OUTPUTS: tuple[str, ...] = ("findings", "summary", "passed")

#: The results of ``getBackupCoverage`` and ``auditBackupCoverage``: the estate report.
COVERAGE_OUTPUTS: tuple[str, ...] = ("passed", "complete", "targets", "findings", "summary")

_COVERAGE_TYPES: Mapping[str, Any] = {
    "passed": bool,
    "complete": bool,
    "targets": tuple[TargetSummary, ...],
    "findings": tuple[CoverageFinding, ...],
    "summary": CoverageSummary,
}

#: Config keys (``hbr:<key>``) whose values are secrets.
CONFIG_SECRETS: frozenset[str] = frozenset({"accessKey", "secretKey", "securityToken"})

# The outputs a listing does not carry as a field or property of ClientListing, typed here.
_COMPUTED_TYPES: Mapping[str, Any] = {
    "instance_client_map": Mapping[str, str],
    "proxy_passwords": Mapping[str, str],
    "fingerprint": str,
}

_AUDIT_TYPES: Mapping[str, Any] = {
    "findings": tuple[Finding, ...],
    "summary": AuditSummary,
    "passed": bool,
}

# Only documentation: a name missing here gets an empty description, never a missing field.
_DESCRIPTIONS: Mapping[str, str] = {
    "client_type": "ECS_CLIENT, CONTAINER_CLIENT or LOCAL_CLIENT.",
    "cluster_id": "The container cluster ID (CONTAINER_CLIENT).",
    "client_ids": "Only these client IDs.",
    "instance_ids": "Only the clients of these ECS instance IDs.",
    "tags": "Only clients with all of these tags ({key: value}, 1-20).",
    "cross_account_type": "SELF_ACCOUNT or CROSS_ACCOUNT.",
    "cross_account_user_id": "The account ID whose clients are listed (cross-account).",
    "cross_account_role_name": "The RAM role assumed in that account (cross-account).",
    "filters": "API filters: [{key, values}].",
    "page_number": "List this page only.",
    "page_size": "Clients per page (1-99); listing one page only.",
    "statuses": "Client-side: only clients with one of these statuses.",
    "backup_statuses": "Client-side: only clients with one of these backup statuses.",
    "name_regex": "Client-side: a regular expression the instance name or hostname matches.",
    "outdated_only": "Client-side: only clients older than their MaxClientVersion.",
    "heartbeat_older_than": "Client-side: only clients whose last heartbeat is older (15m, 2h).",
    "region": "The HBR region; overrides hbr:region.",
    "endpoint": "The HBR endpoint host[:port]; overrides hbr:endpoint and HBR_ENDPOINT.",
    "protocol": "https (default) or http; overrides hbr:protocol and HBR_PROTOCOL.",
    "include_volatile": "Count heartbeat and update times as fleet changes.",
    "max_clients": "Refuse a TotalCount above this (default 1,000,000); overrides hbr:maxClients.",
    "deadline": "Seconds the whole listing may take (default 300); overrides hbr:deadline.",
    "max_findings": "Fail when there are more findings than this (default 0).",
    "allow_empty": "Pass when no client matched and no instance is expected (default false).",
    "regions": "The regions to audit: [all] (default: those DescribeRegions lists) or IDs.",
    "require_client": "Every instance in scope must have an ECS_CLIENT (default true).",
    "instance_tags": "Only instances with all of these tags are in scope ({key: value}).",
    "instance_statuses": "Instance statuses in scope (default: all but those being released).",
    "allow_unreachable": "Targets whose failure is accepted: REGION, ACCOUNT or ACCOUNT/REGION.",
    "accounts": "Member accounts to audit too: [all] (the Resource Directory) or account IDs.",
    "role_name": "The RAM role assumed in each member (ResourceDirectoryAccountAccessRole).",
    "include_caller": "Audit the caller's own account too (default true).",
}

_OUTPUT_DESCRIPTIONS: Mapping[str, str] = {
    "client_ids": "The client IDs, in the API's order.",
    "instance_ids": "The instance IDs of the clients that have one.",
    "clients": "The clients, in the API's order; proxy passwords read ******.",
    "proxy_passwords": "Client ID -> custom proxy password (secret).",
    "fingerprint": "A SHA-256 of the fleet, without passwords; changes when the fleet does.",
    "instance_client_map": "Instance ID -> client ID.",
    "total_count": "How many clients matched, after the client-side filters.",
    "api_total_count": "The API's TotalCount, before the client-side filters.",
    "findings": "One finding per broken rule.",
    "summary": "Counts by status, zone and version, and the coverage.",
    "passed": "Whether there is no finding.",
}

_FIELD_DESCRIPTIONS: Mapping[str, str] = {
    "proxy_password": "****** when the client has one; the passwords are in proxyPasswords.",
}

_CONFIG_DESCRIPTIONS: Mapping[str, str] = {
    "region": "Region, e.g. cn-hangzhou (endpoint hbr.<region>.aliyuncs.com).",
    "access_key_id": "AccessKey ID.",
    "access_key_secret": "AccessKey secret.",
    "security_token": "STS token.",
    "profile": "A profile of ~/.aliyun/config.json.",
    "endpoint": "Endpoint host[:port] (the emulator's, say); else HBR_ENDPOINT.",
    "protocol": "https (default) or http; else HBR_PROTOCOL.",
    "max_clients": "Refuse a TotalCount above this (default 1,000,000).",
    "deadline": "Seconds one listing may take, retries included (default 300).",
}


class UnmappedTypeError(TypeError):
    """A model field has a Python type the schema has no mapping for; ``owner`` names it."""

    def __init__(self, owner: str, annotation: Any) -> None:
        super().__init__(f"{owner}: no schema type for {annotation!r}; map it in schema_type()")
        self.owner = owner
        self.annotation = annotation


def _optional_inner(annotation: Any) -> Any:
    """``X | None`` -> ``X``; anything else unchanged."""
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_key_value(cls: Any) -> bool:
    """Whether ``cls`` is a ``key``/``value`` pair of strings (a tag): a map in the schema."""
    return (
        attrs.has(cls)
        and tuple(f.name for f in attrs.fields(cls)) == ("key", "value")
        and all(t is str for t in typing.get_type_hints(cls).values())
    )


def _type_token(cls: type) -> str:
    return f"{PACKAGE}:index:{cls.__name__}"


def schema_type(
    annotation: Any, owner: str, objects: dict[str, type], *, pairs_as_map: bool = False
) -> dict[str, Any]:
    """The schema type spec of a Python annotation; attrs classes are added to ``objects``.

    With ``pairs_as_map`` (inputs), a list of ``key``/``value`` pairs is a ``{key: value}``
    map, as the query accepts tags; in results a client's tags stay a list of objects.

    :raises UnmappedTypeError: for a type with no mapping.
    """
    annotation = _optional_inner(annotation)
    scalars = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if annotation in scalars:
        return {"type": scalars[annotation]}
    if annotation is timedelta:
        return {"type": "string"}  # a duration such as 15m, 2h or 1d
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if pairs_as_map and _is_key_value(args[0]):
            return {"type": "object", "additionalProperties": {"type": "string"}}
        return {"type": "array", "items": schema_type(args[0], owner, objects)}
    if origin in (Mapping, dict) and args and args[0] is str:
        values = schema_type(args[1], owner, objects)
        return {"type": "object", "additionalProperties": values}
    if isinstance(annotation, type) and attrs.has(annotation):
        objects[_type_token(annotation)] = annotation
        return {"$ref": f"#/types/{_type_token(annotation)}"}
    raise UnmappedTypeError(owner, annotation)


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _property(
    name: str, spec: dict[str, Any], descriptions: Mapping[str, str] = _DESCRIPTIONS
) -> dict[str, Any]:
    described = descriptions.get(name)
    return {**spec, "description": described} if described else dict(spec)


def _query_input_types() -> dict[str, Any]:
    hints = _hints(ClientQuery)
    typed: dict[str, Any] = {name: hints[name] for name in INPUT_NAMES}
    # A tag filter arrives as {key: value}, like the Python SDK's ``tags``.
    if typing.get_args(_optional_inner(typed["tags"]))[:1] != (TagFilter,):
        raise UnmappedTypeError("ClientQuery.tags", typed["tags"])
    typed.update(dict.fromkeys(CONNECTION_INPUTS, str))
    typed.update(_limit_types())
    return typed


def _limit_types() -> dict[str, Any]:
    """The limit inputs, typed as the fields of ListingLimits (``deadline`` -> ``deadline_s``)."""
    hints = _hints(ListingLimits)
    typed: dict[str, Any] = {}
    for name in LIMIT_INPUTS:
        field = name if name in hints else f"{name}_s"
        if field not in hints:
            raise UnmappedTypeError(f"ListingLimits.{name}", None)
        typed[name] = hints[field]
    return typed


def _resource_input_types() -> dict[str, Any]:
    return {**_query_input_types(), **dict.fromkeys(OPTION_INPUTS, bool)}


def _audit_input_types() -> dict[str, Any]:
    return {**_query_input_types(), **_hints(AuditRules), "max_findings": int, "allow_empty": bool}


def _coverage_input_types() -> dict[str, Any]:
    rules = _hints(AuditRules)
    return {
        "regions": tuple[str, ...],
        "require_client": bool,
        "instance_tags": Mapping[str, str],
        "instance_ids": tuple[str, ...],
        "instance_statuses": tuple[str, ...],
        "allow_unreachable": tuple[str, ...],
        "accounts": tuple[str, ...],
        "role_name": str,
        "include_caller": bool,
        **{name: rules[name] for name in CLIENT_RULE_INPUTS},
        "region": str,
        "deadline": _limit_types()["deadline"],
    }


#: The inputs of ``getBackupCoverage`` (``auditBackupCoverage`` adds the gate's).
COVERAGE_INPUT_NAMES: tuple[str, ...] = tuple(_coverage_input_types())


def _listing_type(name: str) -> Any:
    """The type of a listing output: a field or a property of ClientListing, else computed."""
    if name in _COMPUTED_TYPES:
        return _COMPUTED_TYPES[name]
    fields = {f.name for f in attrs.fields(ClientListing)}
    if name in fields:
        return _hints(ClientListing)[name]
    prop = getattr(ClientListing, name, None)
    if isinstance(prop, property) and prop.fget is not None:
        return typing.get_type_hints(prop.fget)["return"]
    raise UnmappedTypeError(f"output {name}", None)


@functools.cache
def output_specs() -> tuple[dict[str, dict[str, Any]], dict[str, type]]:
    """Every output's spec by snake_case name, and the object types they refer to."""
    objects: dict[str, type] = {}
    specs = {
        name: schema_type(_listing_type(name), f"output {name}", objects)
        for name in RESOURCE_OUTPUTS
    }
    specs.update(
        {name: schema_type(t, f"output {name}", objects) for name, t in _AUDIT_TYPES.items()}
    )
    return specs, objects


@functools.cache
def coverage_output_specs() -> tuple[dict[str, dict[str, Any]], dict[str, type]]:
    """The estate report's outputs by snake_case name, and the object types they refer to."""
    objects: dict[str, type] = {}
    specs = {
        name: schema_type(t, f"coverage output {name}", objects)
        for name, t in _COVERAGE_TYPES.items()
    }
    return specs, objects


def _properties(
    typed: Mapping[str, Any], owner: str, objects: dict[str, type]
) -> dict[str, dict[str, Any]]:
    return {
        camel(name): _property(name, schema_type(t, f"{owner}.{name}", objects, pairs_as_map=True))
        for name, t in typed.items()
    }


def _object_type(cls: type, objects: dict[str, type]) -> dict[str, Any]:
    hints = _hints(cls)
    names = [f.name for f in attrs.fields(cls)]
    props = {camel(n): schema_type(hints[n], f"{cls.__name__}.{n}", objects) for n in names}
    for n in set(names) & set(_FIELD_DESCRIPTIONS):
        props[camel(n)]["description"] = _FIELD_DESCRIPTIONS[n]
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": props,
    }


def _outputs(names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    specs, _ = output_specs()
    props = {camel(n): _property(n, specs[n], _OUTPUT_DESCRIPTIONS) for n in names}
    for name in SECRET_OUTPUTS:
        if name in names:
            props[camel(name)]["secret"] = True
    return props


_COVERAGE_OUTPUT_DESCRIPTIONS: Mapping[str, str] = {
    "passed": "Whether the gate passed (always true from auditBackupCoverage, which fails).",
    "complete": "Whether every region was listed, or its failure accepted by name.",
    "targets": "One entry per region: instances in scope, covered, clients, orphans, error.",
    "findings": "One finding per uncovered instance, orphan client or broken client rule.",
    "summary": "Coverage over instances, and the findings by rule.",
}


def _coverage_outputs() -> dict[str, dict[str, Any]]:
    specs, _ = coverage_output_specs()
    return {
        camel(n): _property(n, specs[n], _COVERAGE_OUTPUT_DESCRIPTIONS) for n in COVERAGE_OUTPUTS
    }


def config_keywords() -> dict[str, str]:
    """``hbr:<key>`` config key -> keyword of ``ConnectionSettings.resolve``.

    The keys are those of the dynamic provider's stack config (``alicloud:accessKey``, ...,
    ``hbr:endpoint``), under the plugin's own namespace.
    """
    keys = {**CONFIG_KEYS, **LIMIT_CONFIG_KEYS}
    return {key.split(":", 1)[1]: keyword for key, keyword in keys.items()}


def _config_variables() -> dict[str, dict[str, Any]]:
    variables: dict[str, dict[str, Any]] = {}
    limits = _limit_types()
    for key, keyword in config_keywords().items():
        spec: dict[str, Any] = (
            schema_type(limits[keyword], f"config {key}", {})
            if keyword in limits
            else {"type": "string"}
        )
        if keyword in _CONFIG_DESCRIPTIONS:
            spec["description"] = _CONFIG_DESCRIPTIONS[keyword]
        if key in CONFIG_SECRETS:
            spec["secret"] = True
        variables[key] = spec
    return variables


def build_schema(version: str) -> dict[str, Any]:
    """The package schema of ``hbr`` at ``version``, as a JSON-ready dict."""
    objects: dict[str, type] = {}
    resource_inputs = _properties(_resource_input_types(), "BackupClients", objects)
    lookup_inputs = _properties(_query_input_types(), "getBackupClients", objects)
    audit_inputs = _properties(_audit_input_types(), "auditBackupClients", objects)
    coverage_inputs = _properties(_coverage_input_types(), "getBackupCoverage", objects)
    gate_inputs = _properties(
        {"max_findings": int, "allow_empty": bool}, "auditBackupCoverage", objects
    )
    _, output_objects = output_specs()
    objects.update(output_objects)
    objects.update(coverage_output_specs()[1])
    type_specs: dict[str, Any] = {}
    pending = dict(objects)
    while pending:
        token, cls = pending.popitem()
        if token in type_specs:
            continue
        nested: dict[str, type] = {}
        type_specs[token] = _object_type(cls, nested)
        pending.update({t: c for t, c in nested.items() if t not in type_specs})
    config = _config_variables()
    required_outputs = list(map(camel, FUNCTION_OUTPUTS))
    return {
        "name": PACKAGE,
        "displayName": "Alibaba Cloud HBR backup clients",
        "version": version,
        "description": "Look up and audit Alibaba Cloud HBR backup clients.",
        "keywords": ["pulumi", "alicloud", "hbr", "backup", "category/cloud"],
        "license": "Apache-2.0",
        "config": {"variables": config},
        "provider": {
            "description": "The hbr provider: where and as whom to call HBR.",
            "inputProperties": config,
        },
        "types": dict(sorted(type_specs.items())),
        "resources": {
            RESOURCE_TOKEN: {
                "description": "A read-only lookup of HBR backup clients, kept in the stack.",
                "inputProperties": resource_inputs,
                "requiredInputs": ["clientType"],
                "properties": _outputs(RESOURCE_OUTPUTS),
                "required": list(map(camel, RESOURCE_OUTPUTS)),
            }
        },
        "functions": {
            LOOKUP_TOKEN: {
                "description": "List the HBR backup clients that match.",
                "inputs": {"properties": lookup_inputs, "required": ["clientType"]},
                "outputs": {
                    "properties": _outputs(FUNCTION_OUTPUTS),
                    "required": required_outputs,
                },
            },
            AUDIT_TOKEN: {
                "description": "Audit the HBR backup clients that match against rules.",
                "inputs": {"properties": audit_inputs, "required": ["clientType"]},
                "outputs": {
                    "properties": _outputs(AUDIT_OUTPUTS),
                    "required": list(map(camel, AUDIT_OUTPUTS)),
                },
            },
            COVERAGE_TOKEN: {
                "description": "Is every ECS instance in scope backed up, in every region?",
                "inputs": {"properties": coverage_inputs},
                "outputs": {
                    "properties": _coverage_outputs(),
                    "required": list(map(camel, COVERAGE_OUTPUTS)),
                },
            },
            AUDIT_COVERAGE_TOKEN: {
                "description": (
                    "Fail unless every ECS instance in scope is backed up, in every region "
                    "(and every region could be listed)."
                ),
                "inputs": {"properties": {**coverage_inputs, **gate_inputs}},
                "outputs": {
                    "properties": _coverage_outputs(),
                    "required": list(map(camel, COVERAGE_OUTPUTS)),
                },
            },
        },
        "language": {
            # respectSchemaVersion gives package.json the plugin's version, in "version" and
            # in "pulumi" (which the Node.js host reports to the engine as the plugin to load).
            "nodejs": {
                "packageName": "@pulumi-hbr-clients/hbr",
                "packageDescription": (
                    "Look up and audit Alibaba Cloud HBR backup clients from TypeScript and "
                    "JavaScript; needs the hbr resource plugin (pulumi-resource-hbr) of the "
                    "same version."
                ),
                "respectSchemaVersion": True,
            },
            # respectSchemaVersion writes the plugin's version into pulumi-plugin.json and the
            # default invoke options, so a Go program asks the engine for hbr at this version.
            "go": {
                "importBasePath": GO_IMPORT_BASE_PATH,
                "generateResourceContainerTypes": True,
                "respectSchemaVersion": True,
            },
        },
    }


@functools.cache
def type_specs() -> dict[str, Any]:
    """The schema's object types by token (the same at every version)."""
    types: dict[str, Any] = build_schema("0")["types"]
    return types
