"""STS's action, thin: parse the parameters, ask the organisation's directory, render.

Authentication, routing, faults and the quota happen before, in :mod:`hbr_emulator.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbr_emulator.sts_params import parse_assume_role
from hbr_emulator.sts_wire import render_assume_role

if TYPE_CHECKING:
    from hbr_emulator.services import Invocation


def assume_role(call: Invocation) -> bytes:
    """Answer ``AssumeRole``: temporary credentials in a member account's role."""
    query = parse_assume_role(call.params)
    directory = call.root.directory
    if directory is None:  # the service is only routed to in an organisation
        msg = "STS is served for an organisation only"
        raise RuntimeError(msg)
    session = directory.assume_role(caller=call.caller, query=query)
    return render_assume_role(request_id=call.request_id, session=session)
