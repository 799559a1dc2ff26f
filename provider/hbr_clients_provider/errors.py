"""Errors raised by the HBR clients provider.

Every error the package raises derives from :class:`HbrError`::

    HbrError
    ├── InvalidQuery          (ValueError)       the inputs break a documented rule; nothing
    │                                            sent (query, endpoint, CA bundle, proxy)
    ├── CredentialsError                         no credentials, or the chain failed
    ├── ApiError                                 HBR answered an error: Code, RequestId
    ├── ResponseError                            an HTTP answer that is not an HBR answer
    │   ├── HttpStatusError                      an error status without an HBR error body
    │   │                                        (a proxy or gateway answered, not HBR)
    │   ├── InvalidJsonError                     a success status, a body that is not JSON
    │   └── MalformedResponseError               JSON, but not a DescribeBackupClients answer
    ├── TransportError        (ConnectionError)  no HTTP answer at all
    │   ├── ConnectError                         refused, unreachable, name did not resolve
    │   ├── RequestTimeoutError (TimeoutError)   the connect or the read timeout passed
    │   ├── ConnectionLostError                  reset or closed before the whole answer
    │   ├── ProxyError                           the proxy refused the connection or tunnel
    │   └── TlsError                             the certificate (or the handshake) failed
    ├── DeadlineExceeded      (TimeoutError)     the listing's overall deadline passed
    ├── TooManyClientsError                      TotalCount above the max_clients bound
    └── FleetChangedError                        the fleet kept changing while it was listed
        └── InconsistentPagesError               the pages did not fit together: a wrong
                                                 echoed page, a short page, an ID twice

:class:`NoEndpointError` (neither an endpoint nor a region is known) is a plain
``ValueError``, as it was before it had a class: callers read it as bad input, not as a
failed call.

Errors carry facts as attributes (``code``, ``request_id``, ``endpoint``, ``status``,
``violations``...) so callers assert on data, not on message text; whether an error is
worth retrying is :mod:`hbr_clients_provider.api.retry`'s decision, made from those facts.
Exceptions of ``tea-openapi``, ``darabonba``, ``requests`` and ``urllib3`` are translated in
exactly one place, :mod:`hbr_clients_provider.api.translate`.

No error ever contains an AccessKey secret, a security token or a proxy password: messages
are built from the API's error envelope, the response's status, type and first bytes, and
the exception's facts, never from request objects or proxy URLs.
"""

from __future__ import annotations

import enum
from typing import Any, Final, Literal

import attrs

from hbr_clients_provider.display import terminal_text
from hbr_clients_provider.settings import (
    CA_BUNDLE_HINT,
    CONNECT_TIMEOUT_HINT,
    DEADLINE_HINT,
    MAX_CLIENTS_HINT,
    NO_ENDPOINT_HINT,
    PROTOCOL_HINT,
    READ_TIMEOUT_HINT,
    REDIRECT_HINT,
    Hint,
)

__all__ = [
    "CLOCK_CODES",
    "CLOCK_HINT",
    "NOT_GIVEN",
    "ApiError",
    "ConnectError",
    "ConnectionLostError",
    "CredentialsError",
    "DeadlineExceeded",
    "FleetChangedError",
    "HbrError",
    "HttpStatusError",
    "InconsistentPagesError",
    "InvalidJsonError",
    "InvalidQuery",
    "MalformedResponseError",
    "Misfit",
    "NoEndpointError",
    "ProxyError",
    "RequestTimeoutError",
    "ResponseError",
    "TlsError",
    "TooManyClientsError",
    "TransportError",
    "Violation",
]

#: The name of the one API operation this package calls; used in messages.
OPERATION = "DescribeBackupClients"


