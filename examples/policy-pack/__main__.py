"""A stack with one ``BackupClients`` lookup of every ECS client, whatever its status.

The program itself audits nothing: the ``hbr-fleet-audit`` policy of the pack in
``policy/`` does, on every ``pulumi preview --policy-pack`` and ``pulumi up --policy-pack``.
"""

import pulumi

import pulumi_hbr_clients as hbr

fleet = hbr.BackupClients("ecs-fleet", client_type="ECS_CLIENT")

pulumi.export("client_count", fleet.total_count)
