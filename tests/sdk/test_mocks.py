"""The SDK's wiring, checked with Pulumi's mocks (no engine), and its lookups on the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider

import pulumi_hbr_clients as hbr
from hbr_clients_provider.adapters.dynamic import BackupClientsProvider
from hbr_emulator import Emulator


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers every resource with canned outputs and records what was registered."""

    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Echo the inputs and add the lookup's outputs."""
        self.registered.append(args)
        outputs = {
            **args.inputs,
            "client_ids": ["c-1", "c-2"],
            "instance_ids": ["i-1", "i-2"],
            "total_count": 2,
            "instance_client_map": {"i-1": "c-1", "i-2": "c-2"},
            "clients_json": '[{"client_id":"c-1","settings":{"use_https":true}},'
            '{"client_id":"c-2","settings":{"use_https":false}}]',
        }
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        """No provider functions are called by this SDK."""
        return {}, []


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    """Pulumi mocks installed for one test."""
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    yield recording
    pulumi.runtime.settings.reset_options()


def _resolve(output: pulumi.Output[Any]) -> Any:
    box: dict[str, Any] = {}
    output.apply(lambda value: box.setdefault("value", value))
    return box


class TestBackupClientsWiring:
    """The resource registers the right type, inputs and options."""

    @pulumi.runtime.test
    def test_register_inputs_and_type(self, mocks: RecordingMocks) -> Any:
        """Inputs, including Outputs of other resources, reach the registration."""
        first = hbr.BackupClients("first", client_type="ECS_CLIENT", statuses=["ACTIVATED"])
        second = hbr.BackupClients(
            "second", client_type="ECS_CLIENT", instance_ids=first.instance_ids
        )

        def check(values: list[Any]) -> None:
            client_ids, instance_ids = values
            assert client_ids == ["c-1", "c-2"]
            assert instance_ids == ["i-1", "i-2"]
            registered = {a.name: a for a in mocks.registered}
            assert registered["first"].typ == "pulumi-python:dynamic/hbr:BackupClients"
            assert registered["first"].inputs["statuses"] == ["ACTIVATED"]
            assert registered["second"].inputs["instance_ids"] == ["i-1", "i-2"]
            assert "__provider" in registered["second"].inputs

        return pulumi.Output.all(second.client_ids, second.instance_ids).apply(check)

    @pulumi.runtime.test
    def test_clients_decodes_the_state_document(self, mocks: RecordingMocks) -> Any:
        """``clients`` is the state's ``clients_json`` as a typed list of dicts."""
        del mocks
        lookup = hbr.BackupClients("lookup", client_type="ECS_CLIENT")

        def check(clients: list[dict[str, Any]]) -> None:
            assert clients == [
                {"client_id": "c-1", "settings": {"use_https": True}},
                {"client_id": "c-2", "settings": {"use_https": False}},
            ]

        return lookup.clients.apply(check)

    def test_provider_pickles_by_reference_under_200_bytes(self) -> None:
        """The serialized provider names its class and carries no state."""
        blob = serialize_provider(BackupClientsProvider())
        assert len(blob) < 200


class TestLookups:
    """get_backup_clients and get_backup_clients_output on the emulator."""

    def test_get_backup_clients_typed_result(self, emulator_env: Emulator) -> None:
        """The lookup returns typed clients matching the emulator's fleet."""
        result = hbr.get_backup_clients(client_type="CONTAINER_CLIENT")
        expected = [
            c["ClientId"]
            for c in emulator_env.backend.clients()
            if c["ClientType"] == "CONTAINER_CLIENT"
        ]
        assert list(result.client_ids) == expected
        assert result.total_count == len(expected)
        assert all(isinstance(c, hbr.BackupClient) for c in result.clients)

    def test_get_backup_clients_invalid_input_sends_nothing(self, emulator_env: Emulator) -> None:
        """Invalid input raises a RunError naming the fields, before any request."""
        with pytest.raises(hbr.BackupClientsLookupError) as caught:
            hbr.get_backup_clients(client_type="ECS_CLIENT", tags={"acs:x": "y"}, protocol="ftp")
        assert "tags[0].key" in str(caught.value)
        assert emulator_env.backend.api_call_count() == 0

    @pulumi.runtime.test
    def test_output_identical_queries_sent_once(
        self, mocks: RecordingMocks, emulator_env: Emulator
    ) -> Any:
        """Two identical lookups in one program run list the fleet once."""
        one = hbr.get_backup_clients_output(client_type="ECS_CLIENT", statuses=["ACTIVATED"])
        two = hbr.get_backup_clients_output(client_type="ECS_CLIENT", statuses=["ACTIVATED"])

        def check(results: list[hbr.GetBackupClientsResult]) -> None:
            assert results[0] == results[1]
            pages = -(-results[0].api_total_count // 99)
            assert emulator_env.backend.api_call_count() == max(pages, 1)

        return pulumi.Output.all(one, two).apply(check)

    @pulumi.runtime.test
    def test_output_feeds_second_lookup(self, mocks: RecordingMocks, emulator_env: Emulator) -> Any:
        """An output of one lookup drives another."""
        activated = hbr.get_backup_clients_output(client_type="ECS_CLIENT", statuses=["ACTIVATED"])
        again = hbr.get_backup_clients_output(
            client_type="ECS_CLIENT", client_ids=activated.apply(lambda r: list(r.client_ids))
        )

        def check(results: list[hbr.GetBackupClientsResult]) -> None:
            assert results[1].client_ids == results[0].client_ids

        return pulumi.Output.all(activated, again).apply(check)
