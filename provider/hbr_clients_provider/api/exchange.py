"""The HTTP step of a call, under this project's rules: :class:`PolicySession`.

``tea-openapi`` builds and signs each request and hands it to ``darabonba``, which sends it
with a ``requests`` session it keeps per ``protocol://host:port:pool`` in
``DaraCore._sessions``. :func:`install_session` puts a :class:`PolicySession` there for
the endpoint of a :class:`~hbr_clients_provider.api.transport.Transport`, so every request of
the call goes out under the :class:`Exchange` the transport opened for it:

* the proxy and the CA bundle of :mod:`hbr_clients_provider.api.network` (``darabonba``'s own
  proxy map, which ignores ``NO_PROXY`` and ``ALL_PROXY``, and its ``verify`` are replaced);
* the transport's connect and read timeouts, clamped to what is left of the deadline;
* the deadline over every byte of the exchange, at the socket (:class:`DeadlineSocket`):
  the connection (TCP, a proxy's ``CONNECT``, the TLS handshake), the request, the status
  line and headers, and the body, in whichever thread sends it;
* a body larger than :data:`MAX_BODY_BYTES` refused;
* the server's ``x-acs-retry-after`` and ``Retry-After`` kept for the retry loop;
* the TCP connection sent to ``connect_to`` when it is set (curl's ``--connect-to``), the
  request's URL, ``Host`` and TLS name unchanged;
* redirects never followed (a signed request goes only where the user said);
* the status, content type and first bytes of the body kept in the :class:`Exchange`, and
  the original exception too (``darabonba`` turns every ``IOError`` into a bare
  ``RetryError(str)``), so :mod:`hbr_clients_provider.api.translate` can say what happened.

Requests sent outside an :class:`Exchange` (another ``tea-openapi`` client in the same
process) go out as plain ``requests`` would send them. A call whose request did not pass
through the session fails loudly (:meth:`Exchange.require_used`): the rules above are
never skipped silently.

Why at the socket: ``requests`` and ``urllib3`` apply the read timeout to each ``recv``, so a
server (or a middlebox) that sends its headers one byte every half second never trips it,
and ``http.client`` reads the status line and headers before any caller sees a byte. Every
read goes ``sock.makefile()`` -> ``SocketIO.readinto`` -> ``sock.recv_into``, so
:class:`DeadlineConnectionMixin` hands ``http.client`` a :class:`DeadlineSocket` (for plain
HTTP and a proxy tunnel at ``_new_conn``, and again after the TLS wrap): before each
``recv``/``recv_into``/``send``/``sendall`` it sets the socket timeout to the smaller of the
timeout ``urllib3`` asked for and the time left before the open :class:`Exchange`'s
deadline, and once that passes it raises :class:`DeadlinePassed`, having recorded in the
Exchange which :data:`PHASES` was still running. Connections are pooled across exchanges, so
the socket reads the Exchange of the calling thread (a ``contextvars`` variable) at each call.
:class:`PolicySession` installs those connections through its adapter's pool manager and
every proxy manager (``pool_classes_by_scheme``), so TLS and proxies are covered alike.

``DEBUG=sdk`` makes ``darabonba`` log every request's headers, the ``Authorization``
signature and the ``x-acs-security-token`` (STS token) among them;
:func:`install_log_redaction` masks those values in that logger's records.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import attrs
import requests
from requests.adapters import HTTPAdapter

from hbr_clients_provider.api.network import NetworkSettings
from hbr_clients_provider.errors import DeadlineExceeded, TransportError

__all__ = [
    "KEPT_HEAD_BYTES",
    "MAX_BODY_BYTES",
    "PHASES",
    "BodyTooLarge",
    "DeadlineConnectionMixin",
    "DeadlinePassed",
    "DeadlineSocket",
    "Exchange",
    "Phase",
    "PolicySession",
    "install_log_redaction",
    "install_session",
]

#: The largest response body read; a page of 99 clients is about 100 KB.
MAX_BODY_BYTES = 32 * 1024 * 1024

#: How much of a body :attr:`Exchange.body_head` gives error facts (messages quote less).
KEPT_HEAD_BYTES = 512

_READ_CHUNK = 64 * 1024

_CURRENT: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar(
    "hbr_exchange", default=None
)


#: The parts of an exchange, in order.
Phase = Literal["connect", "headers", "body"]

#: What was still running when the deadline passed, in each phase (for messages).
PHASES: dict[Phase, str] = {
    "connect": "still connecting: TCP, a proxy tunnel or the TLS handshake",
    "headers": "still waiting for the status line and headers",
    "body": "the body was still arriving",
}

T = TypeVar("T")


class BodyTooLarge(Exception):  # noqa: N818 - raised and translated inside this package
    """The body passed :data:`MAX_BODY_BYTES`; the transport reports it as malformed."""


class DeadlinePassed(TimeoutError):  # noqa: N818 - raised and translated inside this package
    """A socket operation reached the Exchange's deadline during ``phase``.

    A :class:`TimeoutError` (``socket.timeout``) so that ``http.client`` and ``urllib3``
    treat it as the timeout it is and drop the connection;
    :func:`~hbr_clients_provider.api.translate.translate` reads the phase from the Exchange.
    """

    def __init__(self, phase: Phase) -> None:
        self.phase = phase
        super().__init__(f"the deadline passed: {PHASES[phase]}")


@attrs.define(kw_only=True)
class Exchange:
    """One HTTP exchange: the rules it goes out under, and the facts of what came back."""

    endpoint: str
    network: NetworkSettings
    connect_timeout_s: float
    read_timeout_s: float
    deadline: float | None = None
    connect_to: tuple[str, int] | None = None
    used: bool = False
    phase: Phase = "headers"
    expired: Phase | None = None
    status: int | None = None
    content_type: str | None = None
    location: str | None = None
    retry_after: str | None = None
    acs_retry_after: str | None = None
    body: bytes = attrs.field(default=b"", repr=False)
    error: BaseException | None = None
    _token: Any = attrs.field(default=None, init=False, repr=False)

    def timeouts(self) -> tuple[float, float]:
        """The ``(connect, read)`` timeouts, clamped to the time left before the deadline.

        :raises DeadlineExceeded: when no time is left.
        """
        connect, read = self.connect_timeout_s, self.read_timeout_s
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(deadline_s=None, endpoint=self.endpoint)
            connect, read = min(connect, left), min(read, left)
        return connect, read

    def left(self) -> float | None:
        """Seconds left before the deadline (``None``: no deadline; negative once passed)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def expire(self) -> DeadlinePassed:
        """Record that the deadline passed in the current phase; the error to raise."""
        if self.expired is None:
            self.expired = self.phase
        return DeadlinePassed(self.expired)

    def __enter__(self) -> Exchange:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        _CURRENT.reset(self._token)

    @property
    def body_head(self) -> bytes:
        """The first :data:`KEPT_HEAD_BYTES` of the body, for messages."""
        return self.body[:KEPT_HEAD_BYTES]

    def require_used(self) -> None:
        """Fail loudly if the request did not go through a :class:`PolicySession`.

        :raises TransportError: (never retried) naming the endpoint.
        """
        if not self.used:
            msg = (
                "the request bypassed the network policy (proxy, CA bundle, deadline): "
                "darabonba's session cache changed shape; this is a bug of hbr-clients"
            )
            raise TransportError(msg, endpoint=self.endpoint)


