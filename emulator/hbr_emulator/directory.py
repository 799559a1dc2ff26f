"""An organisation being served, with no HTTP: :class:`Directory`, STS's and RM's backend.

It holds each member account's cloud (its regions' HBR and ECS backends, behind a
:meth:`~hbr_emulator.gateway.Gateway.child` with the member's faults and quota), the
role sessions STS issued (:class:`~hbr_emulator.sts_models.SessionStore`), and the rules:

- ``AssumeRole``: only the management account's key (or ``assume_role_callers``) may call
  it, else 403 ``NoPermission``; a role that does not exist (an account not in the
  directory, the management account, a member without that role or whose status is one of
  :data:`~hbr_emulator.organisation.ABSENT_STATUSES`) is 404 ``EntityNotExist.Role``.
- ``ListAccounts``: only the management account, else 403 ``NoPermission``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from hbr_emulator.auth import Credentials, Identity
from hbr_emulator.exceptions import EntityNotExistRole, NoPermission
from hbr_emulator.organisation import Member, Organisation
from hbr_emulator.sts_models import Session, SessionStore
from hbr_emulator.sts_params import AssumeRoleQuery
from hbr_emulator.truth import AccountTruth, OrganisationTruth

if TYPE_CHECKING:
    from hbr_emulator.cloud import Cloud

__all__ = ["AccountPage", "Directory"]


@attrs.frozen(kw_only=True)
class AccountPage:
    """One page of ``ListAccounts``: the members on it, and how many match in all."""

    total: int
    members: tuple[Member, ...]


class Directory:
    """The organisation's accounts, their clouds and the credentials STS issued for them."""

    def __init__(self, organisation: Organisation, *, members: Mapping[str, Cloud]) -> None:
        """Serve ``organisation``; ``members`` maps each member's account ID to its cloud."""
        self.organisation = organisation
        self.sessions = SessionStore()
        self._members = dict(members)

    def cloud(self, account_id: str) -> Cloud:
        """Return a member account's cloud; ``KeyError`` if it is not a member."""
        return self._members[account_id]

    def member_clouds(self) -> dict[str, Cloud]:
        """Every member's cloud, by account ID, in the organisation's order."""
        return dict(self._members)

    def credentials(self, access_key_id: str) -> Credentials | None:
        """Return the credentials STS issued under ``access_key_id``, if any."""
        return self.sessions.credentials(access_key_id)

    def may_assume_roles(self, caller: Identity) -> bool:
        """Whether ``caller`` may call ``AssumeRole`` (see the module docstring)."""
        if caller.account_id is not None:
            return False
        callers = self.organisation.assume_role_callers
        return callers is None or caller.access_key_id in callers

    def assume_role(
        self, *, caller: Identity, query: AssumeRoleQuery, now: float | None = None
    ) -> Session:
        """Issue credentials for ``query``'s role; ``NoPermission`` or ``EntityNotExist.Role``."""
        if not self.may_assume_roles(caller):
            who = "a role session" if caller.account_id is not None else "this AccessKey"
            msg = f"You are not authorized to do this action: {who} may not assume roles."
            raise NoPermission(msg)
        arn = query.role_arn
        try:
            member = self.organisation.member(arn.account_id)
        except KeyError:
            member = None
        if member is None or not member.can_assume(arn.role_name):
            msg = f"The role not exists: {arn}."
            raise EntityNotExistRole(msg)
        lifetime: float = query.duration_s
        if self.organisation.token_lifetime_s is not None:
            lifetime = min(lifetime, self.organisation.token_lifetime_s)
        return self.sessions.issue(
            role_arn=arn, session_name=query.session_name, lifetime_s=lifetime, now=now
        )

    def list_accounts(
        self, *, caller: Identity, page_number: int, page_size: int, tagged: bool = False
    ) -> AccountPage:
        """Return one page of the listed accounts; ``NoPermission`` unless the management calls.

        ``tagged``: a ``Tag.N`` filter was sent; members carry no tags, so none match.
        """
        if caller.account_id is not None:
            msg = (
                "You are not authorized to do this action: only the management account of "
                "the resource directory may list its accounts."
            )
            raise NoPermission(msg)
        listed = () if tagged else self.organisation.listed()
        start = (page_number - 1) * page_size
        return AccountPage(total=len(listed), members=listed[start : start + page_size])

    def truth(self, management: Cloud) -> OrganisationTruth:
        """What an audit of every account should find; ``management`` is the management's cloud."""
        organisation = self.organisation
        clouds = {organisation.management_account_id: management, **self._members}
        return OrganisationTruth(
            management_account_id=organisation.management_account_id,
            resource_directory_id=organisation.resource_directory_id,
            accounts=tuple(
                AccountTruth(
                    account_id=member.account_id,
                    display_name=member.display_name,
                    type=member.type,
                    status=member.status,
                    management=member.account_id == organisation.management_account_id,
                    role_name=member.role_name,
                    role_assumable=member.role_assumable,
                    quota_per_s=_quota_of(clouds[member.account_id]),
                    estate=clouds[member.account_id].truth(),
                )
                for member in (organisation.management, *organisation.members)
            ),
        )

    def expire_credentials(self, account_id: str | None = None) -> int:
        """Expire every credential issued (for ``account_id`` only, if given); return how many."""
        return self.sessions.expire(account_id=account_id, now=time.time())

    def reset(self) -> None:
        """Every member's regions seeded again, its faults and quota as described."""
        for cloud in self._members.values():
            cloud.reset()


def _quota_of(cloud: Cloud) -> float | None:
    quota = cloud.gateway.quota
    return quota.per_s if quota is not None else None
