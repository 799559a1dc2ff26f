"""The HTTP step of a call, under this project's rules: :class:`PolicySession`.

``tea-openapi`` builds and signs each request and hands it to ``darabonba``, which sends it
with a ``requests`` session it keeps per ``protocol://host:port:pool`` in
``DaraCore._sessions``. :func:`install_session` puts a :class:`PolicySession` there for
the endpoint of a :class:`~hbr_clients_provider.api.transport.Transport`, so every request of
the call goes out under the :class:`Exchange` the transport opened for it:

* the proxy and the CA bundle of :mod:`hbr_clients_provider.api.network` (``darabonba``'s own
  proxy map, which ignores ``NO_PROXY`` and ``ALL_PROXY``, and its ``verify`` are replaced);
* the transport's connect and read timeouts, clamped to what is left of the deadline;
* the body read piece by piece, so a body that drips is cut when the deadline passes, and
  one larger than :data:`MAX_BODY_BYTES` is refused;
* redirects never followed (a signed request goes only where the user said);
* the status, content type and first bytes of the body kept in the :class:`Exchange`, and
  the original exception too (``darabonba`` turns every ``IOError`` into a bare
  ``RetryError(str)``), so :mod:`hbr_clients_provider.api.translate` can say what happened.

Requests sent outside an :class:`Exchange` (another ``tea-openapi`` client in the same
process) go out as plain ``requests`` would send them. A call whose request did not pass
through the session fails loudly (:meth:`Exchange.require_used`): the rules above are
never skipped silently.

``DEBUG=sdk`` makes ``darabonba`` log every request's headers, the ``Authorization``
signature and the ``x-acs-security-token`` (STS token) among them;
:func:`install_log_redaction` masks those values in that logger's records.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from typing import Any

import attrs
import requests
from requests.adapters import HTTPAdapter

from hbr_clients_provider.api.network import NetworkSettings
from hbr_clients_provider.errors import DeadlineExceeded, TransportError

__all__ = [
    "KEPT_HEAD_BYTES",
    "MAX_BODY_BYTES",
    "BodyTooLarge",
    "Exchange",
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


class BodyTooLarge(Exception):  # noqa: N818 - raised and translated inside this package
    """The body passed :data:`MAX_BODY_BYTES`; the transport reports it as malformed."""


@attrs.define(kw_only=True)
class Exchange:
    """One HTTP exchange: the rules it goes out under, and the facts of what came back."""

    endpoint: str
    network: NetworkSettings
    connect_timeout_s: float
    read_timeout_s: float
    deadline: float | None = None
    used: bool = False
    status: int | None = None
    content_type: str | None = None
    location: str | None = None
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

    def check_deadline(self) -> None:
        """Raise :class:`DeadlineExceeded` when the deadline has passed."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise DeadlineExceeded(
                deadline_s=None, endpoint=self.endpoint, detail="the body was still arriving"
            )

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


class PolicySession(requests.Session):
    """A ``requests`` session that sends under the open :class:`Exchange` (module docstring)."""

    def __init__(self, pool_size: int) -> None:
        super().__init__()
        self.trust_env = False  # everything comes from the Exchange; no ~/.netrc either
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(1, pool_size))
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send ``request`` under the open :class:`Exchange`, or as ``requests`` would."""
        exchange = _CURRENT.get()
        if exchange is None:
            return super().send(request, **kwargs)
        exchange.used = True
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
            try:
                body = _read_body(response, exchange)
            except BaseException:
                response.close()  # not read to the end: the connection is dropped
                raise
        except BaseException as exc:
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
        exchange.body = body
        return response


def _read_body(response: requests.Response, exchange: Exchange) -> bytes:
    """Read the body with ``read1`` (whatever has arrived), checking the deadline between."""
    raw = response.raw
    parts: list[bytes] = []
    size = 0
    while True:
        exchange.check_deadline()
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