class HbrError(Exception):
    """Base class of every error raised by this package.

    Its text is safe to print wherever it lands (a terminal, ``pulumi preview``'s
    diagnostics, a policy violation): messages quote what servers sent, so ``str()`` shows
    control and bidi characters as escapes (:func:`~hbr_clients_provider.display.terminal_text`);
    the attributes (``code``, ``message``, ``body_head``...) keep the facts exact.

    ``hints`` are the settings the message tells the user to change, as
    :class:`~hbr_clients_provider.settings.Hint`: ``str()`` words them as the command line
    does, :func:`~hbr_clients_provider.settings.pulumi_text` as a Pulumi operation does.
    """

    hints: tuple[Hint, ...] = ()

    def __str__(self) -> str:
        return terminal_text(super().__str__(), keep_newlines=True)


class _NotGiven(enum.Enum):
    NOT_GIVEN = "NOT_GIVEN"


#: The ``value`` of a :class:`Violation` about an input that was not given at all.
NOT_GIVEN: Final = _NotGiven.NOT_GIVEN

#: Longest rendering of a violation's value; longer values are cut with ``...``.
_VALUE_CHARS = 80


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _VALUE_CHARS else f"{text[: _VALUE_CHARS - 3]}..."


@attrs.frozen(kw_only=True)
class Violation:
    """One broken input rule, as data.

    ``field`` is the snake_case input (or a sub-path such as ``tags[2].key``), ``rule`` what
    it must be, ``value`` what was given (:data:`NOT_GIVEN` for a missing input) and
    ``suggestion`` the closest valid value, when there is one. Rendered one way by
    :meth:`render`: ``client_type: must be one of ECS_CLIENT, CONTAINER_CLIENT, LOCAL_CLIENT
    (got 'ECS_CLIEN'); did you mean ECS_CLIENT?``.
    """

    field: str
    rule: str
    # Compared (and hashed) by repr, so ``nan`` equals ``nan`` and a list value hashes.
    value: Any = attrs.field(default=NOT_GIVEN, eq=repr)
    suggestion: str | None = None

    def render(self, name: str | None = None) -> str:
        """The message, naming the input as ``name`` (a CLI flag, a config key) if given."""
        text = f"{name or self.field}: {self.rule}"
        if self.value is not NOT_GIVEN:
            text += f" (got {_shown(self.value)})"
        if self.suggestion is not None:
            text += f"; did you mean {self.suggestion}?"
        return text

    def __str__(self) -> str:
        return self.render()


class InvalidQuery(HbrError, ValueError):  # noqa: N818 - the contract's name
    """The query inputs break one or more documented rules; nothing was sent."""

    def __init__(self, violations: tuple[Violation, ...]) -> None:
        self.violations = tuple(violations)
        lines = "; ".join(str(v) for v in self.violations)
        msg = f"invalid query ({len(self.violations)} problem(s)): {lines}"
        super().__init__(msg)

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the offending inputs, in the order they were found."""
        return tuple(v.field for v in self.violations)


#: API error codes that a clock off by more than the signature's window causes.
CLOCK_CODES = frozenset({"InvalidTimeStamp.Expired", "SignatureNonceUsed"})

#: What the message of an error in :data:`CLOCK_CODES` tells the user to do.
CLOCK_HINT = (
    "check this machine's clock: `date -u` must be within 15 minutes of UTC; "
    "enable NTP (e.g. `timedatectl set-ntp true`)"
)


class ApiError(HbrError):
    """HBR answered with an error: ``Code``, ``Message``, ``RequestId``, ``Recommend``.

    Also raised for an HTTP 200 whose envelope says ``Success: false`` or carries an error
    ``Code``: an error is never read as an empty fleet. ``retry_after_ms`` is the wait the
    server asked for; ``hint`` what to do about a code of :data:`CLOCK_CODES` (or ``None``).
    """

    def __init__(
        self,
        *,
        code: str,
        message: str,
        request_id: str | None = None,
        status_code: int | None = None,
        recommend: str | None = None,
        retry_after_ms: int | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status_code = status_code
        self.recommend = recommend
        self.retry_after_ms = retry_after_ms
        facts = []
        if status_code is not None:
            facts.append(f"HTTP {status_code}")
        facts.append(f"request id {request_id}" if request_id else "no request id")
        msg = f"{OPERATION} failed: {code} ({', '.join(facts)}): {message or 'no message'}"
        self.hint = CLOCK_HINT if code in CLOCK_CODES else None
        if self.hint:
            msg = f"{msg}; {self.hint}"
        super().__init__(msg)

    @property
    def throttled(self) -> bool:
        """Whether the service asked the caller to slow down."""
        return self.code.startswith("Throttling")


#: How many bytes of an unexpected body a message quotes.
QUOTED_HEAD_BYTES = 120


def _quote_head(head: bytes) -> str:
    """``body starts '<first bytes>'``, or ``the body is empty``."""
    if not head:
        return "the body is empty"
    text = head[:QUOTED_HEAD_BYTES].decode("utf-8", "replace")
    text = " ".join(text.split())
    return "body starts " + repr(text + ("..." if len(head) > QUOTED_HEAD_BYTES else ""))


class ResponseError(HbrError):
    """An HTTP answer came back, but it is not an answer of HBR's API.

    Facts: ``endpoint``, ``status`` (HTTP status), ``content_type`` and ``body_head`` (the
    first bytes of the body, at most :data:`QUOTED_HEAD_BYTES` of them are quoted).
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str,
        status: int | None = None,
        content_type: str | None = None,
        body_head: bytes = b"",
    ) -> None:
        self.endpoint = endpoint
        self.status = status
        self.content_type = content_type
        self.body_head = body_head
        super().__init__(message)


