"""What every language host of this build answers alike: its errors, and the RPCs it lacks.

The Python, Node.js and Go hosts share these: a :class:`~language_host.options.HostError`
raised by an RPC becomes that RPC's failure with the error's message (the engine prints it),
an RPC a host does not implement answers ``UNIMPLEMENTED`` naming itself and the host, and
``RunPlugin`` streams its plugin's output the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import grpc
from pulumi.runtime.proto import language_pb2

from language_host.options import HostError
from language_host.processes import Chunk, StreamedProcess

__all__ = [
    "as_responses",
    "declare_unimplemented",
    "reports_errors",
    "reports_stream_errors",
    "stream_plugin",
    "stream_process",
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


def stream_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None,
    context: Any,
    cannot_start: str,
) -> Generator[Chunk, None, int | None]:
    """Run ``argv`` for an RPC, yielding its output as it arrives; its exit status.

    The process is killed when the engine ends the call or the stream is closed.

    :raises HostError: ``"{cannot_start}: {error}"`` when the program could not be started.
    """
    try:
        process = StreamedProcess(list(argv), env=dict(env), cwd=cwd)
    except OSError as exc:
        msg = f"{cannot_start}: {exc}"
        raise HostError(msg) from exc
    context.add_callback(process.kill)
    try:
        yield from process.chunks()
    finally:
        process.kill()
    return process.returncode


def stream_plugin(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None, context: Any
) -> Generator[language_pb2.RunPluginResponse, None, int | None]:
    """Run a plugin program, yielding its output as ``RunPluginResponse`` s; its exit status.

    The engine cancels ``RunPlugin`` once the plugin is no longer needed, which kills it; the
    caller turns the status into the answer its host gives.

    :raises HostError: the program could not be started.
    """
    chunks = stream_process(
        argv,
        env=env,
        cwd=cwd,
        context=context,
        cannot_start="problem executing plugin program (could not run language executor)",
    )
    return (yield from as_responses(chunks, language_pb2.RunPluginResponse))


def as_responses(
    chunks: Generator[Chunk, None, int | None], response: Callable[..., _Response]
) -> Generator[_Response, None, int | None]:
    """Each chunk of :func:`stream_process` as a ``response(stdout=...)`` or ``(stderr=...)``;
    the process's exit status. Closing this stream closes ``chunks`` (which kills the process).
    """
    try:
        while True:
            try:
                chunk = next(chunks)
            except StopIteration as end:
                returncode: int | None = end.value
                return returncode
            yield response(**{chunk.stream: chunk.data})
    finally:
        chunks.close()
