"""STS's actions, thin: parse the parameters, ask the organisation's directory, render.

Authentication, routing, faults and the quota happen before, in :mod:`hbr_emulator.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hbr_emulator.sts_params import parse_assume_role
from hbr_emulator.sts_wire import render_assume_role, render_caller_identity

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


def get_caller_identity(call: Invocation) -> bytes:
    """Answer ``GetCallerIdentity``: the account (and role session) the caller's key acts as."""
    directory = call.root.directory
    if directory is None:  # the service is only routed to in an organisation
        msg = "STS is served for an organisation only"
        raise RuntimeError(msg)
    account_id = call.caller.account_id or directory.organisation.management_account_id
    session = directory.sessions.session(call.caller.access_key_id)
    return render_caller_identity(
        request_id=call.request_id, account_id=account_id, session=session
    )
