"""The hbr schema agrees with the query and result models and with the Python SDK."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import attrs
import pytest
from pulumi.provider.experimental.property_value import PropertyValue

from hbr_clients_provider.adapters.lifecycle import RESOURCE_INPUTS
from hbr_clients_provider.adapters.outputs import OUTPUT_NAMES, SECRET_OUTPUTS
from hbr_clients_provider.adapters.plugin.names import camel, camel_path, snake
from hbr_clients_provider.adapters.plugin.provider import HbrProvider
from hbr_clients_provider.adapters.plugin.schema import (
    AUDIT_TOKEN,
    LOOKUP_TOKEN,
    RESOURCE_TOKEN,
    UnmappedTypeError,
    build_schema,
    schema_type,
)
from hbr_clients_provider.adapters.stack_config import CONFIG_KEYS, CONNECTION_INPUTS
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.limits import LIMIT_CONFIG_KEYS, LIMIT_INPUTS
from hbr_clients_provider.api.models import BackupClient, ClientSettings, Tag
from hbr_clients_provider.api.query import INPUT_NAMES
from hbr_clients_provider.audit.rules import AuditRules, AuditSummary, Finding
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from pulumi_hbr_clients.lookup import GetBackupClientsResult, get_backup_clients

SCHEMA = build_schema("1.2.3")
RESOURCE = SCHEMA["resources"][RESOURCE_TOKEN]
LOOKUP = SCHEMA["functions"][LOOKUP_TOKEN]
AUDIT = SCHEMA["functions"][AUDIT_TOKEN]


def _names(fields: Any) -> set[str]:
    return {camel(f.name) for f in attrs.fields(fields)}


def _type(name: str) -> Mapping[str, Any]:
    spec: Mapping[str, Any] = SCHEMA["types"][f"hbr:index:{name}"]
    return spec


class TestModelsAgree:
    """Every model field is in the schema, and the schema has nothing else."""

    def test_inputs_are_the_query_fields_and_the_connection(self) -> None:
        """The inputs are ClientQuery's fields, the connection and the limits (and options)."""
        query = {camel(n) for n in INPUT_NAMES + CONNECTION_INPUTS + LIMIT_INPUTS}
        assert set(LOOKUP["inputs"]["properties"]) == query
        assert set(RESOURCE["inputProperties"]) == {camel(n) for n in RESOURCE_INPUTS}
        assert set(AUDIT["inputs"]["properties"]) == (
            query | _names(AuditRules) | {"maxFindings", "allowEmpty"}
        )

    def test_client_types_are_the_result_models(self) -> None:
        """BackupClient, ClientSettings, Tag, Finding and AuditSummary are object types."""
        for model in (BackupClient, ClientSettings, Tag, Finding, AuditSummary):
            assert set(_type(model.__name__)["properties"]) == _names(model)

    def test_outputs_are_the_dynamic_resources_with_clients_as_objects(self) -> None:
        """The outputs are the dynamic resource's: clients as objects, no query or last change."""
        dynamic_only = {"clientsJson", "query", "lastChange"}
        expected = {camel(n) for n in OUTPUT_NAMES} - dynamic_only | {"clients"}
        assert set(RESOURCE["properties"]) == expected
        assert {n for n, p in RESOURCE["properties"].items() if p.get("secret")} == {
            camel(n) for n in SECRET_OUTPUTS
        }

    def test_config_is_the_dynamic_providers_stack_config(self) -> None:
        """hbr:* config has one key per stack-config key; the keys and token are secrets."""
        variables = SCHEMA["config"]["variables"]
        keys = {**CONFIG_KEYS, **LIMIT_CONFIG_KEYS}
        assert set(variables) == {k.split(":", 1)[1] for k in keys}
        assert {k for k, v in variables.items() if v.get("secret")} == {
            "accessKey",
            "secretKey",
            "securityToken",
        }
        assert {CONFIG_KEYS[f"alicloud:{k}"] for k in ("secretKey", "securityToken")} == {
            f.name
            for f in attrs.fields(ConnectionSettings)
            if f.name.endswith(("_secret", "_token"))
        }

    def test_unmapped_type_fails_schema_generation(self) -> None:
        """A field type the schema cannot express fails loudly, naming the field."""
        with pytest.raises(UnmappedTypeError) as raised:
            schema_type(complex, "ClientQuery.new_field", {})
        assert raised.value.owner == "ClientQuery.new_field"

    def test_new_attrs_field_appears_as_a_property(self) -> None:
        """A nested model's fields become an object type's properties, with no list kept."""

        @attrs.frozen
        class Extra:
            max_clients: int
            deadline_s: float | None

        objects: dict[str, type] = {}
        spec = schema_type(tuple[Extra, ...], "test", objects)
        assert spec == {"type": "array", "items": {"$ref": "#/types/hbr:index:Extra"}}
        assert objects == {"hbr:index:Extra": Extra}


class TestPythonSdkAgrees:
    """The Python SDK's lookup and the plugin's function have the same surface."""

    def test_every_sdk_argument_is_a_function_input(self) -> None:
        """Every argument of get_backup_clients is an input of getBackupClients."""
        arguments = set(inspect.signature(get_backup_clients).parameters)
        assert {camel(a) for a in arguments} <= set(LOOKUP["inputs"]["properties"])

    def test_every_sdk_result_field_is_a_function_output(self) -> None:
        """Every field of GetBackupClientsResult is an output of getBackupClients."""
        fields = _names(GetBackupClientsResult) | {"instanceClientMap"}
        assert fields <= set(LOOKUP["outputs"]["properties"])


class TestValuesFollowTheSchema:
    """What the plugin returns has exactly the schema's shape."""

    def test_lookup_result_has_every_schema_field(self, emulator: Emulator) -> None:
        """A listed client carries every property of the BackupClient type, camelCase."""
        provider = HbrProvider(version="1.2.3")
        provider.configure(
            {
                "endpoint": PropertyValue(emulator.endpoint),
                "protocol": PropertyValue("http"),
                "accessKey": PropertyValue(DEFAULT_ACCESS_KEY_ID),
                "secretKey": PropertyValue(DEFAULT_ACCESS_KEY_SECRET, is_secret=True),
            },
            {},
        )
        result, failures = provider.invoke(
            LOOKUP_TOKEN, {"clientType": PropertyValue("ECS_CLIENT")}
        )
        assert failures == []
        assert result is not None
        assert set(result) == set(LOOKUP["outputs"]["properties"])
        clients = result["clients"].value
        assert isinstance(clients, tuple)
        first = clients[0].value
        assert set(first) == set(_type("BackupClient")["properties"])
        assert set(first["settings"].value) == set(_type("ClientSettings")["properties"])


class TestNames:
    """snake_case and camelCase convert both ways."""

    @pytest.mark.parametrize("name", [*INPUT_NAMES, *RESOURCE_INPUTS, "max_findings"])
    def test_round_trip(self, name: str) -> None:
        """Every input name survives snake -> camel -> snake."""
        assert snake(camel(name)) == name

    def test_camel_path_keeps_the_index(self) -> None:
        """A violation's sub-path keeps its index and sub-field."""
        assert camel_path("cross_account_user_id") == "crossAccountUserId"
        assert camel_path("backup_statuses[1]") == "backupStatuses[1]"
        assert camel_path("filters[0].values[2]") == "filters[0].values[2]"
