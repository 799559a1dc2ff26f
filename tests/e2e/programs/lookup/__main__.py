"""The resource and the lookups, driven by the JSON query in E2E_QUERY."""

import json
import os

import pulumi

import pulumi_hbr_clients as hbr

query = json.loads(os.environ["E2E_QUERY"])

clients = hbr.BackupClients("clients", **query)

# The resource's outputs feed a second resource and a lookup.
same_instances = hbr.BackupClients(
    "same-instances", client_type=query["client_type"], instance_ids=clients.instance_ids
)
looked_up = hbr.get_backup_clients_output(
    client_type=query["client_type"], client_ids=clients.client_ids
)

pulumi.export("client_ids", clients.client_ids)
pulumi.export("instance_ids", clients.instance_ids)
pulumi.export("total_count", clients.total_count)
pulumi.export("clients", clients.clients)
pulumi.export("instance_client_map", clients.instance_client_map)
pulumi.export("proxy_passwords", clients.proxy_passwords)
pulumi.export("same_instances_client_ids", same_instances.client_ids)
pulumi.export("looked_up_client_ids", looked_up.apply(lambda r: list(r.client_ids)))
