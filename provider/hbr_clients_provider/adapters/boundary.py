"""Where the Pulumi engine meets what went wrong: one readable paragraph, never a traceback.

Every entry point of the dynamic provider (``check``, ``diff``, ``create``, ``read``,
``update``, ``delete``) runs inside :func:`engine_entry`, and the ``hbr`` plugin's gRPC
server words its errors with :func:`user_message`, so the same failure reads the same in
``pulumi preview``, ``pulumi refresh`` and ``pulumi up``:

* an error of this package (:class:`~hbr_clients_provider.errors.HbrError`) or a
  ``ValueError`` is its own message: ``DescribeBackupClients failed: InternalError (HTTP
  200, request id REQ-1): backend failure``;
* anything else is a bug here or in a dependency: ``unexpected KeyError: 'Clients' ...``,
  with what to do, on one line, its text made safe for a terminal.

Why the dynamic provider needs more than a ``try``: ``python -m pulumi.dynamic`` (the
engine's dynamic-provider process, ``pulumi/dynamic/__main__.py``) wraps ``Diff``,
``Create``, ``Read``, ``Update`` and ``Delete`` in ``_abort_with_traceback``, which answers
*any* exception with ``traceback.format_exc()`` as the gRPC status message, and the engine
prints that message: a refresh that met ``Success:false`` printed 40 lines of Python
frames. ``check()`` has a clean path (a :class:`~pulumi.dynamic.CheckFailure`), the others
do not. So on an error :func:`engine_entry` sets the status itself on the gRPC context of
the call (``context.set_code``/``set_details``, the documented way for a servicer to fail a
call without raising) and returns a placeholder result, which the engine never reads
because the call failed. The context is the ``context`` argument of the servicer method
that called the provider; when there is none (the provider called in-process, as in unit
tests), :class:`ProviderError` is raised with the same message.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import grpc
from pulumi.dynamic import CheckResult

from hbr_clients_provider.display import terminal_text
from hbr_clients_provider.errors import HbrError

__all__ = ["MAX_MESSAGE_CHARS", "ProviderError", "engine_entry", "user_message"]

#: A message longer than this (a dependency quoting a whole body) is cut, saying so.
MAX_MESSAGE_CHARS = 2000

#: How many frames above the provider method the servicer's ``context`` may be.
_CONTEXT_SEARCH_DEPTH = 4

_P = ParamSpec("_P")
_R = TypeVar("_R")
_Self = TypeVar("_Self")


class ProviderError(Exception):
    """A provider call failed outside a gRPC call; ``str()`` is the user's message."""


def _one_paragraph(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > MAX_MESSAGE_CHARS:
        flat = f"{flat[:MAX_MESSAGE_CHARS]}... ({len(flat) - MAX_MESSAGE_CHARS} more characters)"
    return flat


def user_message(error: BaseException) -> str:
    """The one paragraph a user reads for ``error``.

    This package's errors carry their own wording (code, request ID, what to do); anything
    else is named as unexpected, with what to do, and never shows a traceback.
    """
    if isinstance(error, HbrError | ValueError):
        return _one_paragraph(str(error))
    detail = terminal_text(str(error))
    return _one_paragraph(
        f"unexpected {type(error).__name__}: {detail}. This is a bug in pulumi-hbr-clients "
        "or a dependency, not in your program: run the command again, and if it fails the "
        "same way, report it with this message and `pulumi about`."
    )


def _servicer_context() -> grpc.ServicerContext | None:
    """The ``context`` of the gRPC servicer method this call came from, if any."""
    frame = inspect.currentframe()
    try:
        for _ in range(_CONTEXT_SEARCH_DEPTH + 3):  # this function, _fail and the wrapper
            if frame is None:
                return None
            context = frame.f_locals.get("context")
            if isinstance(context, grpc.ServicerContext):
                return context
            frame = frame.f_back
    finally:
        del frame  # a frame held in a local would keep every local of the stack alive
    return None


def engine_entry(
    placeholder: Callable[Concatenate[str, _P], _R],
) -> Callable[[Callable[Concatenate[_Self, _P], _R]], Callable[Concatenate[_Self, _P], _R]]:
    """Run a provider method so that whatever it raises reaches the engine as one paragraph.

    ``placeholder(message, *args)`` builds the result returned instead when the call failed:
    the engine never reads it, but the dynamic-provider process serialises it. For
    ``check``, the placeholder is the answer itself (a check failure carrying ``message``).
    """

    def decorate(
        method: Callable[Concatenate[_Self, _P], _R],
    ) -> Callable[Concatenate[_Self, _P], _R]:
        @functools.wraps(method)
        def wrapper(self: _Self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return method(self, *args, **kwargs)
            except Exception as error:  # every error becomes a message; none is a traceback
                message = user_message(error)
            return _fail(message, placeholder(message, *args, **kwargs))

        return wrapper

    return decorate


def _fail(message: str, placeholder: _R) -> _R:
    if isinstance(placeholder, CheckResult):
        return placeholder
    context = _servicer_context()
    if context is None:
        raise ProviderError(message)
    context.set_code(grpc.StatusCode.UNKNOWN)
    context.set_details(message)
    return placeholder
