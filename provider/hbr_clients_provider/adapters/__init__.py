"""What serves Pulumi: the dynamic provider and the ``hbr`` provider plugin.

:mod:`.dynamic` (the dynamic provider behind ``pulumi_hbr_clients.BackupClients``),
:mod:`.lifecycle` (the lookup's lifecycle, shared with :mod:`.plugin`), :mod:`.outputs`
(the resource's outputs) and :mod:`.stack_config` (the stack's connection options).
"""
