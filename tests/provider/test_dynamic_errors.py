"""Errors of every dynamic-provider call reach the engine as one paragraph, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from hbr_clients_provider.adapters.boundary import ProviderError, user_message
from hbr_clients_provider.adapters.dynamic import BackupClientsProvider
from hbr_clients_provider.errors import ApiError
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Faults
from tests.provider.test_dynamic_protocol import URN, _news, _struct

#: Runs ``python -m pulumi.dynamic`` with the listing replaced by one that fails as a buggy
#: dependency would (a ``KeyError``), to show what an unexpected exception becomes.
_BROKEN_LISTING = """
import runpy
import hbr_clients_provider.adapters.lifecycle as lifecycle

def broken(*_args, **_kwargs):
    raise KeyError("Clients")

lifecycle.list_clients = broken
runpy.run_module("pulumi.dynamic", run_name="__main__")
"""


def _details(call: Callable[[], object]) -> str:
    """The gRPC status message of a call that must fail."""
    with pytest.raises(grpc.RpcError) as failed:
        call()
    details: str = failed.value.details()
    return details


def _assert_one_paragraph(message: str) -> None:
    assert "Traceback" not in message
    assert 'File "' not in message
    assert "\n" not in message


def _created(
    stub: provider_pb2_grpc.ResourceProviderStub,
) -> tuple[provider_pb2.CheckResponse, provider_pb2.CreateResponse]:
    news = _news(client_type="ECS_CLIENT")
    check = stub.Check(provider_pb2.CheckRequest(urn=URN, olds=_struct({}), news=news))
    return check, stub.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs))


@pytest.fixture
def broken_provider(fleet: Emulator) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """The dynamic-provider server whose listing raises ``KeyError('Clients')``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "HBR_"))}
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", _BROKEN_LISTING], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert process.stdout is not None
        channel = grpc.insecure_channel(f"127.0.0.1:{int(process.stdout.readline())}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        config = {
            "hbr:endpoint": fleet.endpoint,
            "hbr:protocol": "http",
            "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
            "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
        }
        stub.Configure(provider_pb2.ConfigureRequest(args=_struct(config)))
        yield stub
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


class TestApiErrorsOverTheWire:
    """An API error met by Read, Create, Update or Diff is the message check would give."""

    def test_read_api_error_is_the_one_paragraph_of_check(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """A refresh meeting Forbidden.RAM fails with its code and request ID, no frames."""
        _, created = _created(provider)
        fleet.backend.set_faults(Faults(fail_next=(("Forbidden.RAM", 403),)))
        message = _details(
            lambda: provider.Read(
                provider_pb2.ReadRequest(id=created.id, urn=URN, properties=created.properties)
            )
        )
        _assert_one_paragraph(message)
        assert message.startswith("DescribeBackupClients failed: Forbidden.RAM (HTTP 403")
        assert "request id" in message

    def test_create_update_and_diff_api_errors_are_one_paragraph(
        self, provider: provider_pb2_grpc.ResourceProviderStub, fleet: Emulator
    ) -> None:
        """Create, Update and Diff that must list meet the error and report it cleanly."""
        check, created = _created(provider)
        fleet.backend.set_faults(Faults(fail_next=(("Forbidden.RAM", 403),) * 3))
        calls = [
            lambda: provider.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs)),
            lambda: provider.Update(
                provider_pb2.UpdateRequest(
                    id=created.id, urn=URN, olds=created.properties, news=check.inputs
                )
            ),
            lambda: provider.Diff(
                provider_pb2.DiffRequest(
                    id=created.id, urn=URN, olds=created.properties, news=check.inputs
                )
            ),
        ]
        for call in calls:
            message = _details(call)
            _assert_one_paragraph(message)
            assert "Forbidden.RAM (HTTP 403" in message


class TestUnexpectedErrors:
    """An exception that is no error of this package is named as unexpected, on one line."""

    def test_unexpected_exception_in_read_and_check(
        self, broken_provider: provider_pb2_grpc.ResourceProviderStub
    ) -> None:
        """A dependency's KeyError reaches Read as one paragraph and Check as a failure."""
        check = broken_provider.Check(
            provider_pb2.CheckRequest(
                urn=URN, olds=_struct({}), news=_news(client_type="ECS_CLIENT")
            )
        )
        assert len(check.failures) == 1
        reason = check.failures[0].reason
        _assert_one_paragraph(reason)
        assert reason.startswith("unexpected KeyError: 'Clients'.")

        state = _news(query={"client_type": "ECS_CLIENT"})
        message = _details(
            lambda: broken_provider.Read(
                provider_pb2.ReadRequest(id="hbr-clients-x", urn=URN, properties=state)
            )
        )
        _assert_one_paragraph(message)
        assert message.startswith("unexpected KeyError: 'Clients'.")
        assert "report it" in message

    def test_in_process_call_raises_the_message(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Called outside a gRPC server, a failing read raises ProviderError with the message."""
        error = ApiError(code="Throttling.User", message="slow down", request_id="REQ-1")

        def throttled(*_args: object, **_kwargs: object) -> None:
            raise error

        monkeypatch.setattr("hbr_clients_provider.adapters.lifecycle.list_clients", throttled)
        monkeypatch.setenv("HBR_ENDPOINT", "127.0.0.1:9")
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
        with pytest.raises(ProviderError) as raised:
            BackupClientsProvider().read("hbr-clients-x", {"query": {"client_type": "ECS_CLIENT"}})
        assert str(raised.value) == user_message(error)
        assert "REQ-1" in str(raised.value)
