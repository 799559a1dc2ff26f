"""ECS's actions, thin: parse the parameters, ask the region's backend, render.

Authentication, routing, faults and the quota happen before, in :mod:`hbr_emulator.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbr_emulator.ecs_params import parse_instances_query
from hbr_emulator.ecs_wire import encode_token, render_instances

if TYPE_CHECKING:
    from hbr_emulator.services import Invocation


def describe_instances(call: Invocation) -> bytes:
    """Answer ``DescribeInstances``: one page (by number or by token) of the region's instances."""
    query = parse_instances_query(call.params, region_id=call.region)
    page = call.cloud.ecs(call.region).page(query)
    request_id = call.request_id
    if query.by_token:
        token = encode_token(page.next_offset) if page.next_offset is not None else ""
        return render_instances(
            request_id=request_id, fragments=page.fragments, total=page.total, next_token=token
        )
    return render_instances(
        request_id=request_id,
        fragments=page.fragments,
        total=page.total,
        page_number=query.page_number,
        page_size=query.page_size,
    )
