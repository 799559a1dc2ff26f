"""``pulumi-resource-hbr``: the ``hbr`` provider plugin's gRPC server.

Which of the Python SDK's provider servers, and why neither as is:

* ``pulumi.provider.Provider`` (with ``pulumi.provider.main``) serves only ``Construct``,
  ``Call`` and ``Invoke``: component packages. A custom resource needs ``Check``, ``Diff``,
  ``Create``, ``Read``, ``Update`` and ``Delete``, which it answers with UNIMPLEMENTED.
* ``pulumi.provider.experimental`` has the whole lifecycle and, in ``PropertyValue``, a
  faithful model of the wire (secrets, unknowns, dependencies). But its
  ``ProviderServicer`` appends a Python traceback to the message of every error (an API
  error during ``pulumi refresh`` would print one), and its ``DiffRequest`` drops the old
  inputs that diff needs.

So this module serves ``ResourceProvider`` itself, with the SDK's generated stubs
(``pulumi.runtime.proto.provider_pb2_grpc``) and ``PropertyValue`` for the values; each RPC
is a thin adapter onto :class:`~.provider.HbrProvider`. Errors reach the engine as one
readable gRPC status message, never a traceback. The listing runs on a worker thread, so
a slow page never blocks ``Cancel`` or ``GetPluginInfo``.

The engine starts the plugin as ``pulumi-resource-hbr <engine-address>`` and reads the port
it listens on from its first line of output. The plugin exits when the process that started it
is gone, or when the engine stops answering its health check, as the official providers do: a
``pulumi`` killed before it could stop its plugins must not leave one serving for ever (a CI
job waiting on its processes would hang).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import sys
from collections.abc import Awaitable, Callable
from importlib import metadata
from typing import Any, TypeVar

import grpc
from google.protobuf import empty_pb2  # type: ignore[import-untyped]
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import CheckFailure
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from hbr_clients_provider.adapters.lifecycle import changed_inputs
from hbr_clients_provider.adapters.plugin.provider import HbrProvider, Properties
from hbr_clients_provider.errors import HbrError

__all__ = ["HbrServicer", "main", "plugin_version"]

_Response = TypeVar("_Response")
_Handler = Callable[[Any, Any, Any], Awaitable[_Response]]

#: Large fleets make large responses; the engine's own limit is 400 MiB.
_MAX_MESSAGE_BYTES = 400 * 1024 * 1024
#: How often the plugin looks for the process that started it, and asks the engine.
_PARENT_POLL_S = 1.0
_ENGINE_CHECK_S = 60.0


def plugin_version() -> str:
    """The version of this distribution, which is the plugin's and the schema's."""
    try:
        return metadata.version("pulumi-hbr-clients")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _rpc(handler: _Handler[_Response]) -> _Handler[_Response]:
    """Turn an error into one readable gRPC status: the message, never a traceback."""

    @functools.wraps(handler)
    async def wrapper(self: Any, request: Any, context: Any) -> _Response:
        try:
            return await handler(self, request, context)
        except (HbrError, ValueError) as error:
            await context.abort(grpc.StatusCode.UNKNOWN, str(error))
        except Exception as error:  # whatever it is, the user gets one line, no traceback
            message = f"hbr provider: unexpected {type(error).__name__}: {error}"
            await context.abort(grpc.StatusCode.INTERNAL, message)
        raise AssertionError  # context.abort always raises  # pragma: no cover

    return wrapper


def _props(struct: Any) -> Properties:
    return PropertyValue.unmarshal_map(struct)


def _struct(props: Properties) -> Any:
    return PropertyValue.marshal_map(props)


def _failures(failures: list[CheckFailure]) -> list[provider_pb2.CheckFailure]:
    return [provider_pb2.CheckFailure(property=f.property, reason=f.reason) for f in failures]


def _diff(changed: list[str]) -> provider_pb2.DiffResponse:
    none, some = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME
    return provider_pb2.DiffResponse(
        changes=some if changed else none,
        diffs=changed,
        detailedDiff={
            name: provider_pb2.PropertyDiff(kind=provider_pb2.PropertyDiff.UPDATE)
            for name in changed
        },
        hasDetailedDiff=True,
    )


class HbrServicer(provider_pb2_grpc.ResourceProviderServicer):
    """``ResourceProvider`` over :class:`HbrProvider`; unlisted RPCs are UNIMPLEMENTED."""

    def __init__(self, provider: HbrProvider) -> None:
        self.provider = provider

    async def GetPluginInfo(self, _request: Any, _context: Any) -> plugin_pb2.PluginInfo:  # noqa: N802
        """The plugin's version."""
        return plugin_pb2.PluginInfo(version=self.provider.version)

    @_rpc
    async def GetSchema(  # noqa: N802
        self, _request: Any, _context: Any
    ) -> provider_pb2.GetSchemaResponse:
        """The package schema, generated from the models."""
        return provider_pb2.GetSchemaResponse(schema=self.provider.schema)

    @_rpc
    async def CheckConfig(  # noqa: N802
        self, request: Any, _context: Any
    ) -> provider_pb2.CheckResponse:
        """Check the ``hbr:*`` config."""
        failures = self.provider.check_config(_props(request.news), request.urn)
        return provider_pb2.CheckResponse(inputs=request.news, failures=_failures(failures))

    @_rpc
    async def DiffConfig(  # noqa: N802
        self, request: Any, _context: Any
    ) -> provider_pb2.DiffResponse:
        """A config change changes no lookup by itself: the next diff lists afresh."""
        olds, news = _props(request.old_inputs or request.olds), _props(request.news)
        return _diff(changed_inputs(olds, news))

    @_rpc
    async def Configure(  # noqa: N802
        self, request: Any, _context: Any
    ) -> provider_pb2.ConfigureResponse:
        """Keep the connection options; secrets and previews are supported."""
        self.provider.configure(_props(request.args), dict(request.variables), request.urn)
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True)

    @_rpc
    async def Invoke(self, request: Any, _context: Any) -> provider_pb2.InvokeResponse:  # noqa: N802
        """Run a function; invalid arguments come back as failures naming each field."""
        result, failures = await asyncio.to_thread(
            self.provider.invoke, request.tok, _props(request.args)
        )
        response = provider_pb2.InvokeResponse(failures=_failures(failures))
        if result is not None:
            getattr(response, "return").CopyFrom(_struct(result))
        return response

    @_rpc
    async def Check(self, request: Any, _context: Any) -> provider_pb2.CheckResponse:  # noqa: N802
        """Validate the resource's inputs (and list once when all are known)."""
        failures = await asyncio.to_thread(self.provider.check, _props(request.news))
        return provider_pb2.CheckResponse(inputs=request.news, failures=_failures(failures))

    @_rpc
    async def Diff(self, request: Any, _context: Any) -> provider_pb2.DiffResponse:  # noqa: N802
        """Report what changed: inputs, or the fleet."""
        olds = _props(request.olds)
        # An engine that does not send the old inputs: the state's are compared as unchanged.
        old_inputs = _props(request.old_inputs) if request.old_inputs.fields else None
        news = _props(request.news)
        changed = await asyncio.to_thread(
            self.provider.diff, request.id, olds, news if old_inputs is None else old_inputs, news
        )
        return _diff(changed)

    @_rpc
    async def Create(self, request: Any, _context: Any) -> provider_pb2.CreateResponse:  # noqa: N802
        """List the fleet; outputs are known in a preview too, when the inputs are."""
        resource_id, outputs = await asyncio.to_thread(
            self.provider.create, _props(request.properties)
        )
        return provider_pb2.CreateResponse(id=resource_id, properties=_struct(outputs))

    @_rpc
    async def Update(self, request: Any, _context: Any) -> provider_pb2.UpdateResponse:  # noqa: N802
        """List the fleet again."""
        outputs = await asyncio.to_thread(self.provider.update, _props(request.news))
        return provider_pb2.UpdateResponse(properties=_struct(outputs))

    @_rpc
    async def Read(self, request: Any, _context: Any) -> provider_pb2.ReadResponse:  # noqa: N802
        """List the fleet afresh, for ``pulumi refresh``; the inputs are kept."""
        outputs = await asyncio.to_thread(
            self.provider.read, request.id, _props(request.properties), _props(request.inputs)
        )
        return provider_pb2.ReadResponse(
            id=request.id, properties=_struct(outputs), inputs=request.inputs
        )

    async def Delete(self, _request: Any, _context: Any) -> empty_pb2.Empty:  # noqa: N802
        """Forget the lookup: a read-only lookup has nothing to delete, so no API is called."""
        return empty_pb2.Empty()

    async def Cancel(self, _request: Any, _context: Any) -> empty_pb2.Empty:  # noqa: N802
        """Nothing to stop: every listing is bounded by its own deadline."""
        return empty_pb2.Empty()


