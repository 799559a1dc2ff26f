"""The real dynamic-provider server, driven over gRPC with Pulumi's own protobuf stubs."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from hbr_clients_provider.adapters.dynamic import BackupClientsProvider
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Faults

URN = "urn:pulumi:test::proj::pulumi-python:dynamic/hbr:BackupClients::clients"
PROVIDER = serialize_provider(BackupClientsProvider())
#: ``serialize_provider(BackupClientsProvider())`` as 0.1.0 wrote it into every state, captured
#: before the provider moved to ``hbr_clients_provider.adapters.dynamic``.
PROVIDER_0_1_0 = (
    (Path(__file__).parent / "fixtures" / "provider-0.1.0.pickle.b64").read_text().strip()
)


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


def _dict(message: struct_pb2.Struct) -> dict[str, Any]:
    value: dict[str, Any] = json_format.MessageToDict(message)
    return value


@pytest.fixture
def fleet(emulator_factory: Callable[..., Emulator]) -> Emulator:
    """An emulator with 140 clients."""
    return emulator_factory(fleet=140, seed=21)


@pytest.fixture
def provider(fleet: Emulator) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """``python -u -m pulumi.dynamic`` in its own process, configured by stack config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "HBR_"))}
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        stub.Configure(
            provider_pb2.ConfigureRequest(
                args=_struct(
                    {
                        "hbr:endpoint": fleet.endpoint,
                        "hbr:protocol": "http",
                        "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
                        "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
                    }
                ),
                acceptSecrets=False,
            )
        )
        yield stub
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _news(**inputs: Any) -> struct_pb2.Struct:
    return _struct({"__provider": PROVIDER, **inputs})


class TestProviderProtocol:
    """Configure, Check, Diff, Create, Read, Update and Delete over the wire."""

    def test_check_invalid_returns_one_failure_per_field(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """Check names each bad field and sends no request."""
        response = provider.Check(
            provider_pb2.CheckRequest(
                urn=URN,
                olds=_struct({}),
                news=_news(client_type="VM_CLIENT", statuses=["RUNNING"], cluster_id=" "),
            )
        )
        fields = sorted(f.property for f in response.failures)
        assert fields == ["client_type", "cluster_id", "statuses"]
        assert fleet.backend.api_call_count() == 0

    def test_lifecycle_create_diff_read_update_delete(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """A lookup is created, unchanged, updated on a fleet change, and deleted silently."""
        news = _news(client_type="ECS_CLIENT", statuses=["ACTIVATED"])
        check = provider.Check(provider_pb2.CheckRequest(urn=URN, olds=_struct({}), news=news))
        assert list(check.failures) == []

        created = provider.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs))
        outputs = _dict(created.properties)
        expected = [
            c["ClientId"]
            for c in fleet.backend.clients()
            if c["ClientType"] == "ECS_CLIENT" and c["Status"] == "ACTIVATED"
        ]
        assert outputs["client_ids"] == expected
        assert outputs["total_count"] == len(expected)
        assert outputs["query"] == {"client_type": "ECS_CLIENT", "statuses": ["ACTIVATED"]}
        state_clients = json.loads(outputs["clients_json"])
        assert [c["client_id"] for c in state_clients] == expected
        assert {c["settings"]["proxy_password"] for c in state_clients} == {None, "******"}
        assert created.id.startswith("hbr-clients-")

        same = provider.Diff(
            provider_pb2.DiffRequest(
                id=created.id, urn=URN, olds=created.properties, news=check.inputs
            )
        )
        assert same.changes == provider_pb2.DiffResponse.DIFF_NONE

        fleet.backend.update_client(expected[0], {"Status": "STOPPED"})
        changed = provider.Diff(
            provider_pb2.DiffRequest(
                id=created.id, urn=URN, olds=created.properties, news=check.inputs
            )
        )
        assert changed.changes == provider_pb2.DiffResponse.DIFF_SOME

        read = provider.Read(
            provider_pb2.ReadRequest(id=created.id, urn=URN, properties=created.properties)
        )
        assert _dict(read.properties)["client_ids"] == expected[1:]

        updated = provider.Update(
            provider_pb2.UpdateRequest(
                id=created.id, urn=URN, olds=created.properties, news=check.inputs
            )
        )
        assert _dict(updated.properties)["total_count"] == len(expected) - 1

        calls = fleet.backend.api_call_count()
        provider.Delete(
            provider_pb2.DeleteRequest(id=created.id, urn=URN, properties=updated.properties)
        )
        assert fleet.backend.api_call_count() == calls

    def test_state_without_clients_json_is_rewritten(
        self, provider: provider_pb2_grpc.ResourceProviderStub
    ) -> None:
        """A state whose clients are not yet one JSON document previews as an update."""
        news = _news(client_type="ECS_CLIENT")
        check = provider.Check(provider_pb2.CheckRequest(urn=URN, olds=_struct({}), news=news))
        created = provider.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs))
        old_form = _dict(created.properties)
        old_form["clients"] = json.loads(old_form.pop("clients_json"))

        diff = provider.Diff(
            provider_pb2.DiffRequest(
                id=created.id, urn=URN, olds=_struct(old_form), news=check.inputs
            )
        )
        assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME

    def test_check_outage_is_a_readable_failure(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """An API error during Check comes back as a failure naming the code, not a traceback."""
        fleet.backend.set_faults(Faults(fail_next=(("Forbidden.RAM", 403),)))
        response = provider.Check(
            provider_pb2.CheckRequest(
                urn=URN, olds=_struct({}), news=_news(client_type="ECS_CLIENT")
            )
        )
        assert [f.property for f in response.failures] == [""]
        reason = response.failures[0].reason
        assert "Forbidden.RAM" in reason
        assert "HTTP 403" in reason
        assert "Traceback" not in reason


class TestStatesWrittenBy010:
    """A state written by 0.1.0 names the provider by its old address and still works."""

    def test_fixture_names_the_old_address(self) -> None:
        """The captured 0.1.0 pickle refers to ``hbr_clients_provider.dynamic``, by reference."""
        pickled = base64.b64decode(PROVIDER_0_1_0)
        assert b"hbr_clients_provider.dynamic\x94" in pickled
        assert b"adapters" not in pickled
        assert len(pickled) < 100

    def test_refresh_and_destroy_of_a_010_state(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """The dynamic-provider server loads the 0.1.0 provider to create, refresh and delete."""
        news = _struct({"__provider": PROVIDER_0_1_0, "client_type": "ECS_CLIENT"})
        check = provider.Check(provider_pb2.CheckRequest(urn=URN, olds=_struct({}), news=news))
        assert list(check.failures) == []
        created = provider.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs))
        assert _dict(created.properties)["__provider"] == PROVIDER_0_1_0

        expected = [
            c["ClientId"] for c in fleet.backend.clients() if c["ClientType"] == "ECS_CLIENT"
        ]
        read = provider.Read(
            provider_pb2.ReadRequest(id=created.id, urn=URN, properties=created.properties)
        )
        assert _dict(read.properties)["client_ids"] == expected

        calls = fleet.backend.api_call_count()
        provider.Delete(
            provider_pb2.DeleteRequest(id=created.id, urn=URN, properties=read.properties)
        )
        assert fleet.backend.api_call_count() == calls
