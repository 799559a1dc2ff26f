"""Look up ECS backup clients; the first five instances drive a second lookup."""

import pulumi

import pulumi_hbr_clients as hbr

clients = hbr.BackupClients("ecs", client_type="ECS_CLIENT")
first_five = hbr.get_backup_clients_output(
    client_type="ECS_CLIENT", instance_ids=clients.instance_ids.apply(lambda ids: ids[:5])
)

pulumi.export("client_ids", clients.client_ids)
pulumi.export("instance_ids", clients.instance_ids)
pulumi.export("total_count", clients.total_count)
pulumi.export("clients", clients.clients)
pulumi.export("first_five_client_ids", first_five.apply(lambda r: list(r.client_ids)))