def _answer(status: int, content_type: str | None, endpoint: str) -> str:
    """``HTTP 502 with an HTML body from <endpoint>``: what came back, in one phrase."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if "html" in kind:
        body = "an HTML body"
    else:
        body = f"a {kind} body" if kind else "a body without a content type"
    return f"HTTP {status} with {body} from {endpoint}"


class HttpStatusError(ResponseError):
    """An HTTP error status (or a redirect) without an HBR error envelope in the body.

    HBR answers errors with a JSON ``Code``; anything else came from something between the
    caller and HBR (a proxy, a gateway, a load balancer) or from a server that is not HBR.
    Redirects are never followed: the signed request would go somewhere the user did not
    name. ``retry_after_ms`` is the wait a ``Retry-After`` header asked for.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        status: int,
        content_type: str | None,
        body_head: bytes,
        location: str | None = None,
        retry_after_ms: int | None = None,
    ) -> None:
        self.location = location
        self.retry_after_ms = retry_after_ms
        if 300 <= status < 400:
            where = f" to {location}" if location else ""
            msg = (
                f"HTTP {status} redirect{where} from {endpoint}: not followed (a signed request "
                f"goes only to the endpoint you named); {REDIRECT_HINT.cli}"
            )
            self.hints = (REDIRECT_HINT,)
        else:
            msg = (
                f"{_answer(status, content_type, endpoint)}: a proxy or gateway answered, "
                f"not HBR ({_quote_head(body_head)})"
            )
        super().__init__(
            msg,
            endpoint=endpoint,
            status=status,
            content_type=content_type,
            body_head=body_head,
        )


class InvalidJsonError(ResponseError):
    """A success status, but the body is not JSON (``reason`` says where parsing failed)."""

    def __init__(
        self,
        *,
        endpoint: str,
        status: int,
        content_type: str | None,
        body_head: bytes,
        reason: str,
    ) -> None:
        self.reason = reason
        msg = (
            f"the response is not JSON: {_answer(status, content_type, endpoint)} "
            f"({reason}; {_quote_head(body_head)})"
        )
        super().__init__(
            msg,
            endpoint=endpoint,
            status=status,
            content_type=content_type,
            body_head=body_head,
        )


