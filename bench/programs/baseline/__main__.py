"""The benchmark's baseline: ``examples/quickstart`` minus the lookups, its exports as constants.

With ``BENCH_DYNAMIC_FLOOR=1`` it also declares one dynamic resource that does nothing: the
floor. Any Pulumi dynamic resource makes the engine start a ``python -m pulumi.dynamic``
process in each phase and call it; this resource's provider imports nothing, sends nothing
and returns at once, so the floor is that cost alone.
"""

import os
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class NothingProvider(ResourceProvider):
    """Creates an empty resource; never reports a change."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Return a fixed ID and no outputs."""
        del props
        return CreateResult("nothing", {})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Report no change."""
        del olds, news
        return DiffResult(changes=False)


class Nothing(Resource):
    """A dynamic resource served by :class:`NothingProvider`."""

    def __init__(self, name: str) -> None:
        """Declare the resource."""
        super().__init__(NothingProvider(), name, {})


if os.environ.get("BENCH_DYNAMIC_FLOOR") == "1":
    Nothing("nothing")

pulumi.export("client_ids", [])
pulumi.export("instance_ids", [])
pulumi.export("total_count", 0)
pulumi.export("instance_client_map", {})
pulumi.export("protected_client_ids", [])
pulumi.export("production_client_ids", [])
pulumi.export("production_total_count", 0)
