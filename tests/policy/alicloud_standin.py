"""A stand-in ``alicloud`` resource provider plugin: the one mock, for what would reach the cloud.

The real ``pulumi-resource-alicloud`` binary cannot be had offline, and it would create real
cloud resources. This plugin takes its place on ``PATH`` (the engine prefers a plugin found
there): it answers the ``ResourceProvider`` RPCs a ``preview``/``up``/``destroy`` makes with
the inputs as outputs and a made-up ID, and appends every request to the JSON-lines file
named by ``ALICLOUD_STANDIN_RECORD`` (method, URN, type, properties), for the test to read.
Everything else in the run is real: the CLI, the language host, the pulumi-alicloud 4.0.0
Python SDK that builds the requests, the policy pack.

Run as ``python alicloud_standin.py ENGINE_ADDRESS``: it prints its port, as a plugin does.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

#: The pulumi-alicloud version the stand-in answers for (the SDK under test).
VERSION = "4.0.0"
RECORD_ENV = "ALICLOUD_STANDIN_RECORD"


class StandIn(provider_pb2_grpc.ResourceProviderServicer):
    """Inputs become outputs; every request is recorded."""

    def __init__(self, record: str | None) -> None:
        self._record = record
        self._lock = threading.Lock()
        self._count = 0

    def _log(self, method: str, request: Any, **props: struct_pb2.Struct) -> None:
        if not self._record:
            return
        urn = getattr(request, "urn", "")
        entry = {
            "method": method,
            "preview": bool(getattr(request, "preview", False)),
            "urn": urn,
            "type": urn.split("::")[2] if urn.count("::") >= 3 else "",
            **{k: json_format.MessageToDict(v) for k, v in props.items()},
        }
        with self._lock, Path(self._record).open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")

    def Handshake(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Accept secrets and resource references."""
        return provider_pb2.ProviderHandshakeResponse(accept_secrets=True, accept_resources=True)

    def GetPluginInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        """The version of pulumi-alicloud this stands for."""
        return plugin_pb2.PluginInfo(version=VERSION)

    def CheckConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        """The provider config as given."""
        self._log("CheckConfig", request, news=request.news)
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        """No provider config change ever replaces resources."""
        return provider_pb2.DiffResponse()

    def Configure(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Accept secrets and resource references."""
        self._log("Configure", request)
        return provider_pb2.ConfigureResponse(acceptSecrets=True, acceptResources=True)

    def Check(self, request: Any, context: Any) -> Any:  # noqa: N802
        """The inputs as given."""
        self._log("Check", request, news=request.news)
        return provider_pb2.CheckResponse(inputs=request.news)

    def Diff(self, request: Any, context: Any) -> Any:  # noqa: N802
        """An update when the inputs changed."""
        self._log("Diff", request, olds=request.olds, news=request.news)
        changed = request.olds != request.news
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME
            if changed
            else provider_pb2.DiffResponse.DIFF_NONE
        )

    def Create(self, request: Any, context: Any) -> Any:  # noqa: N802
        """A made-up ID (none in a preview, as a real provider); the inputs as the outputs."""
        self._log("Create", request, properties=request.properties)
        if request.preview:
            return provider_pb2.CreateResponse(properties=request.properties)
        with self._lock:
            self._count += 1
            number = self._count
        kind = request.urn.rsplit(":", 1)[-1].lower()
        return provider_pb2.CreateResponse(
            id=f"standin-{kind}-{number}", properties=request.properties
        )

    def Read(self, request: Any, context: Any) -> Any:  # noqa: N802
        """What the state holds."""
        self._log("Read", request, properties=request.properties)
        return provider_pb2.ReadResponse(
            id=request.id, properties=request.properties, inputs=request.inputs
        )

    def Update(self, request: Any, context: Any) -> Any:  # noqa: N802
        """The new inputs as the outputs."""
        self._log("Update", request, news=request.news)
        return provider_pb2.UpdateResponse(properties=request.news)

    def Delete(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Nothing to delete."""
        self._log("Delete", request, properties=request.properties)
        return empty_pb2.Empty()

    def Cancel(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Nothing runs long."""
        return empty_pb2.Empty()


def main() -> None:
    """Serve on a free port; print it for the engine."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(
        StandIn(os.environ.get(RECORD_ENV)), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
