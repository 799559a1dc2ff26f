"""Default credentials, region and API identity of the emulator."""

from __future__ import annotations

DEFAULT_ACCESS_KEY_ID = "LTAI5tHbrEmulatorLocal"
"""AccessKey ID accepted when no other is configured."""

DEFAULT_ACCESS_KEY_SECRET = "hbr-emulator-local-secret"  # noqa: S105  # a public test secret
"""AccessKey secret paired with :data:`DEFAULT_ACCESS_KEY_ID`."""

DEFAULT_REGION = "cn-hangzhou"
"""Region the emulated fleet lives in."""

DEFAULT_CROSS_ACCOUNT_USER_ID = 1234567890123456
"""UID of the source account of the seeded cross-account fleet."""

DEFAULT_CROSS_ACCOUNT_ROLE_NAME = "hbrcrossrole"
"""RAM role name of the seeded cross-account fleet."""

API_VERSION = "2017-09-08"
"""The only API version the emulator answers."""

ACTION = "DescribeBackupClients"
"""The only action the emulator implements."""

MAX_CLIENT_VERSION = "2.13.10"
"""Newest client version, reported as ``MaxClientVersion``."""

CLIENT_TYPES = ("ECS_CLIENT", "CONTAINER_CLIENT", "LOCAL_CLIENT")
"""Client types the ``ClientType`` parameter accepts."""

SELF_ACCOUNT = "self"
"""Account key of the caller's own fleet."""


def cross_account_key(user_id: int | str, role_name: str) -> str:
    """Return the account key of a cross-account fleet, ``cross:<uid>:<role>``."""
    return f"cross:{user_id}:{role_name}"
