"""Put every activated ECS instance whose backup client is unprotected under a backup plan.

The real-cloud pattern: the lookup finds the clients, and ``pulumi_alicloud`` creates one
``hbr.EcsBackupPlan`` per instance. Configuration:

* ``alicloud:region`` (and credentials, as for pulumi-alicloud);
* ``ecs-backup-plan:vaultId`` — the HBR vault that receives the backups (required);
* ``ecs-backup-plan:paths`` — JSON list of paths to back up (default ``["/home"]``);
* ``ecs-backup-plan:tag`` — ``key=value``: only clients with that tag (optional).
"""

import json

import pulumi
import pulumi_alicloud as alicloud

import pulumi_hbr_clients as hbr

config = pulumi.Config()
vault_id = config.require("vaultId")
paths = json.loads(config.get("paths") or '["/home"]')
tag = config.get("tag")
tags = dict([tag.split("=", 1)]) if tag else None

unprotected = hbr.get_backup_clients(
    client_type="ECS_CLIENT",
    statuses=["ACTIVATED"],
    backup_statuses=["UNPROTECTED"],
    tags=tags,
)

plans = [
    alicloud.hbr.EcsBackupPlan(
        f"backup-{client.instance_id}",
        ecs_backup_plan_name=f"daily-{client.instance_name or client.instance_id}",
        instance_id=client.instance_id,
        vault_id=vault_id,
        backup_type="COMPLETE",
        schedule="I|1602673264|P1D",
        retention="30",
        paths=paths,
    )
    for client in unprotected.clients
    if client.instance_id
]

pulumi.export("planned_instance_ids", [client.instance_id for client in unprotected.clients])
pulumi.export("backup_plan_ids", [plan.id for plan in plans])
