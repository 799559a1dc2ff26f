"""The one place that knows the dependencies' exceptions: :func:`translate`.

``tea-openapi`` raises its ``ClientException``/``ServerException``/``ThrottlingException``
for an HTTP error with a JSON body, a ``RuntimeError`` for a body that is not JSON,
``darabonba``'s ``UnretryableException`` around everything else, and ``darabonba`` turns
every ``IOError`` of ``requests`` into a bare ``RetryError(str)``. What actually happened is
in the :class:`~hbr_clients_provider.api.exchange.Exchange` of the call (the original
exception, the status, the content type, the first bytes of the body), and
:func:`translate` builds the error of :mod:`hbr_clients_provider.errors` that says so.

A deadline that passed during the exchange (:attr:`Exchange.expired`, recorded at the
socket) wins over whatever exception the dependencies made of it, and names the phase that
was slow. How long the server asked the caller to wait comes from ``x-acs-retry-after``
(milliseconds, HBR's own) or else the standard ``Retry-After`` (seconds or an HTTP-date,
RFC 9110 section 10.2.3): :func:`retry_after_ms`.

Messages name the endpoint and never quote a request, a header or a proxy URL with its
credentials.
"""

from __future__ import annotations

import datetime
import email.utils
import socket
import ssl
from collections.abc import Iterator
from typing import Any

from hbr_clients_provider.api.decode import decode_json
from hbr_clients_provider.api.exchange import PHASES, BodyTooLarge, Exchange
from hbr_clients_provider.errors import (
    ApiError,
    ConnectError,
    ConnectionLostError,
    CredentialsError,
    DeadlineExceeded,
    HbrError,
    HttpStatusError,
    InvalidJsonError,
    MalformedResponseError,
    ProxyError,
    RequestTimeoutError,
    TlsError,
    TransportError,
)
from hbr_clients_provider.settings import ADDRESS_HINT, DNS_HINT

__all__ = ["api_error_from_envelope", "retry_after_ms", "translate", "translate_response"]

_NO_CREDENTIALS = "could not obtain credentials from the credential provider"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps: ``args``, ``reason``, ``__cause__``, ``__context__``."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        nested = [getattr(item, "reason", None), item.__cause__, item.__context__]
        nested += list(getattr(item, "args", ()))
        stack.extend(n for n in reversed(nested) if isinstance(n, BaseException))


def _first(exc: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]) -> Any:
    return next((c for c in _causes(exc) if isinstance(c, kind)), None)


def api_error_from_envelope(
    envelope: dict[str, Any], *, status_code: int | None, retry_after_ms: int | None = None
) -> ApiError:
    """An :class:`ApiError` from an HBR error envelope (``Code``, ``Message``, ...)."""
    code = envelope.get("Code") or envelope.get("code")
    message = envelope.get("Message") or envelope.get("message") or ""
    request_id = envelope.get("RequestId") or envelope.get("requestId")
    recommend = envelope.get("Recommend")
    return ApiError(
        code=str(code) if code not in (None, "") else "Unknown",
        message=str(message),
        request_id=str(request_id) if request_id not in (None, "", "None") else None,
        status_code=status_code,
        recommend=str(recommend) if recommend else None,
        retry_after_ms=retry_after_ms,
    )


