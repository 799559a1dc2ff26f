"""What every language host of this build answers alike: its errors, and the RPCs it lacks.

The Python, Node.js and Go hosts share these: a :class:`~language_host.options.HostError`
raised by an RPC becomes that RPC's failure with the error's message (the engine prints it),
an RPC a host does not implement answers ``UNIMPLEMENTED`` naming itself and the host, and
``RunPlugin`` streams its plugin's output the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import grpc
from pulumi.runtime.proto import language_pb2

from language_host.options import HostError
from language_host.processes import StreamedProcess

__all__ = [
    "declare_unimplemented",
    "reports_errors",
    "reports_stream_errors",
    "stream_plugin",
]

_Response = TypeVar("_Response")


def reports_errors(method: Callable[..., _Response]) -> Callable[..., _Response]:
    """Answer a :class:`HostError` as the RPC's failure, with the error's message."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: Any) -> _Response:
        try:
            return method(self, request, context)
        except HostError as exc:
            context.abort(grpc.StatusCode.UNKNOWN, str(exc))
            raise  # abort raises; this line is never reached

    return wrapper


def reports_stream_errors(
    method: Callable[..., Iterator[_Response]],
) -> Callable[..., Iterator[_Response]]:
    """Like :func:`reports_errors`, for a server-streaming RPC."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: Any) -> Iterator[_Response]:
        try:
            yield from method(self, request, context)
        except HostError as exc:
            context.abort(grpc.StatusCode.UNKNOWN, str(exc))

    return wrapper


def _unimplemented(name: str, host: str) -> Callable[..., Any]:
    def method(self: Any, request: Any, context: Any) -> Any:
        context.abort(
            grpc.StatusCode.UNIMPLEMENTED,
            f"LanguageRuntime.{name} is not implemented by this build's {host} "
            "(pulumi-hbr-clients' offline host); install the Pulumi CLI "
            "(https://www.pulumi.com/docs/install/) for it",
        )

    method.__name__ = name
    method.__doc__ = f"``{name}``: answered ``UNIMPLEMENTED`` with a message naming the RPC."
    return method


def declare_unimplemented(servicer: type, names: Iterable[str], *, host: str) -> None:
    """Make each RPC of ``names`` on ``servicer`` answer ``UNIMPLEMENTED``, naming ``host``."""
    for name in names:
        setattr(servicer, name, _unimplemented(name, host))


def stream_plugin(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, context: Any
) -> Generator[language_pb2.RunPluginResponse, None, int | None]:
    """Run a plugin program, yielding its output as ``RunPluginResponse`` s; its exit status.

    The process is killed when the engine ends the call (it cancels ``RunPlugin`` once the
    plugin is no longer needed) or the stream is closed; the caller turns the status into
    the answer its host gives.

    :raises HostError: the program could not be started.
    """
    try:
        process = StreamedProcess(list(argv), env=dict(env), cwd=cwd)
    except OSError as exc:
        msg = f"problem executing plugin program (could not run language executor): {exc}"
        raise HostError(msg) from exc
    context.add_callback(process.kill)
    try:
        for chunk in process.chunks():
            if chunk.stream == "stdout":
                yield language_pb2.RunPluginResponse(stdout=chunk.data)
            else:
                yield language_pb2.RunPluginResponse(stderr=chunk.data)
    finally:
        process.kill()
    return process.returncode
