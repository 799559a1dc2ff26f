"""Documented value sets of ``DescribeBackupClients`` (API 2017-09-08)."""

from __future__ import annotations

__all__ = [
    "BACKUP_STATUSES",
    "CLIENT_STATUSES",
    "CLIENT_TYPES",
    "CROSS_ACCOUNT_TYPES",
    "MAX_PAGE_SIZE",
    "MAX_TAGS",
]

#: ``ClientType`` values; ``LOCAL_CLIENT`` is documented by the current Python SDK only.
CLIENT_TYPES: tuple[str, ...] = ("ECS_CLIENT", "CONTAINER_CLIENT", "LOCAL_CLIENT")

#: ``CrossAccountType`` values.
CROSS_ACCOUNT_TYPES: tuple[str, ...] = ("SELF_ACCOUNT", "CROSS_ACCOUNT")

#: The twelve documented client ``Status`` values.
CLIENT_STATUSES: tuple[str, ...] = (
    "REGISTERED",
    "ACTIVATED",
    "DEACTIVATED",
    "INSTALLING",
    "INSTALL_FAILED",
    "NOT_INSTALLED",
    "UPGRADING",
    "UPGRADE_FAILED",
    "UNINSTALLING",
    "UNINSTALL_FAILED",
    "STOPPED",
    "UNKNOWN",
)

#: ``BackupStatus`` values.
BACKUP_STATUSES: tuple[str, ...] = ("PROTECTED", "UNPROTECTED")

#: The largest ``PageSize`` the API accepts.
MAX_PAGE_SIZE = 99

#: The most ``Tag`` entries one request may carry.
MAX_TAGS = 20
