"""The ``pulumi-resource-hbr`` plugin process, driven over gRPC with Pulumi's own stubs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc
from pulumi.runtime.rpc import _special_secret_sig

from hbr_clients_provider.adapters.plugin.schema import build_schema
from hbr_clients_provider.adapters.plugin.server import plugin_version
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Faults

URN = "urn:pulumi:test::proj::hbr:index:BackupClients::clients"
PLUGIN = Path(sys.executable).with_name("pulumi-resource-hbr")
LOOKUP = "hbr:index:getBackupClients"
AUDIT = "hbr:index:auditBackupClients"
COVERAGE = "hbr:index:getBackupCoverage"
AUDIT_COVERAGE = "hbr:index:auditBackupCoverage"

Stub = provider_pb2_grpc.ResourceProviderStub


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


def _dict(message: struct_pb2.Struct) -> dict[str, Any]:
    value: dict[str, Any] = json_format.MessageToDict(message)
    return value


def _unsecret(value: Any) -> Any:
    """The value inside a secret envelope, or ``value`` itself."""
    if isinstance(value, dict) and value.get("4dabf18193072939515e22adb298388d"):
        return value["value"]
    return value


@pytest.fixture
def fleet(emulator_factory: Callable[..., Emulator]) -> Emulator:
    """An emulator with 140 clients."""
    return emulator_factory(fleet=140, seed=21)


def _start(env: dict[str, str]) -> tuple[subprocess.Popen[str], grpc.Channel, Stub]:
    process = subprocess.Popen(
        [str(PLUGIN), "127.0.0.1:1"], stdout=subprocess.PIPE, env=env, text=True
    )
    assert process.stdout is not None
    port = int(process.stdout.readline().strip())
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    return process, channel, Stub(channel)


@pytest.fixture
def bare() -> Iterator[Stub]:
    """The plugin process, not yet configured, with no HBR or Alibaba Cloud environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "HBR_"))}
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    process, channel, stub = _start(env)
    try:
        yield stub
    finally:
        channel.close()
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def plugin(bare: Stub, fleet: Emulator) -> Stub:
    """The plugin, configured by ``hbr:*`` config to list the emulator's fleet."""
    config = {
        "endpoint": fleet.endpoint,
        "protocol": "http",
        "accessKey": DEFAULT_ACCESS_KEY_ID,
        "secretKey": DEFAULT_ACCESS_KEY_SECRET,
    }
    checked = bare.CheckConfig(provider_pb2.CheckRequest(urn=URN, news=_struct(config)))
    assert list(checked.failures) == []
    configured = bare.Configure(provider_pb2.ConfigureRequest(args=checked.inputs))
    assert configured.acceptSecrets
    return bare


def _ecs_ids(fleet: Emulator, **match: str) -> list[str]:
    return [
        c["ClientId"]
        for c in fleet.backend.clients()
        if c["ClientType"] == "ECS_CLIENT" and all(c[k] == v for k, v in match.items())
    ]


