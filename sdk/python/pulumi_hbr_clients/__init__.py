"""Look up and audit Alibaba Cloud HBR backup clients from Pulumi programs.

* :class:`BackupClients` — the lookup as a resource: typed outputs, refresh, preview diffs.
* :func:`get_backup_clients` / :func:`get_backup_clients_output` — the lookup as a function.
* :func:`audit_backup_clients` / :func:`audit_backup_clients_output` — audit a lookup's
  clients and stop the deploy (:class:`BackupAuditFailed`) when there are too many findings.
* :func:`get_backup_coverage` / :func:`audit_backup_coverage` (and their ``_output`` forms) —
  the estate: is every ECS instance in scope backed up, in every region
  (:class:`BackupCoverageFailed` when not).
"""

from hbr_clients_provider.api.models import BackupClient, ClientSettings, Tag
from hbr_clients_provider.package import package_version
from pulumi_hbr_clients.audit import (
    AuditReport,
    BackupAuditFailed,
    BackupAuditInputError,
    audit_arguments_from_config,
    audit_backup_clients,
    audit_backup_clients_output,
)
from pulumi_hbr_clients.coverage import (
    BackupCoverageFailed,
    BackupCoverageLookupError,
    CoverageReport,
    audit_backup_coverage,
    audit_backup_coverage_output,
    get_backup_coverage,
    get_backup_coverage_output,
)
from pulumi_hbr_clients.lookup import (
    BackupClientsLookupError,
    GetBackupClientsResult,
    get_backup_clients,
    get_backup_clients_output,
)
from pulumi_hbr_clients.resource import BackupClients, BackupClientsInputError

__version__: str = package_version()
"""The installed version of ``pulumi-hbr-clients``, from the package metadata."""

__all__ = [
    "AuditReport",
    "BackupAuditFailed",
    "BackupAuditInputError",
    "BackupClient",
    "BackupClients",
    "BackupClientsInputError",
    "BackupClientsLookupError",
    "BackupCoverageFailed",
    "BackupCoverageLookupError",
    "ClientSettings",
    "CoverageReport",
    "GetBackupClientsResult",
    "Tag",
    "audit_arguments_from_config",
    "audit_backup_clients",
    "audit_backup_clients_output",
    "audit_backup_coverage",
    "audit_backup_coverage_output",
    "get_backup_clients",
    "get_backup_clients_output",
    "get_backup_coverage",
    "get_backup_coverage_output",
]