class DeadlineSocket:
    """A connected socket whose reads and writes end at the open :class:`Exchange`'s deadline.

    Everything but the timeout and the I/O calls is the wrapped socket's (``fileno``,
    ``shutdown``, ``getpeercert``...). ``makefile`` is :class:`socket.socket`'s own, so that
    the ``SocketIO`` under ``http.client``'s reader calls this object's ``recv_into``, and
    ``close`` waits for those files as a socket does (a response that closes its connection
    still reads its body).
    """

    def __init__(self, sock: Any) -> None:
        self._sock: socket.socket = sock
        self._timeout: float | None = sock.gettimeout()
        self._applied = self._timeout
        self._io_refs = 0
        self._closed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def settimeout(self, value: float | None) -> None:
        """The timeout ``urllib3`` asks for; each call is also bounded by the deadline."""
        self._timeout = self._applied = value
        self._sock.settimeout(value)

    def gettimeout(self) -> float | None:
        """The timeout that applies now: the one asked for, clamped to the time left.

        The TLS handshake takes its (overall) timeout from here when it wraps this socket.
        """
        exchange = _CURRENT.get()
        left = exchange.left() if exchange is not None else None
        if left is None or self._timeout == 0:
            return self._timeout
        left = max(left, 0.001)
        return left if self._timeout is None else min(self._timeout, left)

    def _bounded(self, operation: Callable[..., T], *args: Any) -> T:
        exchange = _CURRENT.get()
        left = exchange.left() if exchange is not None else None
        if exchange is None or left is None or self._timeout == 0:
            return operation(*args)
        if left <= 0:
            raise exchange.expire()
        clamped = self._timeout is None or left < self._timeout
        applied = left if clamped else self._timeout
        if applied != self._applied:  # a system call per change, not per read
            self._sock.settimeout(applied)
            self._applied = applied
        try:
            return operation(*args)
        except TimeoutError as exc:
            if clamped or time.monotonic() >= (exchange.deadline or 0.0):
                raise exchange.expire() from exc
            raise

    def recv(self, *args: Any) -> bytes:
        """``recv``, within the deadline."""
        return self._bounded(self._sock.recv, *args)

    def recv_into(self, *args: Any) -> int:
        """``recv_into`` (what ``SocketIO.readinto`` calls), within the deadline."""
        return self._bounded(self._sock.recv_into, *args)

    def send(self, *args: Any) -> int:
        """``send``, within the deadline."""
        return self._bounded(self._sock.send, *args)

    def sendall(self, *args: Any) -> None:
        """``sendall`` (one overall timeout since Python 3.5), within the deadline."""
        self._bounded(self._sock.sendall, *args)

    makefile = socket.socket.makefile

    def _decref_socketios(self) -> None:
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()

    def close(self) -> None:
        """Close the socket once no file made by :meth:`makefile` is open."""
        self._closed = True
        if self._io_refs <= 0:
            self._sock.close()

    def detach(self) -> int:
        """Hand the file descriptor over (the TLS wrap does), as :meth:`socket.socket.detach`."""
        self._closed = True
        return int(self._sock.detach())


