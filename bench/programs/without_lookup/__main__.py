"""The benchmark's baseline: ``examples/quickstart`` minus the lookups, its exports as constants."""

import pulumi

pulumi.export("client_ids", [])
pulumi.export("instance_ids", [])
pulumi.export("total_count", 0)
pulumi.export("instance_client_map", {})
pulumi.export("protected_client_ids", [])
pulumi.export("production_client_ids", [])
pulumi.export("production_total_count", 0)
