"""A BackupClients resource (HOSTILE_KIND=resource) or a lookup (lookup), inputs from JSON."""

import json
import os

import pulumi

import pulumi_hbr_clients as hbr

query = json.loads(os.environ["HOSTILE_QUERY"])

if os.environ.get("HOSTILE_KIND", "resource") == "resource":
    clients = hbr.BackupClients("clients", **query)
    pulumi.export("client_ids", clients.client_ids)
else:
    result = hbr.get_backup_clients(**query)
    pulumi.export("client_ids", list(result.client_ids))
