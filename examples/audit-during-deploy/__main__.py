"""Audit the HBR backup clients during a deploy; stop it when the fleet breaks the rules.

The audit runs during ``pulumi preview`` (the lookup's values are known then), so a failing
fleet fails the preview before anything is applied, with the offending clients listed by
ID, instance and rule. The full report is the stack output ``audit``.

Stack config (namespace ``audit``), all optional:

=========================  =======  ===========================================
key                        default  meaning
=========================  =======  ===========================================
``audit:clientType``       ECS_CLIENT  which clients to look up
``audit:requireActivated`` true     flag clients that are not ACTIVATED
``audit:requireProtected`` false    flag UNPROTECTED clients
``audit:requireLatest``    true     flag clients older than MaxClientVersion
``audit:requireHttpsProxy`` true    flag CUSTOM data proxies without HTTPS
``audit:maxHeartbeatAge``  1d       flag clients silent for longer (``off`` disables)
``audit:expectInstances``  (none)   JSON list of instance IDs that must have a client
``audit:maxFindings``      0        findings tolerated (``-1``: report, never fail)
=========================  =======  ===========================================
"""

import pulumi

import pulumi_hbr_clients as hbr

config = pulumi.Config("audit")
client_type = config.get("clientType") or "ECS_CLIENT"

# The audit's settings from the keys above; a bad value fails naming its key and the value
# (``audit:maxHeartbeatAge: must be a positive duration ... (got '1week')``).
rules = hbr.audit_arguments_from_config(
    config,
    require_activated=True,
    require_latest=True,
    require_https_proxy=True,
    max_heartbeat_age="1d",
    max_findings=0,
)

fleet = hbr.get_backup_clients_output(client_type=client_type)

report = hbr.audit_backup_clients_output(fleet, **rules)
pulumi.export("audit", report)

# What the deploy manages takes an input from the audit, so it waits for the audit and is
# never registered when the audit fails. Here: the activated clients as a resource.
audited_client_type = report.apply(lambda _: client_type)
activated = hbr.BackupClients(
    "activated-clients", client_type=audited_client_type, statuses=["ACTIVATED"]
)
pulumi.export("activated_client_ids", activated.client_ids)
