"""The resource types the policies read, and where each carries an ECS instance ID."""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_hbr_clients.resource import BackupClients

__all__ = [
    "BACKUP_CLIENTS_TYPE",
    "ECS_BACKUP_CLIENT_TYPE",
    "ECS_BACKUP_PLAN_TYPE",
    "ECS_INSTANCE_TYPE",
    "INSTANCE_ID_PROPERTIES",
]

#: The type token of :class:`~pulumi_hbr_clients.BackupClients` in a stack.
BACKUP_CLIENTS_TYPE = f"pulumi-python:{BackupClients._resource_type_name}"

#: pulumi-alicloud's ECS instance.
ECS_INSTANCE_TYPE = "alicloud:ecs/instance:Instance"

#: pulumi-alicloud's HBR ECS backup plan.
ECS_BACKUP_PLAN_TYPE = "alicloud:hbr/ecsBackupPlan:EcsBackupPlan"

#: pulumi-alicloud's HBR ECS backup client: installs the client on its ``instanceId``.
ECS_BACKUP_CLIENT_TYPE = "alicloud:hbr/ecsBackupClient:EcsBackupClient"

#: Resource type -> the property that holds the ECS instance ID. A bridged
#: (Terraform-based) resource such as pulumi-alicloud's keeps its ID in the ``id`` output.
INSTANCE_ID_PROPERTIES: Mapping[str, str] = {
    ECS_INSTANCE_TYPE: "id",
    ECS_BACKUP_PLAN_TYPE: "instanceId",
}
