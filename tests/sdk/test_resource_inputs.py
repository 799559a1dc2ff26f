"""BackupClients refuses a None inside a map or list before serialisation would drop it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

import pulumi_hbr_clients as hbr
from tests.sdk.test_mocks import RecordingMocks


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    """Pulumi mocks installed for one test."""
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=True)
    yield recording
    pulumi.runtime.settings.reset_options()
    # A failed resource leaves its other output futures holding the error, and asyncio logs
    # each ("Future exception was never retrieved") when it is collected. Collected here, in
    # the test's teardown, the log stays in the test's capture instead of reaching the output
    # of the whole run some tests later.
    gc.collect()


class TestNoneInsideInputs:
    """Each None inside a map or list is an error naming its path; nothing is registered."""

    @pytest.mark.parametrize(
        ("inputs", "paths"),
        [
            ({"tags": {"env": None}}, ("tags.env",)),
            ({"client_ids": ["c-1", "c-2", None]}, ("client_ids[2]",)),
            ({"filters": {"a": ["x", None]}}, ("filters.a[1]",)),
            (
                {"tags": {"a": None, "b": None}, "statuses": [None]},
                ("tags.a", "tags.b", "statuses[0]"),
            ),
        ],
    )
    def test_known_none_is_refused_at_construction(
        self, mocks: RecordingMocks, inputs: dict[str, Any], paths: tuple[str, ...]
    ) -> None:
        """A None known when the resource is declared raises before anything is sent."""
        with pytest.raises(hbr.BackupClientsInputError) as raised:
            hbr.BackupClients("x", client_type="ECS_CLIENT", **inputs)
        assert raised.value.paths == paths
        assert isinstance(raised.value, pulumi.RunError)
        assert f"BackupClients 'x': {', '.join(paths)}: must not be None" in str(raised.value)
        assert mocks.registered == []

    def test_none_inside_an_output_is_refused_when_it_resolves(self, mocks: RecordingMocks) -> None:
        """tags from an Output holding {"env": None} fails the resource; it is never registered."""

        @pulumi.runtime.test
        def declare() -> pulumi.Output[Any]:
            tags = pulumi.Output.from_input({"env": None})
            return hbr.BackupClients("x", client_type="ECS_CLIENT", tags=tags).client_ids

        with pytest.raises(hbr.BackupClientsInputError) as raised:
            declare()
        assert raised.value.paths == ("tags.env",)
        assert mocks.registered == []

    def test_inputs_without_none_are_sent_as_given(self, mocks: RecordingMocks) -> None:
        """Valid nested inputs, plain or as Outputs, reach the engine unchanged."""

        @pulumi.runtime.test
        def declare() -> pulumi.Output[Any]:
            env = pulumi.Output.from_input("prod")
            return hbr.BackupClients(
                "x", client_type="ECS_CLIENT", tags={"env": env}, client_ids=["c-1"]
            ).client_ids

        declare()
        assert [r.inputs.get("tags") for r in mocks.registered] == [{"env": "prod"}]
        assert mocks.registered[0].inputs["client_ids"] == ["c-1"]
