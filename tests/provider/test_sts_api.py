"""STS answers read into facts, or refused as malformed without quoting a secret."""

from __future__ import annotations

import pytest

from hbr_clients_provider.api.sts_api import read_assumed_role, read_caller_account
from hbr_clients_provider.errors import ApiError, MalformedResponseError

ENDPOINT = "sts.aliyuncs.com"


def test_caller_account_is_read() -> None:
    """``GetCallerIdentity``'s ``AccountId``."""
    answer = {"RequestId": "R1", "AccountId": "1234567890123456", "IdentityType": "Account"}
    assert read_caller_account(answer, ENDPOINT) == "1234567890123456"


@pytest.mark.parametrize("account", [None, "", "12ab", 1234])
def test_caller_account_that_is_not_an_id_is_malformed(account: object) -> None:
    """No ``AccountId`` of digits: a malformed answer naming the action."""
    with pytest.raises(MalformedResponseError, match="AccountId") as caught:
        read_caller_account({"RequestId": "R1", "AccountId": account}, ENDPOINT)
    assert "GetCallerIdentity" in str(caught.value)


def test_an_error_envelope_is_the_api_error() -> None:
    """``Code``/``Message`` is an :class:`ApiError`, never an empty identity."""
    with pytest.raises(ApiError) as caught:
        read_caller_account({"RequestId": "R2", "Code": "NoPermission", "Message": "no"}, ENDPOINT)
    assert caught.value.code == "NoPermission"


def test_assumed_role_without_credentials_never_quotes_them() -> None:
    """An incomplete ``Credentials`` is refused; the secret it did carry is not in the error."""
    answer = {"RequestId": "R3", "Credentials": {"AccessKeyId": "STS.x", "AccessKeySecret": "s3"}}
    with pytest.raises(MalformedResponseError) as caught:
        read_assumed_role(answer, ENDPOINT)
    assert "s3" not in str(caught.value)
