"""Signature algorithms: ACS3-HMAC-SHA256 (current SDKs) and the RPC HMAC-SHA1 (older SDKs).

Pure functions, shared by the verifier (:mod:`hbr_emulator.auth`) and by anyone
who wants to hand-sign a request (:func:`sign_acs3`), e.g. a benchmark.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote, urlencode

ACS3_ALGORITHM = "ACS3-HMAC-SHA256"
"""The ``Authorization`` scheme this module verifies and signs."""

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Format of ``x-acs-date`` and of the RPC ``Timestamp``."""


def percent_encode(value: str) -> str:
    """RFC 3986-encode ``value`` (only unreserved characters stay as they are)."""
    return quote(value, safe="~")


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Return the sorted, RFC 3986-encoded query string ACS3 signs."""
    return "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(pairs, key=lambda p: p[0])
    )


def canonical_headers(headers: Mapping[str, Sequence[str]], names: Sequence[str]) -> str:
    """Return ``name:value\\n`` for each signed header, values stripped and comma-joined."""
    lines = []
    for name in names:
        values = sorted(v.strip() for v in headers.get(name, ()))
        lines.append(f"{name}:{','.join(values)}\n")
    return "".join(lines)


def acs3_signature(
    *,
    secret: str,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    """Return the hex ACS3-HMAC-SHA256 signature of a request."""
    canonical_request = "\n".join(
        (
            method,
            path or "/",
            canonical_query(query),
            canonical_headers(headers, signed_headers),
            ";".join(signed_headers),
            payload_hash,
        )
    )
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    string_to_sign = f"{ACS3_ALGORITHM}\n{digest}"
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def rpc_string_to_sign(*, method: str, params: Iterable[tuple[str, str]]) -> str:
    """Return the RPC string to sign: ``METHOD&%2F&`` + the encoded canonical query."""
    canonical = canonical_query((k, v) for k, v in params if k != "Signature")
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def rpc_signature(*, secret: str, string_to_sign: str, algorithm: str) -> str:
    """Return the base64 RPC signature (``HMAC-SHA1`` or ``HMAC-SHA256``) of a string to sign."""
    digestmod = hashlib.sha256 if algorithm == "HMAC-SHA256" else hashlib.sha1
    mac = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), digestmod)
    return base64.b64encode(mac.digest()).decode()


def sign_acs3(
    *,
    access_key_id: str,
    access_key_secret: str,
    host: str,
    action: str,
    version: str,
    query: Mapping[str, str] | None = None,
    form: Mapping[str, str] | None = None,
    method: str = "POST",
    date: dt.datetime | None = None,
    nonce: str | None = None,
    security_token: str | None = None,
) -> tuple[str, dict[str, str], bytes]:
    """Sign a request the way the official SDK does.

    Returns the request target (``/?<query>``), the headers to send and the body.
    """
    body = urlencode(dict(form)).encode() if form else b""
    moment = date or dt.datetime.now(dt.UTC)
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": moment.strftime(TIME_FORMAT),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        "accept": "application/json",
    }
    if form:
        headers["content-type"] = "application/x-www-form-urlencoded"
    if security_token:
        headers["x-acs-security-token"] = security_token
    names = sorted(headers)
    pairs = list((query or {}).items())
    signature = acs3_signature(
        secret=access_key_secret,
        method=method,
        path="/",
        query=pairs,
        headers={k: [v] for k, v in headers.items()},
        signed_headers=names,
        payload_hash=headers["x-acs-content-sha256"],
    )
    headers["Authorization"] = (
        f"{ACS3_ALGORITHM} Credential={access_key_id},"
        f"SignedHeaders={';'.join(names)},Signature={signature}"
    )
    target = "/?" + canonical_query(pairs) if pairs else "/"
    return target, headers, body