class DeadlineConnectionMixin:
    """Put a ``urllib3`` connection's socket under the open :class:`Exchange`'s deadline.

    Mixed in before ``HTTPConnection``, ``HTTPSConnection`` or a SOCKS connection class:
    ``_new_conn`` wraps the new socket (so a proxy's ``CONNECT`` answer and the TLS
    handshake are bounded too) and ``connect`` wraps what the TLS layer made of it, marking
    the Exchange's phase ``connect`` meanwhile.
    """

    sock: Any
    _dns_host: str
    port: int | None
    #: Where this connection's socket goes: ``connect_to``, or ``None`` for the host itself.
    destination: tuple[str, int] | None = None

    def _new_conn(self) -> Any:
        exchange = _CURRENT.get()
        target = exchange.connect_to if exchange is not None else None
        self.destination = target
        if target is None:
            return DeadlineSocket(super()._new_conn())  # type: ignore[misc]
        # curl's --connect-to: the TCP connection goes to ``target``; ``host`` (the Host
        # header's name, TLS SNI and certificate check) stays the endpoint's.
        saved = self._dns_host, self.port
        self._dns_host, self.port = target
        try:
            return DeadlineSocket(super()._new_conn())  # type: ignore[misc]
        finally:
            self._dns_host, self.port = saved

    def connect(self) -> None:
        """Connect (TCP, proxy tunnel, TLS) in phase ``connect``, then wrap the socket."""
        exchange = _CURRENT.get()
        phase = exchange.phase if exchange is not None else None
        if exchange is not None:
            exchange.phase = "connect"
        try:
            super().connect()  # type: ignore[misc]
        except BaseException:
            _note_expiry(exchange)
            raise
        if exchange is not None and phase is not None:
            exchange.phase = phase
        if self.sock is not None and not isinstance(self.sock, DeadlineSocket):
            self.sock = DeadlineSocket(self.sock)


def _note_expiry(exchange: Exchange | None) -> None:
    """Blame the deadline for a failure that ends past it (a connect timeout clamped to it)."""
    if exchange is not None and exchange.expired is None:
        left = exchange.left()
        if left is not None and left <= 0:
            exchange.expire()


class _DestinationCheckedPool:
    """A pool that never reuses a connection made for another ``connect_to``.

    Pools are keyed by host and port, and with ``connect_to`` the same host
    (``hbr.cn-hangzhou.aliyuncs.com:80``) may stand for different addresses in one process
    (two emulators, a gateway and the real endpoint): a kept-alive connection to the old one
    is closed, so the request connects afresh to the address the open Exchange names.
    """

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        exchange = _CURRENT.get()
        wanted = exchange.connect_to if exchange is not None else None
        if getattr(conn, "sock", None) is not None and getattr(conn, "destination", None) != wanted:
            conn.close()
        return conn


