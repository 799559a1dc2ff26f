"""The HTTP/1.1 layer: aiohttp reads every framing, :func:`~hbr_emulator.urls.dispatch` answers.

aiohttp's server (llhttp underneath) parses the request line, headers and body in any framing
RFC 9112 allows (``Content-Length``, ``chunked`` with or without trailers, keep-alive,
pipelining) and answers a malformed request with ``HTTP/1.1 400``. This module only turns
its request into a :class:`~hbr_emulator.messages.Request`, and a
:class:`~hbr_emulator.messages.Reply` back into a response: after its delay (asynchronous, so
other connections go on), or as a reset connection.

The event loop runs in a background thread, so :meth:`EmulatorServer.start` and
:meth:`EmulatorServer.stop` are plain synchronous calls.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger, AbstractStreamWriter
from aiohttp.http import HttpVersion11, RawRequestMessage
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import ERROR, RequestHandler

from hbr_emulator.api import new_request_id
from hbr_emulator.cloud import Cloud
from hbr_emulator.exceptions import InternalError, render_error
from hbr_emulator.messages import Reply, Request
from hbr_emulator.urls import dispatch

logger = logging.getLogger("hbr_emulator")

SERVER_NAME = "hbr-emulator"
"""The ``Server`` header of every reply."""

_BACKLOG = 128
_STOP_TIMEOUT_S = 5.0


class AccessLog(AbstractAccessLogger):
    """One debug line per answered request on the ``hbr_emulator`` logger.

    The query string is left out: requests signed the RPC way carry the access key
    and the security token there.
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Log the client, the request line, the status, the body size and the seconds taken."""
        major, minor = request.version
        self.logger.debug(
            '%s - "%s %s HTTP/%d.%d" %d %d %.4fs',
            request.remote,
            request.method,
            request.path,
            major,
            minor,
            response.status,
            response.body_length,
            time,
        )

    @property
    def enabled(self) -> bool:
        """Format nothing unless debug logging is on."""
        return self.logger.isEnabledFor(logging.DEBUG)


class ProtocolLog(logging.LoggerAdapter[logging.Logger]):
    """aiohttp's own messages, on the ``hbr_emulator`` logger.

    A request that does not parse is the client's error, already answered with a 400,
    so it is logged at debug; anything else aiohttp reports stays an error.
    """

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Log a protocol error of the client at debug, other failures at error."""
        if isinstance(kwargs.get("exc_info"), HttpProcessingError):
            self.debug(msg, *args, **kwargs)
        else:
            super().exception(msg, *args, **kwargs)


def make_request(
    message: RawRequestMessage,
    payload: StreamReader,
    protocol: RequestHandler,
    writer: AbstractStreamWriter,
    task: asyncio.Task[None],
) -> web.BaseRequest:
    """Build aiohttp's request; one that did not parse is answered as ``HTTP/1.1``.

    aiohttp stands an unparsable request in with an HTTP/1.0 placeholder, so its 400
    would start ``HTTP/1.0``; RFC 9112 has a server answer in the highest version it
    speaks, and from HTTP/1.1 aiohttp also sends ``Connection: close``.
    """
    if message is ERROR:
        message = message._replace(version=HttpVersion11)
    return web.BaseRequest(message, payload, protocol, writer, task, asyncio.get_running_loop())


