"""Tests of :mod:`hbr_clients_provider.errors`: messages, facts and translation."""

from __future__ import annotations

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

from hbr_clients_provider.errors import (
    ApiError,
    FleetChangedError,
    HbrError,
    InvalidQuery,
    TransportError,
    Violation,
    map_exceptions,
)


def test_api_error_message_format() -> None:
    """The message names the operation, code, status, request ID and message."""
    error = ApiError(
        code="Throttling.User", message="slow down", request_id="1A2B", status_code=400
    )
    assert str(error) == (
        "DescribeBackupClients failed: Throttling.User (HTTP 400, request id 1A2B): slow down"
    )
    assert error.throttled


def test_map_exceptions_client_exception() -> None:
    """A tea ClientException becomes an ApiError carrying the envelope's facts."""
    envelope = {"RequestId": "R", "Code": "Forbidden.RAM", "Message": "denied", "Recommend": "see"}
    with pytest.raises(ApiError) as info, map_exceptions():
        raise ClientException(
            status_code=403, code="Forbidden.RAM", message="x", data=envelope, request_id="R"
        )
    error = info.value
    assert (error.code, error.status_code, error.request_id, error.recommend) == (
        "Forbidden.RAM", 403, "R", "see",
    )  # fmt: skip
    assert error.message == "denied"
    assert not error.retryable


def test_map_exceptions_throttling_retry_after() -> None:
    """A ThrottlingException keeps its retry-after and is retryable."""
    with pytest.raises(ApiError) as info, map_exceptions():
        raise ThrottlingException(
            status_code=400,
            code="Throttling",
            message="m",
            retry_after=1500,
            data={},
            request_id="R",
        )
    assert info.value.retry_after_ms == 1500
    assert info.value.retryable


def test_error_hierarchy() -> None:
    """Errors subclass the matching builtins."""
    assert issubclass(InvalidQuery, ValueError)
    assert issubclass(TransportError, ConnectionError)
    assert issubclass(FleetChangedError, HbrError)
    invalid = InvalidQuery((Violation(field="page_size", rule="must be between 1 and 99"),))
    assert "page_size" in str(invalid)
    assert "changed while it was being listed" in str(FleetChangedError(3))
