"""Tests of :mod:`hbr_clients_provider.errors` and :mod:`hbr_clients_provider.api.translate`."""

from __future__ import annotations

import urllib3.exceptions
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

from hbr_clients_provider.api.exchange import Exchange
from hbr_clients_provider.api.network import NetworkSettings
from hbr_clients_provider.api.translate import translate, translate_response
from hbr_clients_provider.errors import (
    ApiError,
    DeadlineExceeded,
    FleetChangedError,
    HbrError,
    HttpStatusError,
    InvalidJsonError,
    InvalidQuery,
    MalformedResponseError,
    RequestTimeoutError,
    TlsError,
    TransportError,
    Violation,
)


def exchange(status: int | None = None, body: bytes = b"", content_type: str = "") -> Exchange:
    """An exchange that got ``status`` with ``body``, as the policy session records it."""
    ex = Exchange(
        endpoint="hbr.example:443",
        network=NetworkSettings(),
        connect_timeout_s=5.0,
        read_timeout_s=10.0,
    )
    ex.used, ex.status, ex.body, ex.content_type = True, status, body, content_type or None
    return ex


def test_api_error_message_format() -> None:
    """The message names the operation, code, status, request ID and message."""
    error = ApiError(
        code="Throttling.User", message="slow down", request_id="1A2B", status_code=400
    )
    assert str(error) == (
        "DescribeBackupClients failed: Throttling.User (HTTP 400, request id 1A2B): slow down"
    )
    assert error.throttled


def test_translate_client_exception() -> None:
    """A tea ClientException becomes an ApiError carrying the envelope's facts."""
    envelope = {"RequestId": "R", "Code": "Forbidden.RAM", "Message": "denied", "Recommend": "see"}
    exc = ClientException(
        status_code=403, code="Forbidden.RAM", message="x", data=envelope, request_id="R"
    )
    error = translate(exc, exchange(403, b"{}", "application/json"))
    assert isinstance(error, ApiError)
    assert (error.code, error.status_code, error.request_id, error.recommend) == (
        "Forbidden.RAM", 403, "R", "see",
    )  # fmt: skip
    assert error.message == "denied"


def test_translate_throttling_retry_after() -> None:
    """A ThrottlingException keeps its retry-after."""
    exc = ThrottlingException(
        status_code=400,
        code="Throttling",
        message="m",
        retry_after=1500,
        data={"Code": "Throttling"},
        request_id="R",
    )
    error = translate(exc, exchange(400, b"{}"))
    assert isinstance(error, ApiError)
    assert error.retry_after_ms == 1500


def test_translate_html_502_names_the_gateway() -> None:
    """An HTML 502 is an HttpStatusError that says a proxy or gateway answered."""
    body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    error = translate(RuntimeError("Failed to parse"), exchange(502, body, "text/html"))
    assert isinstance(error, HttpStatusError)
    assert (error.status, error.content_type, error.endpoint) == (
        502,
        "text/html",
        "hbr.example:443",
    )
    assert str(error).startswith(
        "HTTP 502 with an HTML body from hbr.example:443: a proxy or gateway answered, not HBR"
    )
    assert "502 Bad Gateway" in str(error)


def test_translate_invalid_json_on_200() -> None:
    """A 200 whose body is not JSON says so and quotes its first bytes."""
    error = translate(RuntimeError("Failed to parse"), exchange(200, b"{not json", "text/plain"))
    assert isinstance(error, InvalidJsonError)
    assert str(error).startswith("the response is not JSON: HTTP 200 with a text/plain body")
    assert "'{not json'" in str(error)


def test_translate_response_redirect_not_followed() -> None:
    """A redirect is reported with its target and never taken for an answer."""
    ex = exchange(302, b"", "text/html")
    ex.location = "https://elsewhere.example/"
    error = translate_response(ex)
    assert isinstance(error, HttpStatusError)
    assert "redirect to https://elsewhere.example/" in str(error)
    assert "not followed" in str(error)


def test_translate_keeps_the_original_network_error() -> None:
    """The exception the session recorded wins over darabonba's RetryError wrapper."""
    ex = exchange()
    ex.error = urllib3.exceptions.ReadTimeoutError(None, "/", "Read timed out.")  # type: ignore[arg-type]
    error = translate(RuntimeError("RetryError"), ex)
    assert isinstance(error, RequestTimeoutError)
    assert (error.which, error.timeout_s, error.timeout) == ("read", 10.0, True)
    assert "the read timeout of 10 s passed (--read-timeout sets it)" in str(error)


def test_tls_error_says_how_to_trust_a_private_ca() -> None:
    """A certificate failure names the problem and REQUESTS_CA_BUNDLE / --ca-bundle."""
    error = TlsError(
        endpoint="h:443", problem="self-signed certificate", verification=True, ca_source="certifi"
    )
    text = str(error)
    assert "certificate verify failed: self-signed certificate" in text
    assert "REQUESTS_CA_BUNDLE" in text
    assert "--ca-bundle" in text


def test_malformed_response_names_what_is_missing() -> None:
    """A malformed response names the request ID and the problem."""
    error = MalformedResponseError("TotalCount is missing", endpoint="h", request_id="X")
    assert str(error) == (
        "malformed DescribeBackupClients response from h (request id X): TotalCount is missing"
    )


def test_error_hierarchy() -> None:
    """Errors subclass the matching builtins."""
    assert issubclass(InvalidQuery, ValueError)
    assert issubclass(TransportError, ConnectionError)
    assert issubclass(RequestTimeoutError, TimeoutError)
    assert issubclass(DeadlineExceeded, TimeoutError)
    assert issubclass(FleetChangedError, HbrError)
    invalid = InvalidQuery((Violation(field="page_size", rule="must be between 1 and 99"),))
    assert "page_size" in str(invalid)
    assert "changed while it was being listed" in str(FleetChangedError(3))


def test_error_text_shows_server_escapes_as_text() -> None:
    """str() of an error quoting a hostile message escapes ESC, BEL, C1 and bidi; facts stay."""
    hostile = "boom\x1b]0;pwned\x07\x1b[2J\x9b\u202e"
    error = ApiError(code="Bad\x1b[2J", message=hostile, request_id="R\x07")
    assert str(error) == (
        r"DescribeBackupClients failed: Bad\x1b[2J (request id R\x07): "
        r"boom\x1b]0;pwned\x07\x1b[2J\x9b\u202e"
    )
    assert error.message == hostile
    assert error.code == "Bad\x1b[2J"
