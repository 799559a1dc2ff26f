"""STS (2015-04-01) as ``Operation`` s: ``AssumeRole`` reaches a member account,
``GetCallerIdentity`` names the caller's own.

The request follows the official ``alibabacloud-sts20150401`` SDK (every parameter in the
query string). :func:`read_assumed_role` validates an answer into :class:`AssumedRole`, whose
secret and token never appear in a ``repr`` (nor, through it, in a log or an error).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import attrs

from hbr_clients_provider.api.models import check_envelope
from hbr_clients_provider.api.operations import Operation
from hbr_clients_provider.api.pages import query_encoder
from hbr_clients_provider.errors import MalformedResponseError

__all__ = [
    "ASSUME_ROLE",
    "DEFAULT_DURATION_S",
    "GET_CALLER_IDENTITY",
    "MAX_DURATION_S",
    "MIN_DURATION_S",
    "PRODUCT",
    "SESSION_NAME",
    "AssumedRole",
    "read_assumed_role",
    "read_caller_account",
    "role_arn",
]

PRODUCT: Final = "sts"
ACTION: Final = "AssumeRole"

#: ``DurationSeconds`` bounds: 900 s up to the role's maximum (3,600 s unless raised).
MIN_DURATION_S: Final = 900
MAX_DURATION_S: Final = 3600
DEFAULT_DURATION_S: Final = 3600

#: The ``RoleSessionName`` of every session this package opens: it names the tool in the
#: member account's ActionTrail (2-64 letters, digits, ``.``, ``@``, ``-``, ``_``).
SESSION_NAME: Final = "hbr-clients-audit"

_NAMES: Final[Mapping[str, str]] = {
    "role_arn": "RoleArn",
    "role_session_name": "RoleSessionName",
    "duration_seconds": "DurationSeconds",
}
_ACCOUNT_ID = re.compile(r"[0-9]{1,32}")
_ROLE_NAME = re.compile(r"[A-Za-z0-9.\-_]{1,64}")


def role_arn(account_id: str, role_name: str) -> str:
    """``acs:ram::<account-id>:role/<role-name>`` (RAM lowercases role names in ARNs)."""
    return f"acs:ram::{account_id}:role/{role_name.lower()}"


def valid_role_name(name: str) -> bool:
    """Whether ``name`` can be a RAM role name (1-64 letters, digits, ``.``, ``-``, ``_``)."""
    return _ROLE_NAME.fullmatch(name) is not None


def valid_account_id(value: str) -> bool:
    """Whether ``value`` looks like an Alibaba Cloud account ID (digits)."""
    return _ACCOUNT_ID.fullmatch(value) is not None


encode = query_encoder(ACTION, _NAMES)


@attrs.frozen(kw_only=True)
class AssumedRole:
    """Temporary credentials of one role session; the secret and token are never shown."""

    access_key_id: str
    access_key_secret: str = attrs.field(repr=False)
    security_token: str = attrs.field(repr=False)
    expiration: datetime
    arn: str | None = None

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds until the credentials expire (negative once they have)."""
        return (self.expiration - (now or datetime.now(UTC))).total_seconds()


def _expiration(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read_assumed_role(data: Mapping[str, Any], endpoint: str) -> AssumedRole:
    """Validate an ``AssumeRole`` answer into :class:`AssumedRole`.

    :raises ApiError: an error envelope.
    :raises MalformedResponseError: no complete ``Credentials`` (the values are never quoted).
    """
    rid = check_envelope(data, endpoint=endpoint)
    credentials = data.get("Credentials")
    fields = ("AccessKeyId", "AccessKeySecret", "SecurityToken")
    if not isinstance(credentials, Mapping) or not all(
        isinstance(credentials.get(f), str) and credentials.get(f) for f in fields
    ):
        problem = "Credentials lacks AccessKeyId, AccessKeySecret or SecurityToken"
        raise MalformedResponseError(problem, endpoint=endpoint, request_id=rid, operation=ACTION)
    expiration = _expiration(credentials.get("Expiration"))
    if expiration is None:
        problem = "Credentials.Expiration is not an ISO 8601 time"
        raise MalformedResponseError(problem, endpoint=endpoint, request_id=rid, operation=ACTION)
    user = data.get("AssumedRoleUser")
    arn = user.get("Arn") if isinstance(user, Mapping) else None
    return AssumedRole(
        access_key_id=credentials["AccessKeyId"],
        access_key_secret=credentials["AccessKeySecret"],
        security_token=credentials["SecurityToken"],
        expiration=expiration,
        arn=arn if isinstance(arn, str) else None,
    )


#: ``AssumeRole``: it does not page.
ASSUME_ROLE: Final = Operation(product=PRODUCT, version="2015-04-01", action=ACTION, encode=encode)


def read_caller_account(data: Mapping[str, Any], endpoint: str) -> str:
    """The ``AccountId`` of a ``GetCallerIdentity`` answer.

    :raises ApiError: an error envelope.
    :raises MalformedResponseError: no ``AccountId`` of digits.
    """
    rid = check_envelope(data, endpoint=endpoint)
    account_id = data.get("AccountId")
    if not isinstance(account_id, str) or not valid_account_id(account_id):
        problem = "AccountId is missing or not an account ID"
        raise MalformedResponseError(
            problem, endpoint=endpoint, request_id=rid, operation="GetCallerIdentity"
        )
    return account_id


#: ``GetCallerIdentity``: no parameters, it does not page.
GET_CALLER_IDENTITY: Final = Operation(
    product=PRODUCT,
    version="2015-04-01",
    action="GetCallerIdentity",
    encode=query_encoder("GetCallerIdentity", {}),
)
