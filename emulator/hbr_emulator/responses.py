"""HBR's actions, thin: parse the parameters, ask the region's backend, render.

Authentication, routing, faults and the quota happen before, in :mod:`hbr_emulator.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbr_emulator.params import parse_list_query
from hbr_emulator.wire import render_page, render_regions

if TYPE_CHECKING:
    from hbr_emulator.services import Invocation


def describe_backup_clients(call: Invocation) -> bytes:
    """Answer ``DescribeBackupClients``: one page of the region's clients."""
    query = parse_list_query(call.params)
    page = call.cloud.hbr(call.region).list_page(query)
    return render_page(
        request_id=call.request_id,
        page_number=query.page_number,
        page_size=query.page_size,
        total=page.total,
        fragments=page.fragments,
    )


def describe_regions(call: Invocation) -> bytes:
    """Answer ``DescribeRegions``: the regions HBR is offered in."""
    return render_regions(request_id=call.request_id, regions=call.cloud.hbr(call.region).regions)