class MalformedResponseError(ResponseError):
    """JSON that is not an answer of ``operation`` (default ``DescribeBackupClients``);
    ``problem`` says what is wrong."""

    def __init__(
        self,
        problem: str,
        *,
        endpoint: str = "",
        request_id: str | None = None,
        operation: str = OPERATION,
    ) -> None:
        self.problem = problem
        self.request_id = request_id
        self.operation = operation
        rid = f"request id {request_id}" if request_id else "no request id"
        origin = f" from {endpoint}" if endpoint else ""
        msg = f"malformed {operation} response{origin} ({rid}): {problem}"
        super().__init__(msg, endpoint=endpoint, status=200)


class TransportError(HbrError, ConnectionError):
    """No HTTP answer: ``endpoint`` could not be reached, or the exchange broke off.

    ``reason`` says what happened; ``timeout`` is true for timeouts.
    """

    def __init__(self, reason: str, *, endpoint: str = "", timeout: bool = False) -> None:
        self.reason = reason
        self.endpoint = endpoint
        self.timeout = timeout
        origin = f" ({endpoint})" if endpoint else ""
        msg = f"{OPERATION} failed{origin}: {reason}"
        super().__init__(msg)


class ConnectError(TransportError):
    """No connection: ``kind`` is ``refused``, ``dns`` or ``unreachable``."""

    def __init__(
        self, reason: str, *, endpoint: str, kind: str, hints: tuple[Hint, ...] = ()
    ) -> None:
        self.kind = kind
        self.hints = hints
        super().__init__(reason, endpoint=endpoint)


class RequestTimeoutError(TransportError, TimeoutError):
    """The ``which`` (``connect`` or ``read``) timeout of ``timeout_s`` seconds passed."""

    def __init__(self, *, endpoint: str, which: str, timeout_s: float | None) -> None:
        self.which = which
        self.timeout_s = timeout_s
        limit = f" of {timeout_s:g} s" if timeout_s is not None else ""
        hint = CONNECT_TIMEOUT_HINT if which == "connect" else READ_TIMEOUT_HINT
        self.hints = (hint,)
        reason = f"the {which} timeout{limit} passed{hint.cli}"
        super().__init__(reason, endpoint=endpoint, timeout=True)


class ConnectionLostError(TransportError):
    """The connection was reset or closed before the whole answer arrived."""


class ProxyError(TransportError):
    """The proxy (``proxy``: its URL without credentials) refused or broke the connection."""

    def __init__(
        self, reason: str, *, endpoint: str, proxy: str | None, source: str | None
    ) -> None:
        self.proxy = proxy
        self.source = source
        via = f"the proxy {proxy}" + (f" (from {source})" if source else "")
        super().__init__(
            f"{via} failed: {reason}; check it, or list the endpoint's host in NO_PROXY",
            endpoint=endpoint,
        )


class TlsError(TransportError):
    """TLS failed: ``problem`` names what the certificate check (or handshake) said.

    ``verification`` is true for a certificate that did not verify, and ``ca_source`` says
    which CAs were trusted (``certifi``, ``REQUESTS_CA_BUNDLE``, ``ca_bundle``...).
    """

    def __init__(self, *, endpoint: str, problem: str, verification: bool, ca_source: str) -> None:
        self.problem = problem
        self.verification = verification
        self.ca_source = ca_source
        if verification:
            reason = (
                f"TLS certificate verify failed: {problem} (trusted CAs: {ca_source}); if the "
                "endpoint uses a private CA, trust it with REQUESTS_CA_BUNDLE=/path/ca.pem or "
                f"{CA_BUNDLE_HINT.cli}. Verification is never turned off"
            )
            self.hints = (CA_BUNDLE_HINT,)
        else:
            reason = (
                f"the TLS handshake failed: {problem}; if the endpoint speaks plain HTTP, "
                f"{PROTOCOL_HINT.cli}"
            )
            self.hints = (PROTOCOL_HINT,)
        super().__init__(reason, endpoint=endpoint)


