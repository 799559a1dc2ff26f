"""The one module that spells STS's wire names: the ``AssumeRole`` answer.

As ``alibabacloud_sts20150401``'s ``AssumeRoleResponseBody`` reads it: ``RequestId``,
``AssumedRoleUser {Arn, AssumedRoleId}``, ``Credentials {AccessKeyId, AccessKeySecret,
SecurityToken, Expiration}`` (``Expiration`` ISO 8601 UTC, ``2026-12-07T07:00:00Z``).
"""

from __future__ import annotations

import json

from hbr_emulator.sts_models import Session

__all__ = ["render_assume_role"]


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
