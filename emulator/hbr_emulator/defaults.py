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
"""The action that lists clients."""

REGIONS_ACTION = "DescribeRegions"
"""The action that lists the regions HBR is offered in."""

_REGION_IDS = (
    "cn-qingdao cn-beijing cn-zhangjiakou cn-huhehaote cn-wulanchabu cn-hangzhou "
    "cn-shanghai cn-shenzhen cn-heyuan cn-guangzhou cn-chengdu cn-hongkong cn-zhongwei "
    "ap-northeast-1 ap-northeast-2 ap-southeast-1 ap-southeast-3 ap-southeast-5 "
    "ap-southeast-6 ap-southeast-7 ap-southeast-8 us-east-1 us-west-1 us-southeast-1 "
    "na-south-1 eu-central-1 eu-west-1 me-east-1 me-central-1 cn-shanghai-finance-1 "
    "cn-beijing-finance-1 cn-shenzhen-finance-1 cn-hangzhou-finance"
)

#: The regions the emulated HBR says it is offered in (``DescribeRegions``), as
#: ``(RegionId, LocalName)``: those of the public HBR endpoint map on the day this was written.
REGIONS: tuple[tuple[str, str], ...] = tuple(
    (region, region.replace("-", " ").title()) for region in _REGION_IDS.split()
)

MAX_CLIENT_VERSION = "2.13.10"
"""Newest client version, reported as ``MaxClientVersion``."""

CLIENT_TYPES = ("ECS_CLIENT", "CONTAINER_CLIENT", "LOCAL_CLIENT")
"""Client types the ``ClientType`` parameter accepts."""

SELF_ACCOUNT = "self"
"""Account key of the caller's own fleet."""


def cross_account_key(user_id: int | str, role_name: str) -> str:
    """Return the account key of a cross-account fleet, ``cross:<uid>:<role>``."""
    return f"cross:{user_id}:{role_name}"