@functools.cache
def _deadline_pool(pool_class: type[Any]) -> type[Any]:
    """``pool_class`` whose connections are :class:`DeadlineConnectionMixin` ones."""
    connection_class = pool_class.ConnectionCls
    if issubclass(connection_class, DeadlineConnectionMixin):
        return pool_class
    connection = type(
        f"Deadline{connection_class.__name__}",
        (DeadlineConnectionMixin, connection_class),
        {"__module__": __name__},
    )
    return type(
        f"Deadline{pool_class.__name__}",
        (_DestinationCheckedPool, pool_class),
        {"ConnectionCls": connection, "__module__": __name__},
    )


def _bound_pools(manager: Any) -> Any:
    """Make ``manager`` (a pool or proxy manager) build :func:`_deadline_pool` pools."""
    manager.pool_classes_by_scheme = {
        scheme: _deadline_pool(pool) for scheme, pool in manager.pool_classes_by_scheme.items()
    }
    return manager


class _DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose every connection, direct or through a proxy, is bounded."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _bound_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return _bound_pools(super().proxy_manager_for(proxy, **proxy_kwargs))


class PolicySession(requests.Session):
    """A ``requests`` session that sends under the open :class:`Exchange` (module docstring)."""

    def __init__(self, pool_size: int) -> None:
        super().__init__()
        self.trust_env = False  # everything comes from the Exchange; no ~/.netrc either
        adapter = _DeadlineAdapter(pool_connections=4, pool_maxsize=max(1, pool_size))
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send ``request`` under the open :class:`Exchange`, or as ``requests`` would."""
        exchange = _CURRENT.get()
        if exchange is None:
            return super().send(request, **kwargs)
        exchange.used = True
        exchange.phase = "headers"
        try:
            response = super().send(
                request,
                stream=True,
                timeout=exchange.timeouts(),
                verify=exchange.network.verify,
                proxies=exchange.network.proxies,
                cert=None,
                allow_redirects=False,
            )
            exchange.phase = "body"
            try:
                body = _read_body(response)
            except BaseException:
                response.close()  # not read to the end: the connection is dropped
                raise
        except BaseException as exc:
            _note_expiry(exchange)
            exchange.error = exc
            raise
        # What requests itself sets once it has read a body; then close() hands the
        # connection back to the pool for the next request.
        response._content = body
        response._content_consumed = True
        response.close()
        exchange.status = response.status_code
        exchange.content_type = response.headers.get("content-type")
        exchange.location = response.headers.get("location")
        exchange.retry_after = response.headers.get("retry-after")
        exchange.acs_retry_after = response.headers.get("x-acs-retry-after")
        exchange.body = body
        return response


def _read_body(response: requests.Response) -> bytes:
    """Read the body with ``read1`` (whatever has arrived), up to :data:`MAX_BODY_BYTES`."""
    raw = response.raw
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = raw.read1(_READ_CHUNK, decode_content=True)
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(size)
    return b"".join(parts)


_INSTALL_LOCK = threading.Lock()


def install_session(session_key: str, pool_size: int) -> None:
    """Make ``darabonba`` send requests for ``session_key`` through a :class:`PolicySession`.

    ``session_key`` is ``darabonba``'s own key (``DaraCore.do_action``):
    ``f"{protocol}://{host}:{port}:pool={pool_maxsize}"``.
    """
    from darabonba.core import DaraCore  # noqa: PLC0415

    with _INSTALL_LOCK:
        if not isinstance(DaraCore._sessions.get(session_key), PolicySession):
            DaraCore._sessions[session_key] = PolicySession(pool_size)


_SECRET_HEADER = re.compile(
    r"(?im)^([<>] (?:authorization|x-acs-security-token|x-acs-bearer-token|"
    r"proxy-authorization|cookie|set-cookie) : ).*$"
)


class _RedactHeaders(logging.Filter):
    """Masks secret header values in ``darabonba``'s ``DEBUG=sdk`` request and response logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_HEADER.sub(r"\1******", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REDACTION = _RedactHeaders()


def install_log_redaction() -> None:
    """Attach the header mask to ``darabonba``'s logger (idempotent)."""
    for name in ("darabonba-core", "alibabacloud-tea"):
        logger = logging.getLogger(name)
        if _REDACTION not in logger.filters:
            logger.addFilter(_REDACTION)
