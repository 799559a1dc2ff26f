"""The HBR policy pack ``hbr-backup-clients``, written by ``hbr-clients policy-pack init``.

Written by pulumi-hbr-clients 0.1.0. Run it on a stack with ``pulumi preview --policy-pack DIR``
(``DIR``: this directory). Every policy is advisory unless a pack config
(``--policy-pack-config FILE``) sets its ``enforcementLevel``; the policies and their
properties are those of ``pulumi_hbr_clients.policy``.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from pulumi_hbr_clients.policy import hbr_policies

PolicyPack(
    name="hbr-backup-clients",
    policies=hbr_policies(enforcement_level=EnforcementLevel.ADVISORY),
)
