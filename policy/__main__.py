"""The HBR policy pack: ``pulumi preview --policy-pack policy --policy-pack-config cfg.json``.

Every policy is advisory unless the config file raises it to ``mandatory``; see
``examples/policy-pack/`` for a config file and the commands.
"""

from pulumi_policy import PolicyPack

from pulumi_hbr_clients.policy import hbr_policies

PolicyPack(name="hbr-backup-clients", policies=hbr_policies())
