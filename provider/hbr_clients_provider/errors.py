"""Errors raised by the HBR clients provider.

Every error the package raises derives from :class:`HbrError`::

    HbrError
    ├── InvalidQuery       (also ValueError)      the inputs break a documented rule
    ├── ApiError                                  HBR answered with an error envelope
    ├── TransportError     (also ConnectionError) no usable HTTP answer: reset, timeout, bad body
    ├── CredentialsError                          no credentials, or the chain failed
    ├── TooManyClientsError                       TotalCount above the max_clients bound
    └── FleetChangedError                         the fleet kept changing while it was listed

Errors carry facts as attributes (``code``, ``request_id``, ``violations``...) so callers
assert on data, not on message text. Exceptions of ``alibabacloud-tea-openapi`` and
``darabonba`` are translated in exactly one place, :func:`map_exceptions`.

No error ever contains an AccessKey secret or a security token: messages are built from
the API's error envelope and from exception class names, never from request objects.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from typing import Any, Final

import attrs

__all__ = [
    "NOT_GIVEN",
    "ApiError",
    "CredentialsError",
    "DeadlineExceeded",
    "FleetChangedError",
    "HbrError",
    "InvalidQuery",
    "TooManyClientsError",
    "TransportError",
    "Violation",
    "map_exceptions",
]

#: The name of the one API operation this package calls; used in messages.
OPERATION = "DescribeBackupClients"


class HbrError(Exception):
    """Base class of every error raised by this package."""


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


class ApiError(HbrError):
    """HBR returned an error envelope (``Code``, ``Message``, ``RequestId``, ``Recommend``)."""

    def __init__(
        self,
        *,
        code: str,
        message: str,
        request_id: str | None = None,
        status_code: int | None = None,
        recommend: str | None = None,
        retryable: bool = False,
        retry_after_ms: int | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status_code = status_code
        self.recommend = recommend
        self.retryable = retryable
        self.retry_after_ms = retry_after_ms
        facts = []
        if status_code is not None:
            facts.append(f"HTTP {status_code}")
        if request_id:
            facts.append(f"request id {request_id}")
        where = f" ({', '.join(facts)})" if facts else ""
        msg = f"{OPERATION} failed: {code}{where}: {message}"
        super().__init__(msg)

    @property
    def throttled(self) -> bool:
        """Whether the service asked the caller to slow down."""
        return self.code.startswith("Throttling")


class TransportError(HbrError, ConnectionError):
    """No usable HTTP answer: connection refused or reset, a timeout, or an unreadable body."""

    def __init__(self, reason: str, *, timeout: bool = False) -> None:
        self.reason = reason
        self.timeout = timeout
        msg = f"{OPERATION} failed: {reason}"
        super().__init__(msg)

    @property
    def retryable(self) -> bool:
        """Transport failures of a read-only call are always worth another try."""
        return True


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
            f"{extra}; raise it with --deadline / deadline / hbr:deadline if the fleet is "
            "large or the network slow"
        )
        super().__init__(msg)

    @property
    def retryable(self) -> bool:
        """Never: the deadline is the caller's whole budget."""
        return False


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
            "large, raise the bound with --max-clients / max_clients / hbr:maxClients"
        )
        super().__init__(msg)


class CredentialsError(HbrError):
    """No credentials could be found, or the credential provider failed."""


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


def _envelope(exc: Any) -> dict[str, Any]:
    data = getattr(exc, "data", None)
    return data if isinstance(data, dict) else {}


def _api_error_from(exc: Any) -> ApiError:
    # Local import keeps errors.py free of policy; retry.py owns "what is retryable".
    from hbr_clients_provider.retry import is_retryable_code  # noqa: PLC0415

    envelope = _envelope(exc)
    code = str(envelope.get("Code") or getattr(exc, "code", None) or "Unknown")
    message = str(envelope.get("Message") or envelope.get("message") or "")
    request_id = envelope.get("RequestId") or getattr(exc, "request_id", None)
    if request_id in ("None", ""):
        request_id = None
    status = getattr(exc, "status_code", None)
    status_code = int(status) if status is not None else None
    recommend = envelope.get("Recommend")
    retry_after = getattr(exc, "retry_after", None)
    return ApiError(
        code=code,
        message=message,
        request_id=str(request_id) if request_id is not None else None,
        status_code=status_code,
        recommend=str(recommend) if recommend else None,
        retryable=is_retryable_code(code, status_code),
        retry_after_ms=int(retry_after) if retry_after else None,
    )


def _transport_error_from(inner: BaseException | None) -> TransportError:
    text = str(getattr(inner, "message", "") or inner or "")
    lowered = text.lower()
    if isinstance(inner, ValueError):
        return TransportError("the response body was not valid JSON")
    if "timed out" in lowered or "timeout" in lowered:
        return TransportError("the request timed out", timeout=True)
    if "reset" in lowered or "aborted" in lowered or "remotedisconnected" in lowered:
        return TransportError("the connection was reset")
    if "refused" in lowered:
        return TransportError("the connection was refused")
    kind = type(inner).__name__ if inner is not None else "unknown"
    return TransportError(f"network error ({kind})")


@contextlib.contextmanager
def map_exceptions() -> Iterator[None]:
    """Translate ``tea-openapi``/``darabonba``/credential exceptions into :class:`HbrError`.

    This is the only place that knows the dependency's exception classes::

        with map_exceptions():
            client.call_api(params, request, runtime)
    """
    from alibabacloud_credentials.exceptions import CredentialException  # noqa: PLC0415
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException  # noqa: PLC0415
    from darabonba.exceptions import ResponseException, UnretryableException  # noqa: PLC0415

    try:
        yield
    except HbrError:
        raise
    except (AlibabaCloudException, ResponseException) as exc:
        raise _api_error_from(exc) from None
    except UnretryableException as exc:
        inner = getattr(exc, "inner_exception", None)
        if isinstance(inner, CredentialException):
            msg = "could not obtain credentials from the credential provider"
            raise CredentialsError(msg) from None
        raise _transport_error_from(inner) from None
    except CredentialException:
        msg = "could not obtain credentials from the credential provider"
        raise CredentialsError(msg) from None
    except OSError as exc:
        raise _transport_error_from(exc) from None
