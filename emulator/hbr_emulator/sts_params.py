"""Validation of STS ``AssumeRole`` parameters into an :class:`AssumeRoleQuery`.

As ``alibabacloud_sts20150401``'s ``AssumeRoleRequest`` documents them: ``RoleArn``
(``acs:ram::<account-id>:role/<role-name>``, required), ``RoleSessionName`` (2-64
letters, digits, ``.``, ``@``, ``-``, ``_``; required), ``DurationSeconds`` (900 to the
role's maximum, 3600 here; default 3600), ``Policy`` (1-2048 characters, a JSON policy
document). ``ExternalId`` and ``SourceIdentity`` are accepted and not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import attrs

from hbr_emulator.exceptions import (
    InvalidParameterDurationSeconds,
    InvalidParameterPolicyGrammar,
    InvalidParameterRoleSessionName,
    MissingRoleArn,
    MissingRoleSessionName,
)
from hbr_emulator.sts_models import RoleArn

__all__ = [
    "DEFAULT_DURATION_S",
    "MAX_DURATION_S",
    "MAX_POLICY_LENGTH",
    "MIN_DURATION_S",
    "AssumeRoleQuery",
    "parse_assume_role",
]

MIN_DURATION_S = 900
"""Shortest ``DurationSeconds``."""

MAX_DURATION_S = 3600
"""Longest ``DurationSeconds``: every emulated role's ``MaxSessionDuration``."""

DEFAULT_DURATION_S = 3600
"""``DurationSeconds`` when not sent."""

MAX_POLICY_LENGTH = 2048
"""Longest ``Policy``."""

_SESSION_NAME = re.compile(r"^[A-Za-z0-9.@_-]{2,64}$")


@attrs.frozen(kw_only=True)
class AssumeRoleQuery:
    """A validated ``AssumeRole`` request."""

    role_arn: RoleArn
    session_name: str
    duration_s: int = DEFAULT_DURATION_S
    policy: str | None = None


def _duration(params: Mapping[str, str]) -> int:
    raw = params.get("DurationSeconds")
    if raw is None or raw == "":
        return DEFAULT_DURATION_S
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not MIN_DURATION_S <= value <= MAX_DURATION_S:
        msg = (
            f"The Min/Max value of DurationSeconds is {MIN_DURATION_S}/{MAX_DURATION_S} "
            f"seconds, got {raw!r}."
        )
        raise InvalidParameterDurationSeconds(msg)
    return value


def _policy(params: Mapping[str, str]) -> str | None:
    raw = params.get("Policy")
    if raw is None or raw == "":
        return None
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    if len(raw) > MAX_POLICY_LENGTH or not isinstance(document, dict):
        msg = (
            "The parameter Policy has not passed grammar check: it must be a JSON policy "
            f"document of at most {MAX_POLICY_LENGTH} characters."
        )
        raise InvalidParameterPolicyGrammar(msg)
    return raw


def parse_assume_role(params: Mapping[str, str]) -> AssumeRoleQuery:
    """Validate the parameters of an ``AssumeRole`` call.

    Raises ``MissingRoleArn``, ``InvalidParameter.RoleArn``, ``MissingRoleSessionName``,
    ``InvalidParameter.RoleSessionName``, ``InvalidParameter.DurationSeconds`` or
    ``InvalidParameter.PolicyGrammar``, checked in that order.
    """
    raw_arn = params.get("RoleArn") or ""
    if not raw_arn:
        raise MissingRoleArn
    role_arn = RoleArn.parse(raw_arn)
    session_name = params.get("RoleSessionName") or ""
    if not session_name:
        raise MissingRoleSessionName
    if not _SESSION_NAME.match(session_name):
        msg = (
            f"The parameter RoleSessionName is wrongly formed: {session_name!r} is not 2 to 64 "
            "letters, digits, '.', '@', '-' or '_'."
        )
        raise InvalidParameterRoleSessionName(msg)
    return AssumeRoleQuery(
        role_arn=role_arn,
        session_name=session_name,
        duration_s=_duration(params),
        policy=_policy(params),
    )
