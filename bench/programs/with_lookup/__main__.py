"""The benchmark's program with the lookup: one ``BackupClients`` and one lookup function.

Both list the ECS clients of the emulator's fleet (850 of 1,000). ``without_lookup`` is the
same program with the same exports, as constants.
"""

import pulumi

import pulumi_hbr_clients as hbr

clients = hbr.BackupClients("ecs-clients", client_type="ECS_CLIENT")
production = hbr.get_backup_clients_output(client_type="ECS_CLIENT", tags={"env": "prod"})

pulumi.export("client_ids", clients.client_ids)
pulumi.export("total_count", clients.total_count)
pulumi.export("production_client_ids", production.apply(lambda r: list(r.client_ids)))
pulumi.export("production_total_count", production.apply(lambda r: r.total_count))
