"""What ``pulumi refresh`` learns from the provider: the refresh diff after a ``Read``."""

from __future__ import annotations

from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from hbr_emulator import Emulator
from tests.provider.test_dynamic_protocol import URN, _news, _struct


def _create(stub: provider_pb2_grpc.ResourceProviderStub) -> tuple[str, object, object]:
    news = _news(client_type="ECS_CLIENT")
    check = stub.Check(provider_pb2.CheckRequest(urn=URN, olds=_struct({}), news=news))
    created = stub.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs))
    return created.id, created.properties, check.inputs


def _refresh(
    stub: provider_pb2_grpc.ResourceProviderStub, id_: str, state: object, inputs: object
) -> tuple[object, int]:
    """Do what the engine's refresh step does: Read, then diff the read state against inputs."""
    read = stub.Read(provider_pb2.ReadRequest(id=id_, urn=URN, properties=state, inputs=inputs))
    diff = stub.Diff(provider_pb2.DiffRequest(id=id_, urn=URN, olds=read.properties, news=inputs))
    return read.properties, diff.changes


class TestRefreshDiff:
    """The diff that follows a Read reports whether the refresh found a changed fleet."""

    def test_refresh_of_changed_fleet_reports_changes(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """A removed client makes the refresh diff report changes, without listing again."""
        id_, state, inputs = _create(provider)
        fleet.backend.remove_client(fleet.backend.clients()[0]["ClientId"])
        before = fleet.backend.api_call_count()
        read = provider.Read(
            provider_pb2.ReadRequest(id=id_, urn=URN, properties=state, inputs=inputs)
        )
        after_read = fleet.backend.api_call_count()
        diff = provider.Diff(
            provider_pb2.DiffRequest(id=id_, urn=URN, olds=read.properties, news=inputs)
        )
        assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
        assert after_read > before
        assert fleet.backend.api_call_count() == after_read

    def test_refresh_of_unchanged_fleet_reports_none(
        self, provider: provider_pb2_grpc.ResourceProviderStub
    ) -> None:
        """An unchanged fleet makes the refresh diff report no changes."""
        id_, state, inputs = _create(provider)
        _, changes = _refresh(provider, id_, state, inputs)
        assert changes == provider_pb2.DiffResponse.DIFF_NONE

    def test_finding_is_used_once(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """After the refresh diff, a diff of the refreshed state against the same fleet is none."""
        id_, state, inputs = _create(provider)
        fleet.backend.remove_client(fleet.backend.clients()[0]["ClientId"])
        refreshed, changes = _refresh(provider, id_, state, inputs)
        assert changes == provider_pb2.DiffResponse.DIFF_SOME
        again = provider.Diff(
            provider_pb2.DiffRequest(id=id_, urn=URN, olds=refreshed, news=inputs)
        )
        assert again.changes == provider_pb2.DiffResponse.DIFF_NONE

    def test_finding_does_not_apply_to_other_outputs(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """A diff of the old state after a Read still compares it with the fleet."""
        id_, state, inputs = _create(provider)
        provider.Read(provider_pb2.ReadRequest(id=id_, urn=URN, properties=state, inputs=inputs))
        fleet.backend.remove_client(fleet.backend.clients()[0]["ClientId"])
        diff = provider.Diff(provider_pb2.DiffRequest(id=id_, urn=URN, olds=state, news=inputs))
        assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME

    def test_lookups_with_identical_inputs_each_report_their_refresh(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """Two lookups of the same query share an ID; both refresh diffs report the change."""
        first = _create(provider)
        second = _create(provider)
        assert first[0] == second[0]
        fleet.backend.remove_client(fleet.backend.clients()[0]["ClientId"])
        reads = [
            provider.Read(provider_pb2.ReadRequest(id=i, urn=URN, properties=st, inputs=inp))
            for i, st, inp in (first, second)
        ]
        diffs = [
            provider.Diff(
                provider_pb2.DiffRequest(id=i, urn=URN, olds=read.properties, news=inp)
            ).changes
            for (i, _, inp), read in zip((first, second), reads, strict=True)
        ]
        assert diffs == [provider_pb2.DiffResponse.DIFF_SOME] * 2
