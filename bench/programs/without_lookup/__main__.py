"""The benchmark's baseline: ``with_lookup`` minus the lookups, its exports as constants."""

import pulumi

pulumi.export("client_ids", [])
pulumi.export("total_count", 0)
pulumi.export("production_client_ids", [])
pulumi.export("production_total_count", 0)