def _bind(address: tuple[str, int]) -> socket.socket:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As http.server does: a restarted emulator can take its port back at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(_BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def to_request(http_request: web.BaseRequest, body: bytes) -> Request:
    """Return the :class:`Request` of an aiohttp request whose body is ``body``.

    The path and query are the raw target's, undecoded, as the client signed them.
    """
    target = urlsplit(http_request.raw_path)
    headers: dict[str, list[str]] = {}
    for name, value in http_request.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return Request(
        method=http_request.method,
        path=target.path or "/",
        query=parse_qsl(target.query, keep_blank_values=True),
        headers=headers,
        body=body,
        client_host=http_request.remote or "",
    )


def to_response(reply: Reply) -> web.Response:
    """Return the aiohttp response that carries ``reply``."""
    headers = {"Server": SERVER_NAME, "Content-Type": reply.content_type}
    response = web.Response(status=reply.status, body=reply.body, headers=headers)
    for name, value in reply.headers:
        response.headers.add(name, value)
    return response


def reset(http_request: web.BaseRequest) -> None:
    """End the request's connection with a TCP RST and no response."""
    transport = http_request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # SO_LINGER with a zero timeout makes close() send RST: the client sees its
        # connection reset with no response, as behind a failing load balancer.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class EmulatorServer:
    """Serves a cloud over HTTP/1.1 from an event loop in a background thread.

    The port is bound by the constructor (so a busy port raises :class:`OSError` there);
    :meth:`start` serves, :meth:`stop` ends every connection and releases the port.
    """

    def __init__(self, address: tuple[str, int], cloud: Cloud) -> None:
        """Bind to ``address`` (port 0 picks a free port; a ``:`` in the host means IPv6)."""
        self.cloud = cloud
        self._socket = _bind(address)
        self.server_address: tuple[Any, ...] = self._socket.getsockname()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.ServerRunner | None = None

    async def answer(self, http_request: web.BaseRequest) -> web.StreamResponse:
        """Read the whole body, dispatch, wait out the reply's delay, then send or reset."""
        body = await http_request.read()
        request = to_request(http_request, body)
        try:
            # Dispatch is in-memory and fast: running it inline is quicker than a thread
            # hand-off, and only the injected delay (awaited below) takes long.
            reply = dispatch(self.cloud, request)
        except Exception:
            logger.exception("unexpected failure answering %s %s", request.method, request.path)
            reply = Reply(status=500, body=render_error(InternalError(), new_request_id()))
        if reply.delay_s > 0:
            await asyncio.sleep(reply.delay_s)
        if reply.reset:
            reset(http_request)
        # After a reset aiohttp finds the transport closed and writes nothing.
        return to_response(reply)

    def start(self) -> None:
        """Serve in a background thread; return once connections are accepted."""
        if self._thread is not None:
            return
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=loop.run_forever, name=f"hbr-emulator-{self.server_address[1]}", daemon=True
        )
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=_STOP_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise

    async def _open(self) -> None:
        server = web.Server(
            self.answer,
            request_factory=make_request,
            # A client that leaves stops its handler, e.g. during an injected delay.
            handler_cancellation=True,
            access_log_class=AccessLog,
            access_log=logger,
            logger=ProtocolLog(logger, {}),
            # The body reaches the signature check as it was sent (and signed).
            auto_decompress=False,
        )
        self._runner = web.ServerRunner(server, shutdown_timeout=_STOP_TIMEOUT_S)
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket, backlog=_BACKLOG).start()

    def close_all(self) -> None:
        """End every open connection now (idle keep-alive ones and those mid-request)."""
        if self._loop is not None and self._loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self._abort_all(), self._loop)
            future.result(timeout=_STOP_TIMEOUT_S)

    async def _abort_all(self) -> None:
        server = self._runner.server if self._runner is not None else None
        for handler in server.connections if server is not None else ():
            if handler.transport is not None:
                handler.transport.abort()

    async def _close(self) -> None:
        runner = self._runner
        if runner is None:
            return
        for site in list(runner.sites):
            await site.stop()
        await self._abort_all()
        await runner.cleanup()
        self._runner = None

    def stop(self) -> None:
        """Stop accepting, end every open connection, release the port and the thread."""
        loop, thread = self._loop, self._thread
        try:
            if loop is not None and thread is not None:
                future = asyncio.run_coroutine_threadsafe(self._close(), loop)
                future.result(timeout=_STOP_TIMEOUT_S)
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=_STOP_TIMEOUT_S)
                loop.close()
        finally:
            self._socket.close()
            self._loop = self._thread = None
