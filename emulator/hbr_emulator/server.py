"""The HTTP/1.1 server: keep-alive, a thread per connection, one write per response."""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from hbr_emulator.exceptions import InternalError, render_error
from hbr_emulator.messages import Reply, Request
from hbr_emulator.models import HbrBackend
from hbr_emulator.responses import new_request_id
from hbr_emulator.urls import dispatch

logger = logging.getLogger("hbr_emulator")


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its backend and its open connections."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], backend: HbrBackend) -> None:
        """Bind to ``address`` (port 0 picks a free port) and serve ``backend``."""
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.backend = backend
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, RequestHandler)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        """Remember (or forget) an open connection, so that :meth:`close_all` can end it."""
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_all(self) -> None:
        """End every open keep-alive connection."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                logger.debug("connection already closed")


class RequestHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to :func:`~hbr_emulator.urls.dispatch`, writes the reply."""

    protocol_version = "HTTP/1.1"
    server_version = "hbr-emulator"
    sys_version = ""
    server: EmulatorHTTPServer

    def setup(self) -> None:
        """Disable Nagle (a reply is one write) and track the connection."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        """Forget the connection."""
        try:
            super().finish()
        finally:
            self.server.track(self.connection, open_=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Send the access log to the ``hbr_emulator`` logger at debug level."""
        logger.debug("%s - " + format, self.address_string(), *args)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        target = urlsplit(self.path)
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        request = Request(
            method=self.command,
            path=target.path or "/",
            query=parse_qsl(target.query, keep_blank_values=True),
            headers=headers,
            body=body,
            client_host=self.client_address[0],
        )
        try:
            reply = dispatch(self.server.backend, request)
        except Exception:
            logger.exception("unexpected failure answering %s %s", self.command, self.path)
            reply = Reply(status=500, body=render_error(InternalError(), new_request_id()))
        if reply.delay_s > 0:
            time.sleep(reply.delay_s)
        if reply.reset:
            self._reset()
            return
        self._write(reply)

    # The stdlib dispatches on these names.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST: the client sees its
        # connection reset with no response, as behind a failing load balancer.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _write(self, reply: Reply) -> None:
        phrase = HTTPStatus(reply.status).phrase
        lines = [
            f"HTTP/1.1 {reply.status} {phrase}",
            f"Server: {self.server_version}",
            f"Date: {self.date_time_string()}",
            f"Content-Type: {reply.content_type}",
            f"Content-Length: {len(reply.body)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in reply.headers)
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.wfile.write(head + reply.body)
        except ConnectionError:
            # The client gave up first, e.g. its read timeout beat an injected slow reply.
            logger.debug("client %s left before the reply", self.address_string())
            self.close_connection = True
