"""ResourceManager's action, thin: parse the parameters, ask the organisation's directory, render.

Authentication, routing, faults and the quota happen before, in :mod:`hbr_emulator.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbr_emulator.rm_params import parse_list_accounts
from hbr_emulator.rm_wire import account_wire, render_accounts

if TYPE_CHECKING:
    from hbr_emulator.services import Invocation


def list_accounts(call: Invocation) -> bytes:
    """Answer ``ListAccounts``: one page of the resource directory's member accounts."""
    query = parse_list_accounts(call.params)
    directory = call.root.directory
    if directory is None:  # the service is only routed to in an organisation
        msg = "ResourceManager is served for an organisation only"
        raise RuntimeError(msg)
    page = directory.list_accounts(
        caller=call.caller,
        page_number=query.page_number,
        page_size=query.page_size,
        tagged=bool(query.tags),
    )
    organisation = directory.organisation
    return render_accounts(
        request_id=call.request_id,
        total=page.total,
        page_number=query.page_number,
        page_size=query.page_size,
        accounts=(
            account_wire(member, organisation, include_tags=query.include_tags)
            for member in page.members
        ),
    )
