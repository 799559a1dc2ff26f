"""Back up the files of ECS instances with pulumi-alicloud 4.x: one HBR policy, bound to each.

pulumi-alicloud 4.x backs up an ECS instance's files with an ``alicloud.hbr.Policy`` bound to
the instance by an ``alicloud.hbr.PolicyBinding`` (``source_type="ECS_FILE"``,
``data_source_id`` = the instance ID). HBR does that through the instance's backup client, so
the program binds the instances the lookup finds with an ``ACTIVATED`` client, and the ones
named in config, installing a client on those when asked to. Configuration:

* ``alicloud:region`` (and credentials, as for pulumi-alicloud);
* ``hbr-policy-binding:paths`` - JSON list of directories to back up (default ``["/home"]``);
* ``hbr-policy-binding:instanceIds`` - JSON list of more instance IDs to bind (optional);
* ``hbr-policy-binding:installClients`` - ``true``: an ``alicloud.hbr.EcsBackupClient`` on
  each of ``instanceIds``, which its binding depends on (default ``false``).

The HBR policy pack (``hbr-clients policy-pack init``) blocks a binding whose instance has no
``ACTIVATED`` client and no ``EcsBackupClient`` in the stack.
"""

import json

import pulumi
import pulumi_alicloud as alicloud

import pulumi_hbr_clients as hbr

config = pulumi.Config()
paths = config.get_object("paths") or ["/home"]
named = [str(i) for i in config.get_object("instanceIds") or []]
install_clients = config.get_bool("installClients") or False

ready = hbr.get_backup_clients(client_type="ECS_CLIENT", statuses=["ACTIVATED"])

vault = alicloud.hbr.Vault("files", vault_name="ecs-files", vault_type="STANDARD")
policy = alicloud.hbr.Policy(
    "daily",
    policy_name="ecs-files-daily",
    policy_type="STANDARD",
    rules=[
        alicloud.hbr.PolicyRuleArgs(
            rule_type="BACKUP",
            backup_type="COMPLETE",
            schedule="I|1602673264|P1D",
            retention=30,
            vault_id=vault.id,
        )
    ],
)

instance_ids = sorted({c.instance_id for c in ready.clients if c.instance_id} | set(named))
for instance_id in instance_ids:
    needs: list[pulumi.Resource] = []
    if install_clients and instance_id in named:
        needs.append(alicloud.hbr.EcsBackupClient(f"client-{instance_id}", instance_id=instance_id))
    alicloud.hbr.PolicyBinding(
        f"files-{instance_id}",
        policy_id=policy.id,
        source_type="ECS_FILE",
        data_source_id=instance_id,
        source=json.dumps(paths),
        opts=pulumi.ResourceOptions(depends_on=needs),
    )

pulumi.export("bound_instance_ids", instance_ids)
