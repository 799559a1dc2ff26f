"""What every language host of this build answers alike: its errors, and the RPCs it lacks.

The Python, Node.js and Go hosts share these: a :class:`~language_host.options.HostError`
raised by an RPC becomes that RPC's failure with the error's message (the engine prints it),
and an RPC a host does not implement answers ``UNIMPLEMENTED`` naming itself and the host.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import grpc

from language_host.options import HostError

__all__ = ["declare_unimplemented", "reports_errors", "reports_stream_errors"]

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