class TestSchemaAndConfig:
    """GetPluginInfo, GetSchema, CheckConfig and Configure."""

    def test_get_schema_is_the_generated_schema(self, bare: Stub) -> None:
        """GetSchema serves the schema built from the models, at the plugin's version."""
        info = bare.GetPluginInfo(plugin_pb2.PluginInfo())
        assert info.version == plugin_version()
        schema = json.loads(bare.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
        assert schema == build_schema(plugin_version())
        assert set(schema["functions"]) == {LOOKUP, AUDIT, COVERAGE, AUDIT_COVERAGE}
        assert set(schema["resources"]) == {"hbr:index:BackupClients"}

    def test_check_config_names_each_bad_key(self, bare: Stub) -> None:
        """A bad protocol, region or deadline fails CheckConfig naming the key and value."""
        news = _struct({"protocol": "ftp", "region": " ", "deadline": "soon", "maxClients": 5})
        checked = bare.CheckConfig(provider_pb2.CheckRequest(urn=URN, news=news))
        failures = {f.property: f.reason for f in checked.failures}
        assert set(failures) == {"protocol", "region", "deadline"}
        assert "'soon'" in failures["deadline"]
        assert "http, https" in failures["protocol"]
        assert "'ftp'" in failures["protocol"]

    def test_configure_takes_secret_keys(self, bare: Stub, fleet: Emulator) -> None:
        """Keys given as secrets configure the provider, which then lists the emulator."""
        secret = _special_secret_sig
        args = {
            "endpoint": fleet.endpoint,
            "protocol": "http",
            "accessKey": DEFAULT_ACCESS_KEY_ID,
            "secretKey": {"4dabf18193072939515e22adb298388d": secret, "value": "wrong"},
        }
        bare.Configure(provider_pb2.ConfigureRequest(args=_struct(args), acceptSecrets=True))
        with pytest.raises(grpc.RpcError) as raised:
            bare.Invoke(
                provider_pb2.InvokeRequest(tok=LOOKUP, args=_struct({"clientType": "ECS_CLIENT"}))
            )
        details = raised.value.details()
        assert "SignatureDoesNotMatch" in details
        assert "wrong" not in details
        assert "Traceback" not in details


class TestFunctions:
    """Invoke of getBackupClients and auditBackupClients."""

    def test_invoke_lookup_lists_the_fleet(self, plugin: Stub, fleet: Emulator) -> None:
        """getBackupClients returns the fleet's clients, camelCase, passwords masked."""
        args = _struct({"clientType": "ECS_CLIENT", "statuses": ["ACTIVATED"]})
        response = plugin.Invoke(provider_pb2.InvokeRequest(tok=LOOKUP, args=args))
        assert list(response.failures) == []
        result = _dict(getattr(response, "return"))
        expected = _ecs_ids(fleet, Status="ACTIVATED")
        assert result["clientIds"] == expected
        assert result["totalCount"] == len(expected)
        assert [c["clientId"] for c in result["clients"]] == expected
        assert {c["settings"]["proxyPassword"] for c in result["clients"]} <= {None, "******"}
        assert set(result["instanceClientMap"].values()) <= set(expected)

    def test_invoke_invalid_arguments_fail_naming_each_field(
        self, plugin: Stub, fleet: Emulator
    ) -> None:
        """Bad arguments come back as one failure per camelCase field, and nothing is sent."""
        args = _struct({"clientType": "VM", "backupStatuses": ["NOPE"], "colour": "red"})
        response = plugin.Invoke(provider_pb2.InvokeRequest(tok=LOOKUP, args=args))
        failures = {f.property: f.reason for f in response.failures}
        assert set(failures) == {"clientType", "backupStatuses", "colour"}
        assert "ECS_CLIENT" in failures["clientType"]
        assert failures["backupStatuses"].startswith("backupStatuses[0]:")
        assert "clientType" in failures["colour"]
        assert fleet.backend.api_call_count() == 0

    def test_invoke_audit_returns_findings_and_summary(self, plugin: Stub, fleet: Emulator) -> None:
        """auditBackupClients applies the rules and summarises the fleet."""
        args = _struct({"clientType": "ECS_CLIENT", "requireActivated": True, "maxFindings": 1000})
        response = plugin.Invoke(provider_pb2.InvokeRequest(tok=AUDIT, args=args))
        result = _dict(getattr(response, "return"))
        not_activated = [c for c in _ecs_ids(fleet) if c not in _ecs_ids(fleet, Status="ACTIVATED")]
        assert [f["clientId"] for f in result["findings"]] == not_activated
        assert result["summary"]["totalClients"] == len(_ecs_ids(fleet))
        assert result["summary"]["rulesChecked"] == ["not_activated"]
        assert result["passed"] is True  # within maxFindings

    def test_invoke_audit_over_max_findings_fails_readably(
        self, plugin: Stub, fleet: Emulator
    ) -> None:
        """More findings than maxFindings fail the invoke with the report, no traceback."""
        offenders = [c for c in _ecs_ids(fleet) if c not in _ecs_ids(fleet, Status="ACTIVATED")]
        assert offenders  # the seeded fleet has clients that are not activated
        args = _struct({"clientType": "ECS_CLIENT", "requireActivated": True, "maxFindings": 0})
        with pytest.raises(grpc.RpcError) as raised:
            plugin.Invoke(provider_pb2.InvokeRequest(tok=AUDIT, args=args))
        details = raised.value.details()
        assert "0 allowed by maxFindings" in details
        assert offenders[0] in details
        assert "Traceback" not in details


class TestResource:
    """Check, Create, Diff, Read, Update and Delete of hbr:index:BackupClients."""

    def test_check_invalid_names_each_field_and_sends_nothing(
        self, plugin: Stub, fleet: Emulator
    ) -> None:
        """Check returns one failure per bad camelCase field and sends no request."""
        news = _struct(
            {
                "clientType": "VM_CLIENT",
                "crossAccountUserId": 5,
                "heartbeatOlderThan": "soon",
                "includeVolatile": "yes",
            }
        )
        response = plugin.Check(provider_pb2.CheckRequest(urn=URN, news=news))
        failures = {f.property: f.reason for f in response.failures}
        assert set(failures) == {
            "clientType",
            "crossAccountRoleName",
            "heartbeatOlderThan",
            "includeVolatile",
        }
        assert "crossAccountUserId" in failures["crossAccountRoleName"]
        assert "cross_account" not in " ".join(failures.values())
        assert fleet.backend.api_call_count() == 0

    def test_check_names_a_bad_configured_endpoint(self, bare: Stub, fleet: Emulator) -> None:
        """A bad hbr:endpoint fails Check under its config key, with the value given; nothing
        is sent."""
        args = {"endpoint": "bad host/x", "accessKey": "a", "secretKey": "b", "deadline": 5}
        bare.Configure(provider_pb2.ConfigureRequest(args=_struct(args)))
        response = bare.Check(
            provider_pb2.CheckRequest(urn=URN, news=_struct({"clientType": "ECS_CLIENT"}))
        )
        reasons = [f.reason for f in response.failures]
        assert len(reasons) == 1
        assert reasons[0].startswith("hbr:endpoint: ")
        assert "'bad host/x'" in reasons[0]
        assert fleet.backend.api_call_count() == 0

    def test_check_lets_unknown_inputs_pass(self, plugin: Stub, fleet: Emulator) -> None:
        """An input not known until deployment is not judged, and nothing is listed."""
        unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
        news = _struct({"clientType": "ECS_CLIENT", "instanceIds": unknown})
        response = plugin.Check(provider_pb2.CheckRequest(urn=URN, news=news))
        assert list(response.failures) == []
        assert fleet.backend.api_call_count() == 0

    def test_lifecycle_create_diff_read_update_delete(self, plugin: Stub, fleet: Emulator) -> None:
        """A lookup is created, unchanged, updated on a fleet change, and deleted silently."""
        news = _struct({"clientType": "ECS_CLIENT", "statuses": ["ACTIVATED"]})
        check = plugin.Check(provider_pb2.CheckRequest(urn=URN, news=news))
        assert list(check.failures) == []
        calls = fleet.backend.api_call_count()
        created = plugin.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs))
        assert fleet.backend.api_call_count() == calls  # Create took Check's listing
        assert created.id.startswith("hbr-clients-")
        outputs = _dict(created.properties)
        expected = _ecs_ids(fleet, Status="ACTIVATED")
        assert outputs["clientIds"] == expected
        assert outputs["totalCount"] == len(expected)
        assert outputs["proxyPasswords"]["4dabf18193072939515e22adb298388d"] == _special_secret_sig
        passwords = _unsecret(outputs["proxyPasswords"])
        assert passwords  # the seeded fleet has custom proxies
        assert not set(json.dumps(outputs["clients"]).split('"')) & set(passwords.values())

        def diff(news: struct_pb2.Struct) -> provider_pb2.DiffResponse:
            return plugin.Diff(
                provider_pb2.DiffRequest(
                    id=created.id, urn=URN, olds=created.properties, news=news, old_inputs=news
                )
            )

        assert diff(check.inputs).changes == provider_pb2.DiffResponse.DIFF_NONE
        fleet.backend.update_client(expected[0], {"Status": "STOPPED"})
        changed = diff(check.inputs)
        assert changed.changes == provider_pb2.DiffResponse.DIFF_SOME
        assert list(changed.diffs) == ["fingerprint"]

        read = plugin.Read(
            provider_pb2.ReadRequest(
                id=created.id, urn=URN, properties=created.properties, inputs=check.inputs
            )
        )
        assert _dict(read.properties)["clientIds"] == expected[1:]
        assert _dict(read.inputs) == _dict(check.inputs)
        # The engine's refresh diffs the refreshed outputs against the inputs: a change.
        refreshed = plugin.Diff(
            provider_pb2.DiffRequest(
                id=created.id,
                urn=URN,
                olds=read.properties,
                news=check.inputs,
                old_inputs=check.inputs,
            )
        )
        assert refreshed.changes == provider_pb2.DiffResponse.DIFF_SOME

        updated = plugin.Update(
            provider_pb2.UpdateRequest(
                id=created.id, urn=URN, olds=created.properties, news=check.inputs
            )
        )
        assert _dict(updated.properties)["totalCount"] == len(expected) - 1

        calls = fleet.backend.api_call_count()
        plugin.Delete(
            provider_pb2.DeleteRequest(id=created.id, urn=URN, properties=updated.properties)
        )
        assert fleet.backend.api_call_count() == calls

    def test_diff_names_a_changed_input_without_listing(
        self, plugin: Stub, fleet: Emulator
    ) -> None:
        """A changed input is a change by itself; the fleet is not listed to decide it."""
        old = _struct({"clientType": "ECS_CLIENT"})
        new = _struct({"clientType": "ECS_CLIENT", "nameRegex": "^web"})
        response = plugin.Diff(
            provider_pb2.DiffRequest(id="x", urn=URN, olds=_struct({}), news=new, old_inputs=old)
        )
        assert response.changes == provider_pb2.DiffResponse.DIFF_SOME
        assert list(response.diffs) == ["nameRegex"]
        assert fleet.backend.api_call_count() == 0

    def test_read_outage_is_one_readable_error(self, plugin: Stub, fleet: Emulator) -> None:
        """An API error during refresh is one message with code and status, no traceback."""
        fleet.backend.set_faults(Faults(fail_next=(("Forbidden.RAM", 403),)))
        inputs = _struct({"clientType": "ECS_CLIENT"})
        with pytest.raises(grpc.RpcError) as raised:
            plugin.Read(provider_pb2.ReadRequest(id="x", urn=URN, inputs=inputs))
        details = raised.value.details()
        assert "Forbidden.RAM" in details
        assert "HTTP 403" in details
        assert "Traceback" not in details