def retry_after_ms(exchange: Exchange, *, now: datetime.datetime | None = None) -> int | None:
    """The wait the answer of ``exchange`` asked for, in milliseconds (``None``: none).

    ``x-acs-retry-after: 1500`` is 1,500 ms; ``Retry-After: 2`` is 2,000 ms and
    ``Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`` the time from ``now`` (UTC) until then.
    A value that does not parse, or a wait that is not positive, is no wait.
    """
    acs = (exchange.acs_retry_after or "").strip()
    if acs.isascii() and acs.isdigit() and int(acs) > 0:
        return int(acs)
    value = (exchange.retry_after or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return int(value) * 1000 or None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110: an HTTP-date is always UTC
        when = when.replace(tzinfo=datetime.UTC)
    wait = when - (now or datetime.datetime.now(datetime.UTC))
    milliseconds = int(wait.total_seconds() * 1000)
    return milliseconds if milliseconds > 0 else None


def _json_or_none(exchange: Exchange) -> tuple[Any, str | None]:
    """The body of an answer as JSON, or ``None`` and why not (:func:`.decode.decode_json`)."""
    try:
        return decode_json(exchange.body, endpoint=exchange.endpoint, status=exchange.status), None
    except InvalidJsonError as exc:
        return None, exc.reason
    except MalformedResponseError as exc:
        return None, exc.problem


def translate_response(exchange: Exchange) -> HbrError | None:
    """The error the HTTP answer of ``exchange`` stands for (``None``: a 2xx JSON body)."""
    status = exchange.status
    if status is None:
        return None
    if 300 <= status < 400:
        return HttpStatusError(
            endpoint=exchange.endpoint,
            status=status,
            content_type=exchange.content_type,
            body_head=exchange.body_head,
            location=exchange.location,
        )
    parsed, reason = _json_or_none(exchange)
    if status >= 400:
        wait = retry_after_ms(exchange)
        if isinstance(parsed, dict) and (parsed.get("Code") or parsed.get("code")):
            return api_error_from_envelope(parsed, status_code=status, retry_after_ms=wait)
        return HttpStatusError(
            endpoint=exchange.endpoint,
            status=status,
            content_type=exchange.content_type,
            body_head=exchange.body_head,
            retry_after_ms=wait,
        )
    if reason is not None:
        return InvalidJsonError(
            endpoint=exchange.endpoint,
            status=status,
            content_type=exchange.content_type,
            body_head=exchange.body_head,
            reason=reason,
        )
    return None


def _tls_error(exc: BaseException, exchange: Exchange) -> TlsError:
    verify = _first(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        problem = getattr(verify, "verify_message", None) or str(verify.reason or verify)
        return TlsError(
            endpoint=exchange.endpoint,
            problem=str(problem),
            verification=True,
            ca_source=exchange.network.ca_source,
        )
    inner = _first(exc, ssl.SSLError)
    problem = str(getattr(inner, "reason", None) or inner or "TLS error")
    return TlsError(
        endpoint=exchange.endpoint,
        problem=problem,
        verification=False,
        ca_source=exchange.network.ca_source,
    )


def _network_error(exc: BaseException, exchange: Exchange) -> HbrError:  # noqa: PLR0911 - a table
    """Translate what ``requests``/``urllib3`` raised while sending or reading."""
    import requests.exceptions as rex  # noqa: PLC0415
    import urllib3.exceptions as uex  # noqa: PLC0415

    endpoint = exchange.endpoint
    if isinstance(exc, HbrError):
        return exc
    if exchange.expired is not None:  # whatever the dependencies made of it
        return DeadlineExceeded(deadline_s=None, endpoint=endpoint, detail=PHASES[exchange.expired])
    if isinstance(exc, BodyTooLarge):
        return MalformedResponseError(
            f"the body passed {exc.args[0]:,} bytes, far more than any page", endpoint=endpoint
        )
    if isinstance(exc, rex.ProxyError) or _first(exc, uex.ProxyError) is not None:
        return ProxyError(
            _plain_reason(exc),
            endpoint=endpoint,
            proxy=exchange.network.proxy_display(),
            source=exchange.network.proxy_source,
        )
    if isinstance(exc, rex.SSLError) or _first(exc, ssl.SSLError) is not None:
        return _tls_error(exc, exchange)
    # urllib3's NewConnectionError subclasses ConnectTimeoutError: a refusal is not a timeout.
    connect_timeout = next(
        (
            c
            for c in _causes(exc)
            if isinstance(c, uex.ConnectTimeoutError | rex.ConnectTimeout)
            and not isinstance(c, uex.NewConnectionError)
        ),
        None,
    )
    if connect_timeout is not None:
        return RequestTimeoutError(
            endpoint=endpoint, which="connect", timeout_s=exchange.connect_timeout_s
        )
    timeouts = (rex.ReadTimeout, uex.ReadTimeoutError, socket.timeout, TimeoutError)
    if isinstance(exc, timeouts) or _first(exc, timeouts) is not None:
        return RequestTimeoutError(
            endpoint=endpoint, which="read", timeout_s=exchange.read_timeout_s
        )
    if _first(exc, uex.NameResolutionError) is not None or _first(exc, socket.gaierror):
        host = endpoint.rsplit(":", 1)[0] if endpoint.count(":") == 1 else endpoint
        return ConnectError(
            f"the host name {host!r} did not resolve (DNS); {DNS_HINT.cli}",
            endpoint=endpoint,
            kind="dns",
            hints=(DNS_HINT,),
        )
    if _first(exc, ConnectionRefusedError) is not None:
        return ConnectError(
            "the connection was refused: nothing listens there",
            endpoint=endpoint,
            kind="refused",
            hints=(ADDRESS_HINT,),
        )
    if _first(exc, uex.NewConnectionError) is not None:
        return ConnectError(
            f"could not connect: {_plain_reason(exc)}",
            endpoint=endpoint,
            kind="unreachable",
            hints=(ADDRESS_HINT,),
        )
    resets = (
        ConnectionResetError,
        ConnectionAbortedError,
        BrokenPipeError,
        uex.ProtocolError,
        rex.ChunkedEncodingError,
    )
    if isinstance(exc, resets) or _first(exc, resets) is not None:
        return ConnectionLostError(
            "the connection was reset or closed before the whole answer arrived",
            endpoint=endpoint,
        )
    return TransportError(
        f"the request failed: {type(exc).__name__}: {_plain_reason(exc)}", endpoint=endpoint
    )


def _plain_reason(exc: BaseException) -> str:
    """The innermost readable reason, without URLs (which may carry proxy credentials)."""
    inner = exc
    for cause in _causes(exc):
        inner = cause
    text = str(getattr(inner, "strerror", None) or inner)
    text = text.split(": ", 1)[-1] if "object at 0x" in text else text
    return " ".join(w for w in text.split() if "://" not in w and "@" not in w)[:200]


def translate(exc: BaseException, exchange: Exchange) -> HbrError:
    """The :class:`HbrError` for ``exc``, raised by ``call_api`` during ``exchange``."""
    from alibabacloud_credentials.exceptions import CredentialException  # noqa: PLC0415
    from darabonba.exceptions import ResponseException  # noqa: PLC0415

    if isinstance(exc, HbrError):
        return exc
    if exchange.error is not None:
        return _network_error(exchange.error, exchange)
    if _first(exc, CredentialException) is not None:
        return CredentialsError(_NO_CREDENTIALS)
    if isinstance(exc, ResponseException):
        data = exc.data if isinstance(exc.data, dict) else {}
        if data.get("Code") or data.get("code"):
            retry_after = getattr(exc, "retry_after", None)
            return api_error_from_envelope(
                data,
                status_code=exchange.status,
                retry_after_ms=int(retry_after) if retry_after else retry_after_ms(exchange),
            )
    response_error = translate_response(exchange)
    if response_error is not None:
        return response_error
    return TransportError(
        f"the call failed unexpectedly ({type(exc).__name__}); this is a bug of hbr-clients",
        endpoint=exchange.endpoint,
    )
