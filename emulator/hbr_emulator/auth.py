"""Authentication of API calls: which key, whether the signature, date, nonce and token hold.

:func:`authenticate` picks the scheme (ACS3 when an ``Authorization`` header is
sent, RPC when the signature travels as parameters) and raises the error the
real service answers with. The keys it accepts are the emulator's one access key
(:class:`Credentials`) and, in an organisation, the temporary keys STS issued; each
says which account it belongs to and, for STS keys, when it expires.
"""

from __future__ import annotations

import calendar
import collections
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import attrs

from hbr_emulator.defaults import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.exceptions import (
    IncompleteSignature,
    InvalidAccessKeyIdNotFound,
    InvalidSecurityTokenExpired,
    InvalidSecurityTokenMismatch,
    InvalidTimeStampExpired,
    InvalidTimeStampFormat,
    SignatureDoesNotMatch,
    SignatureNonceUsed,
)
from hbr_emulator.signing import (
    ACS3_ALGORITHM,
    TIME_FORMAT,
    acs3_signature,
    rpc_signature,
    rpc_string_to_sign,
)

CLOCK_SKEW_S = 15 * 60
"""How far a request date may be from the server clock, and how long a nonce is remembered."""

REQUIRED_SIGNED_HEADERS = frozenset(
    {
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    }
)
"""Headers an ACS3 request must sign."""

RPC_REQUIRED = ("AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp")
"""Parameters an RPC-signed request must carry."""

_AUTHORIZATION = re.compile(
    r"^(?P<algorithm>\S+) Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-fA-F]+)$"
)


@attrs.frozen(kw_only=True)
class Credentials:
    """An access key the emulator accepts, and the STS token that must come with it.

    ``account_id`` None is the emulator's own (management) account; STS keys name the
    member account they act in and carry ``expires_at`` (epoch seconds).
    """

    access_key_id: str = DEFAULT_ACCESS_KEY_ID
    access_key_secret: str = attrs.field(default=DEFAULT_ACCESS_KEY_SECRET, repr=False)
    security_token: str | None = attrs.field(default=None, repr=False)
    account_id: str | None = None
    expires_at: float | None = None


KeyLookup = Callable[[str], Credentials | None]
"""Returns the credentials of an AccessKey ID, None for a key the emulator does not know."""


@attrs.frozen(kw_only=True)
class Identity:
    """Who called, what they asked for, and with which scheme (``ACS3`` or ``RPC``).

    ``account_id`` is the account the key acts in (None: the emulator's own account).
    """

    access_key_id: str
    action: str
    version: str
    scheme: str
    account_id: str | None = None


class NonceCache:
    """Remembers signature nonces for :data:`CLOCK_SKEW_S` seconds."""

    def __init__(self) -> None:
        """Start with no nonce seen."""
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], float] = {}
        self._order: collections.deque[tuple[float, tuple[str, str]]] = collections.deque()

    def use(self, access_key_id: str, nonce: str, now: float) -> None:
        """Record ``nonce``; raise ``SignatureNonceUsed`` if it was used in the window."""
        key = (access_key_id, nonce)
        with self._lock:
            while self._order and self._order[0][0] < now - CLOCK_SKEW_S:
                _, old = self._order.popleft()
                self._seen.pop(old, None)
            if key in self._seen:
                raise SignatureNonceUsed
            self._seen[key] = now
            self._order.append((now, key))


def _check_time(value: str, now: float) -> None:
    try:
        stamp = calendar.timegm(time.strptime(value, TIME_FORMAT))
    except ValueError:
        msg = f"Specified time stamp or date value is not well formatted: {value!r}."
        raise InvalidTimeStampFormat(msg) from None
    if abs(now - stamp) > CLOCK_SKEW_S:
        raise InvalidTimeStampExpired


def _resolve_key(
    access_key_id: str, credentials: Credentials, keys: KeyLookup | None
) -> Credentials:
    found = keys(access_key_id) if keys is not None else None
    if found is None and access_key_id == credentials.access_key_id:
        found = credentials
    if found is None:
        raise InvalidAccessKeyIdNotFound
    return found


def _check_token(token: str | None, credentials: Credentials, now: float) -> None:
    if credentials.security_token is not None and token != credentials.security_token:
        raise InvalidSecurityTokenMismatch
    if credentials.expires_at is not None and now >= credentials.expires_at:
        raise InvalidSecurityTokenExpired