class TestEmptiedMaps:
    """A map input that arrives empty (YAML drops null entries) is refused, not widened."""

    def test_check_refuses_empty_tags_and_sends_nothing(
        self, plugin: Stub, fleet: Emulator
    ) -> None:
        """tags: {} (what tags: {env: null} becomes) fails Check on tags; no request leaves."""
        news = _struct({"clientType": "ECS_CLIENT", "tags": {}})
        response = plugin.Check(provider_pb2.CheckRequest(urn=URN, news=news))
        failures = {f.property: f.reason for f in response.failures}
        assert set(failures) == {"tags"}
        assert "null is dropped" in failures["tags"]
        assert fleet.backend.api_call_count() == 0

    def test_invoke_refuses_empty_filters(self, plugin: Stub, fleet: Emulator) -> None:
        """getBackupClients with filters: {} fails naming filters; no request leaves."""
        args = _struct({"clientType": "ECS_CLIENT", "filters": {}})
        response = plugin.Invoke(provider_pb2.InvokeRequest(tok=LOOKUP, args=args))
        assert [f.property for f in response.failures] == ["filters"]
        assert fleet.backend.api_call_count() == 0


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie waiting for its new parent."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class TestLifetime:
    """The plugin does not outlive the ``pulumi`` process that started it."""

    def test_an_orphaned_plugin_exits_within_seconds(self, tmp_path: Path) -> None:
        """A parent that dies without stopping it (a killed ``pulumi``) leaves no server behind."""
        port_file = tmp_path / "port"
        starter = subprocess.run(
            [
                "bash",
                "-c",
                f'"{PLUGIN}" 127.0.0.1:1 > "{port_file}" 2> "{tmp_path}/stderr" & pid=$!\n'
                f'until [ -s "{port_file}" ]; do sleep 0.1; done\n'
                'echo "$pid"',
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        pid = int(starter.stdout)  # bash has exited: the plugin's parent is gone
        assert int(port_file.read_text(encoding="utf-8")) > 0
        deadline = time.monotonic() + 10
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"the orphaned plugin {pid} still served 10 s after its parent exited")
        assert "Traceback" not in (tmp_path / "stderr").read_text(encoding="utf-8")