class DeadlineExceeded(HbrError, TimeoutError):  # noqa: N818 - reads as what happened
    """The overall deadline of a listing passed; whatever was in flight was abandoned.

    ``deadline_s`` is the deadline the caller set (seconds for the whole listing, ``None``
    when unknown) and ``endpoint`` the host the requests went to. Never retried: the time
    the caller allowed is spent.
    """

    def __init__(self, *, deadline_s: float | None, endpoint: str, detail: str = "") -> None:
        self.deadline_s = deadline_s
        self.endpoint = endpoint
        self.detail = detail
        budget = f" of {deadline_s:g} s" if deadline_s is not None else ""
        extra = f" ({detail})" if detail else ""
        msg = (
            f"{OPERATION} to {endpoint} did not finish within the listing deadline{budget}"
            f"{extra}; {DEADLINE_HINT.cli} if the fleet is large or the network slow"
        )
        self.hints = (DEADLINE_HINT,)
        super().__init__(msg)


class TooManyClientsError(HbrError):
    """The service reported more clients than the listing's sanity bound allows.

    ``total_count`` is the ``TotalCount`` the first page reported and ``max_clients`` the
    bound; raised before page 2 is requested, so an absurd count costs one request.
    """

    def __init__(self, *, total_count: int, max_clients: int) -> None:
        self.total_count = total_count
        self.max_clients = max_clients
        msg = (
            f"{OPERATION} reported TotalCount {total_count}, more than max_clients "
            f"{max_clients}; refused before fetching page 2. If the fleet really is this "
            f"large, {MAX_CLIENTS_HINT.cli}"
        )
        self.hints = (MAX_CLIENTS_HINT,)
        super().__init__(msg)


class CredentialsError(HbrError):
    """No credentials could be found, or the credential provider failed."""

    def __init__(self, message: str, *, hints: tuple[Hint, ...] = ()) -> None:
        self.hints = hints
        super().__init__(message)


class NoEndpointError(ValueError):
    """Neither an endpoint nor a region is known, so there is nowhere to send a request.

    ``hints`` as :attr:`HbrError.hints`.
    """

    hints: tuple[Hint, ...] = (NO_ENDPOINT_HINT,)

    def __init__(self) -> None:
        super().__init__(f"no HBR endpoint: {NO_ENDPOINT_HINT.cli}")


class FleetChangedError(HbrError):
    """The fleet kept changing while it was being listed, so no consistent list exists."""

    def __init__(self, attempts: int, detail: str = "") -> None:
        self.attempts = attempts
        self.detail = detail
        extra = f" ({detail})" if detail else ""
        msg = (
            f"the fleet changed while it was being listed; gave up after {attempts} "
            f"attempt(s){extra}"
        )
        super().__init__(msg)


#: How the pages of a listing failed to fit together (:class:`InconsistentPagesError`).
Misfit = Literal["wrong_page", "count_changed", "short_page", "duplicate"]

_MISFIT_CAUSES: Final[dict[str, str]] = {
    "wrong_page": "the server (or a proxy in between) does not honour PageNumber",
    "count_changed": "the fleet changed between the page requests",
    "short_page": (
        "a page came back shorter than PageSize and TotalCount promise: the fleet changed "
        "between the page requests, or the server pages inconsistently"
    ),
    "duplicate": (
        "the same ID came back on two pages: the fleet changed between the page requests, "
        "or the server pages inconsistently"
    ),
}


class InconsistentPagesError(FleetChangedError):
    """The pages of a listing did not fit together, named by ``kind`` (:data:`Misfit`).

    A subclass of :class:`FleetChangedError`, which callers already handle; the message
    says what was seen and who can act on it.
    """

    def __init__(
        self,
        kind: Misfit,
        detail: str,
        *,
        attempts: int,
        endpoint: str = "",
        request_id: str | None = None,
    ) -> None:
        self.kind = kind
        self.attempts = attempts
        self.detail = detail
        self.endpoint = endpoint
        self.request_id = request_id
        origin = f" from {endpoint}" if endpoint else ""
        rid = f", request id {request_id}" if request_id else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        msg = (
            f"the pages of the listing{origin} do not fit together{tries}{rid}: "
            f"{terminal_text(detail)}; {_MISFIT_CAUSES[kind]}"
        )
        HbrError.__init__(self, msg)
