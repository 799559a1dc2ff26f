"""The one module that spells STS's wire names: the ``AssumeRole`` and ``GetCallerIdentity``
answers.

As ``alibabacloud_sts20150401``'s ``AssumeRoleResponseBody`` reads it: ``RequestId``,
``AssumedRoleUser {Arn, AssumedRoleId}``, ``Credentials {AccessKeyId, AccessKeySecret,
SecurityToken, Expiration}`` (``Expiration`` ISO 8601 UTC, ``2026-12-07T07:00:00Z``).
"""

from __future__ import annotations

import json

from hbr_emulator.sts_models import Session

__all__ = ["render_assume_role", "render_caller_identity"]


def render_assume_role(*, request_id: str, session: Session) -> bytes:
    """Render the ``AssumeRole`` answer that hands out ``session``'s credentials."""
    credentials = session.credentials
    body = {
        "RequestId": request_id,
        "AssumedRoleUser": {"Arn": session.arn, "AssumedRoleId": session.assumed_role_id},
        "Credentials": {
            "AccessKeyId": credentials.access_key_id,
            "AccessKeySecret": credentials.access_key_secret,
            "SecurityToken": credentials.security_token,
            "Expiration": session.expiration,
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


def render_caller_identity(*, request_id: str, account_id: str, session: Session | None) -> bytes:
    """Render ``GetCallerIdentity``: the account's own key, or a role session of ``account_id``.

    As ``GetCallerIdentityResponseBody`` reads it: ``AccountId``, ``Arn``, ``IdentityType``
    (``Account`` or ``AssumedRoleUser``), ``PrincipalId``, ``RoleId``, ``UserId``.
    """
    body: dict[str, str] = {"RequestId": request_id, "AccountId": account_id}
    if session is None:
        body |= {
            "Arn": f"acs:ram::{account_id}:root",
            "IdentityType": "Account",
            "PrincipalId": account_id,
            "UserId": account_id,
        }
    else:
        role_id = session.assumed_role_id.split(":", 1)[0]
        body |= {
            "Arn": session.arn,
            "IdentityType": "AssumedRoleUser",
            "PrincipalId": session.assumed_role_id,
            "RoleId": role_id,
        }
    return json.dumps(body, separators=(",", ":")).encode()