def _first(headers: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def authenticate(
    *,
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, Sequence[str]],
    body: bytes,
    params: Mapping[str, str],
    credentials: Credentials,
    nonces: NonceCache,
    now: float | None = None,
    keys: KeyLookup | None = None,
) -> Identity:
    """Authenticate one API call; ``headers`` are keyed by lowercase name.

    The access key is ``credentials``' or one ``keys`` knows. Checks run in this order:
    form of the signature, access key, date, signature, nonce, STS token (then its
    expiry); the first that fails raises its :mod:`exceptions` error.
    """
    moment = time.time() if now is None else now
    authorization = _first(headers, "authorization")
    if authorization is not None:
        return _authenticate_acs3(
            authorization,
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
            credentials=credentials,
            nonces=nonces,
            now=moment,
            keys=keys,
        )
    if "Signature" in params or "AccessKeyId" in params:
        return _authenticate_rpc(method, params, credentials, nonces, moment, keys=keys)
    msg = "The request carries neither an Authorization header nor an RPC signature."
    raise IncompleteSignature(msg)


def _authenticate_acs3(
    authorization: str,
    *,
    method: str,
    path: str,
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, Sequence[str]],
    body: bytes,
    credentials: Credentials,
    nonces: NonceCache,
    now: float,
    keys: KeyLookup | None,
) -> Identity:
    match = _AUTHORIZATION.match(authorization.strip())
    if match is None or match["algorithm"] != ACS3_ALGORITHM:
        msg = f"The Authorization header is not a valid {ACS3_ALGORITHM} authorization."
        raise IncompleteSignature(msg)
    signed = match["signed"].split(";")
    missing = sorted(REQUIRED_SIGNED_HEADERS.difference(signed))
    if missing:
        msg = f"These headers must be signed: {', '.join(missing)}."
        raise IncompleteSignature(msg)
    absent = [name for name in signed if name not in headers]
    if absent:
        msg = f"Signed headers are missing from the request: {', '.join(absent)}."
        raise IncompleteSignature(msg)
    access_key_id = match["credential"]
    found = _resolve_key(access_key_id, credentials, keys)
    _check_time(headers["x-acs-date"][0], now)
    payload_hash = headers["x-acs-content-sha256"][0]
    if not hmac.compare_digest(payload_hash, hashlib.sha256(body).hexdigest()):
        msg = "The body does not match the x-acs-content-sha256 header."
        raise SignatureDoesNotMatch(msg)
    expected = acs3_signature(
        secret=found.access_key_secret,
        method=method,
        path=path,
        query=query,
        headers=headers,
        signed_headers=signed,
        payload_hash=payload_hash,
    )
    if not hmac.compare_digest(expected, match["signature"].lower()):
        raise SignatureDoesNotMatch
    nonces.use(access_key_id, headers["x-acs-signature-nonce"][0], now)
    token = _first(headers, "x-acs-security-token")
    if token is not None and "x-acs-security-token" not in signed:
        msg = "x-acs-security-token must be signed."
        raise IncompleteSignature(msg)
    _check_token(token, found, now)
    return Identity(
        access_key_id=access_key_id,
        action=headers["x-acs-action"][0],
        version=headers["x-acs-version"][0],
        scheme="ACS3",
        account_id=found.account_id,
    )


def _authenticate_rpc(
    method: str,
    params: Mapping[str, str],
    credentials: Credentials,
    nonces: NonceCache,
    now: float,
    *,
    keys: KeyLookup | None,
) -> Identity:
    missing = [name for name in RPC_REQUIRED if not params.get(name)]
    if missing:
        msg = f"RPC signature parameters are missing: {', '.join(missing)}."
        raise IncompleteSignature(msg)
    algorithm = params["SignatureMethod"]
    if algorithm not in {"HMAC-SHA1", "HMAC-SHA256"}:
        msg = f"SignatureMethod {algorithm!r} is not supported."
        raise IncompleteSignature(msg)
    access_key_id = params["AccessKeyId"]
    found = _resolve_key(access_key_id, credentials, keys)
    _check_time(params["Timestamp"], now)
    string_to_sign = rpc_string_to_sign(method=method, params=params.items())
    expected = rpc_signature(
        secret=found.access_key_secret, string_to_sign=string_to_sign, algorithm=algorithm
    )
    if not hmac.compare_digest(expected, params["Signature"]):
        # The service quotes its string to sign; older SDKs compare it with theirs to
        # tell a wrong secret (same string) from a wrongly built request.
        msg = (
            "Specified signature is not matched with our calculation. "
            f"server string to sign is:{string_to_sign}"
        )
        raise SignatureDoesNotMatch(msg)
    nonces.use(access_key_id, params["SignatureNonce"], now)
    _check_token(params.get("SecurityToken"), found, now)
    return Identity(
        access_key_id=access_key_id,
        action=params.get("Action", ""),
        version=params.get("Version", ""),
        scheme="RPC",
        account_id=found.account_id,
    )
