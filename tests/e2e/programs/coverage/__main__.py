"""The estate gate in a program: a resource that waits for the audit, and the report."""

import json
import os

import pulumi

import pulumi_hbr_clients as hbr

arguments = json.loads(os.environ["COVERAGE_ARGS"])

report = hbr.audit_backup_coverage_output(**arguments)

# Deployed only when the gate passes: it takes an input from the audit.
gated = hbr.BackupClients(
    "gated",
    client_type="ECS_CLIENT",
    instance_ids=report.apply(lambda r: [f["instance_id"] for f in r["findings"]][:1]),
)

pulumi.export("coverage", report)
