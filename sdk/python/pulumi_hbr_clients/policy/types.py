"""The resource types and property names the policies read, as pulumi-alicloud 4.0.0 spells them.

Each token and property name is the one of the pulumi-alicloud 4.0.0 Python SDK
(``pulumi_alicloud.hbr.PolicyBinding`` is ``alicloud:hbr/policyBinding:PolicyBinding``, its
``data_source_id`` is sent as ``dataSourceId``); ``tests/policy/test_alicloud_names.py``
reads them from the SDK's classes, so a rename there fails a test here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pulumi_hbr_clients.resource import BackupClients

__all__ = [
    "BACKUP_CLIENTS_TYPE",
    "DATA_SOURCE_ID",
    "ECS_BACKUP_CLIENT_TYPE",
    "ECS_BACKUP_PLAN_TYPE",
    "ECS_FILE",
    "ECS_INSTANCE_TYPE",
    "INSTANCE_ID",
    "INSTANCE_ID_PROPERTIES",
    "POLICY_BINDING_TYPE",
    "PROTECTION_PROPERTIES",
    "SOURCE_TYPE",
]

#: The type token of :class:`~pulumi_hbr_clients.BackupClients` in a stack.
BACKUP_CLIENTS_TYPE = f"pulumi-python:{BackupClients._resource_type_name}"

#: pulumi-alicloud's ECS instance.
ECS_INSTANCE_TYPE: Final = "alicloud:ecs/instance:Instance"

#: pulumi-alicloud's HBR ECS backup plan (the 1.x API; backs up files through the client).
ECS_BACKUP_PLAN_TYPE: Final = "alicloud:hbr/ecsBackupPlan:EcsBackupPlan"

#: pulumi-alicloud's HBR ECS backup client: installs the client on its ``instanceId``.
ECS_BACKUP_CLIENT_TYPE: Final = "alicloud:hbr/ecsBackupClient:EcsBackupClient"

#: pulumi-alicloud's HBR policy binding: binds a data source to an ``alicloud.hbr.Policy``.
POLICY_BINDING_TYPE: Final = "alicloud:hbr/policyBinding:PolicyBinding"

#: The ECS instance of an ``EcsBackupPlan`` and of an ``EcsBackupClient``.
INSTANCE_ID: Final = "instanceId"

#: A ``PolicyBinding``'s data source (the instance ID when :data:`SOURCE_TYPE` is ECS_FILE).
DATA_SOURCE_ID: Final = "dataSourceId"

#: A ``PolicyBinding``'s kind of data source.
SOURCE_TYPE: Final = "sourceType"

#: The ``sourceType`` that backs up an ECS instance's files, through its backup client.
#: (``UDM_ECS``, the whole-instance snapshot backup, needs no client.)
ECS_FILE: Final = "ECS_FILE"

#: Resource type -> the property naming the ECS instance it backs up through the client.
#: A ``PolicyBinding`` counts only when its ``sourceType`` is :data:`ECS_FILE`.
PROTECTION_PROPERTIES: Mapping[str, str] = {
    ECS_BACKUP_PLAN_TYPE: INSTANCE_ID,
    POLICY_BINDING_TYPE: DATA_SOURCE_ID,
}

#: Resource type -> the property that holds the ECS instance ID. A bridged
#: (Terraform-based) resource such as pulumi-alicloud's keeps its ID in the ``id`` output.
INSTANCE_ID_PROPERTIES: Mapping[str, str] = {
    ECS_INSTANCE_TYPE: "id",
    **PROTECTION_PROPERTIES,
}