async def _engine_alive(address: str) -> bool:
    """Whether the engine answers its health check (one without the service counts as alive)."""
    async with grpc.aio.insecure_channel(address) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        try:
            await check(b"", timeout=10)
        except grpc.aio.AioRpcError as error:
            return bool(error.code() == grpc.StatusCode.UNIMPLEMENTED)
    return True


async def _until_orphaned(parent: int, engine: str | None) -> None:
    """Return once process ``parent`` has exited or the engine at ``engine`` stops answering."""
    waited = 0.0
    while True:
        await asyncio.sleep(_PARENT_POLL_S)
        if os.getppid() != parent:
            return
        waited += _PARENT_POLL_S
        if engine and waited >= _ENGINE_CHECK_S:
            waited = 0.0
            if not await _engine_alive(engine):
                return


async def _serve(provider: HbrProvider, *, parent: int, engine: str | None) -> bool:
    """Serve until the engine stops the plugin (False) or the plugin is orphaned (True)."""
    options = [
        ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
    ]
    server = grpc.aio.server(options=options)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(HbrServicer(provider), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    serving = asyncio.create_task(server.wait_for_termination())
    orphaned = asyncio.create_task(_until_orphaned(parent, engine))
    await asyncio.wait({serving, orphaned}, return_when=asyncio.FIRST_COMPLETED)
    return orphaned.done()


def main(argv: list[str] | None = None) -> None:
    """Serve the plugin until the engine stops it; print the port first."""
    parser = argparse.ArgumentParser(
        prog="pulumi-resource-hbr", description="The hbr Pulumi provider plugin (gRPC)."
    )
    parser.add_argument("engine", nargs="?", help="the engine's address (its health is checked)")
    parser.add_argument("--logflow", action="store_true", help="ignored")
    parser.add_argument("--logtostderr", action="store_true", help="ignored")
    parser.add_argument("-v", type=int, default=0, help="ignored")
    parser.add_argument("--tracing", default=None, help="ignored")
    parent = os.getppid()
    arguments, _ = parser.parse_known_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        provider = HbrProvider(version=plugin_version())
        if asyncio.run(_serve(provider, parent=parent, engine=arguments.engine)):
            # Nobody is left to answer: exit now, not after a listing still in flight.
            sys.stdout.flush()
            os._exit(0)
