"""Look up and audit Alibaba Cloud HBR backup clients from Pulumi programs.

* :class:`BackupClients` — the lookup as a resource: typed outputs, refresh, preview diffs.
* :func:`get_backup_clients` / :func:`get_backup_clients_output` — the lookup as a function.
"""

from pulumi_hbr_clients.lookup import (
    BackupClientsLookupError,
    GetBackupClientsResult,
    get_backup_clients,
    get_backup_clients_output,
)
from pulumi_hbr_clients.resource import BackupClients

__all__ = [
    "BackupClients",
    "BackupClientsLookupError",
    "GetBackupClientsResult",
    "get_backup_clients",
    "get_backup_clients_output",
]
