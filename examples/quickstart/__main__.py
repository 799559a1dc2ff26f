"""Quickstart: look up HBR backup clients and feed their IDs into other resources.

Runs against the local HBR emulator by default (``make demo`` starts it and sets
``HBR_ENDPOINT``); point it at a real region with ``pulumi config set alicloud:region``.
"""

import pulumi

import pulumi_hbr_clients as hbr

# The lookup as a resource: part of the stack, refreshed by `pulumi refresh`, and shown as an
# update by `pulumi preview` when the fleet changes.
activated = hbr.BackupClients(
    "activated-ecs-clients",
    client_type="ECS_CLIENT",
    statuses=["ACTIVATED"],
)

# Its outputs drive a second lookup: which of those instances are protected. The dependency
# shows in `pulumi stack graph`.
protected = hbr.BackupClients(
    "protected-ecs-clients",
    client_type="ECS_CLIENT",
    instance_ids=activated.instance_ids,
    backup_statuses=["PROTECTED"],
)

# The lookup as a function: known during preview, typed.
production = hbr.get_backup_clients_output(client_type="ECS_CLIENT", tags={"env": "prod"})

pulumi.export("client_ids", activated.client_ids)
pulumi.export("instance_ids", activated.instance_ids)
pulumi.export("total_count", activated.total_count)
pulumi.export("instance_client_map", activated.instance_client_map)
pulumi.export("protected_client_ids", protected.client_ids)
pulumi.export("production_client_ids", production.apply(lambda r: list(r.client_ids)))
pulumi.export("production_total_count", production.apply(lambda r: r.total_count))
