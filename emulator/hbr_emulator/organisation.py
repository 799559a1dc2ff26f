"""The description of an emulated organisation: :class:`Organisation` and its :class:`Member` s.

An organisation is data, like an :class:`~hbr_emulator.estate.Estate`: the management
account (the caller: its keys are the emulator's access key) with its own estate, and the
member accounts of its resource directory, each with its own estate, its access role (or
none), its status and its own faults. ``Emulator(organisation=...)`` serves it: STS
``AssumeRole`` into a member's role, ResourceManager ``ListAccounts``, and each member's
HBR and ECS to the temporary credentials STS issued for it.

:meth:`Organisation.generate` builds one of N members from a seed; its rules are in its
docstring. Values follow the official SDKs' models (``alibabacloud_resourcemanager20200331``:
``Type``, ``Status``, ``JoinMethod``; ``alibabacloud_sts20150401``: the ``RoleArn`` form).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from hbr_emulator.estate import Estate
from hbr_emulator.faults import Faults

__all__ = [
    "ABSENT_STATUSES",
    "ACCOUNT_STATUSES",
    "ACCOUNT_TYPES",
    "DEFAULT_ACCESS_ROLE",
    "DEFAULT_MANAGEMENT_ACCOUNT_ID",
    "DEFAULT_MEMBER_ESTATE",
    "AccountType",
    "Member",
    "Organisation",
    "OrganisationError",
]

AccountType = Literal["ResourceAccount", "CloudAccount"]
"""``ResourceAccount``: created in the directory; ``CloudAccount``: invited into it."""

ACCOUNT_TYPES: tuple[AccountType, ...] = ("ResourceAccount", "CloudAccount")
"""The member types ``ListAccounts`` answers."""

ACCOUNT_STATUSES = (
    "CreateSuccess",
    "CreateVerifying",
    "CreateFailed",
    "CreateExpired",
    "CreateCancelled",
    "PromoteVerifying",
    "PromoteFailed",
    "PromoteExpired",
    "PromoteCancelled",
    "PromoteSuccess",
    "InviteSuccess",
    "Removed",
)
"""A member's ``Status``, as the ResourceManager SDK's models list them."""

ABSENT_STATUSES = frozenset(
    {"CreateVerifying", "CreateFailed", "CreateExpired", "CreateCancelled", "Removed"}
)
"""Statuses of an account not (or no longer) in the directory: no role of it can be assumed."""

DEFAULT_ACCESS_ROLE = "ResourceDirectoryAccountAccessRole"
"""The RAM role Resource Directory creates in every resource account it creates."""

DEFAULT_MANAGEMENT_ACCOUNT_ID = "1100000000000001"
"""The management account's ID when none is given."""

DEFAULT_MEMBER_ESTATE = Estate(
    regions=("cn-hangzhou", "cn-shanghai"),
    instances_per_region=12,
    uncovered_per_region=2,
    orphans_per_region=1,
    stopped_per_region=1,
    containers_per_region=1,
)
"""What :meth:`Organisation.generate` gives each account unless told otherwise (seed aside)."""

_ACCOUNT_ID = re.compile(r"^[1-9][0-9]{15}$")
_ROLE_NAME = re.compile(r"^[A-Za-z0-9.-]{1,64}$")
# 2024-01-01T00:00:00Z: members joined the directory on the days after it.
_JOIN_ANCHOR = 1_704_067_200
_DAY = 86_400


class OrganisationError(ValueError):
    """An organisation or member field has a value outside its rules; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _account_id(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not _ACCOUNT_ID.match(value):
        msg = f"{attribute.name} must be 16 digits (not starting with 0), got {value!r}"
        raise OrganisationError(attribute.name, msg)


def _display_name(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not 2 <= len(value) <= 50:
        msg = f"{attribute.name} must be 2 to 50 characters, got {value!r}"
        raise OrganisationError(attribute.name, msg)


def _one_of(choices: Iterable[str]) -> Any:
    allowed = tuple(choices)

    def check(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
        if value not in allowed:
            msg = f"{attribute.name} must be one of {', '.join(allowed)}, got {value!r}"
            raise OrganisationError(attribute.name, msg)

    return check


def _role_name(_instance: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and not _ROLE_NAME.match(value):
        msg = f"{attribute.name} must be 1 to 64 letters, digits, '.' or '-', got {value!r}"
        raise OrganisationError(attribute.name, msg)


def _lifetime(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value >= 0:
        msg = f"{attribute.name} must be >= 0 seconds, got {value!r}"
        raise OrganisationError(attribute.name, msg)


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


@attrs.frozen(kw_only=True)
class Member:
    """A member account of the resource directory.

    ``role_name``: the RAM role the management account may assume in it (``None``: it has
    none, and ``AssumeRole`` answers ``EntityNotExist.Role``); role names compare as RAM
    compares them, without case. ``status`` in :data:`ABSENT_STATUSES`: the account is
    listed, but its role cannot be assumed. ``estate``: its regions, instances and fleets;
    its ``quota_per_s`` is this account's own API quota (a throttled account answers
    ``Throttling.User`` beyond it). ``faults``: injected into this account's calls only.
    ``joined``: epoch seconds (default: a day after the previous, from the account ID).
    ``folder_id`` None: the directory's root folder.
    """

    account_id: str = attrs.field(converter=str, validator=_account_id)
    display_name: str = attrs.field(validator=_display_name)
    estate: Estate = DEFAULT_MEMBER_ESTATE
    type: AccountType = attrs.field(default="ResourceAccount", validator=_one_of(ACCOUNT_TYPES))
    status: str = attrs.field(default="CreateSuccess", validator=_one_of(ACCOUNT_STATUSES))
    role_name: str | None = attrs.field(default=DEFAULT_ACCESS_ROLE, validator=_role_name)
    faults: Faults | None = None
    joined: int | None = None
    folder_id: str | None = None

    @property
    def join_method(self) -> str:
        """``created`` for a resource account, ``invited`` for a cloud account."""
        return "created" if self.type == "ResourceAccount" else "invited"

    @property
    def join_time(self) -> int:
        """When the account joined the directory (epoch seconds)."""
        if self.joined is not None:
            return self.joined
        return _JOIN_ANCHOR + int(self.account_id) % 365 * _DAY

    @property
    def in_directory(self) -> bool:
        """Whether the account exists in the directory (its status is not an absent one)."""
        return self.status not in ABSENT_STATUSES

    @property
    def role_arn(self) -> str | None:
        """``acs:ram::<account-id>:role/<role-name>`` (lowercased, as RAM writes it), if any."""
        if self.role_name is None:
            return None
        return f"acs:ram::{self.account_id}:role/{self.role_name.lower()}"

    def can_assume(self, role_name: str) -> bool:
        """Whether ``role_name`` is a role of this account that ``AssumeRole`` can assume."""
        return (
            self.in_directory
            and self.role_name is not None
            and self.role_name.lower() == role_name.lower()
        )

    @property
    def role_assumable(self) -> bool:
        """Whether the account's access role (if any) can be assumed."""
        return self.role_name is not None and self.can_assume(self.role_name)


def _member_tuple(value: Iterable[Member]) -> tuple[Member, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Organisation:
    """A resource directory: the management account and its members.

    ``estate``: the management account's own (what its keys see, as in estate mode).
    ``token_lifetime_s``: when set, STS credentials expire after at most this long,
    whatever ``DurationSeconds`` asked (so a test can see them expire); ``Expiration``
    says when. ``assume_role_callers``: the AccessKey IDs that may call ``AssumeRole``
    (None: the management account's key; a member's STS credentials never may).
    ``list_management_account``: whether ``ListAccounts`` lists the management account
    too (default not; see ``emulator/README.md``).
    """

    members: tuple[Member, ...] = attrs.field(default=(), converter=_member_tuple)
    estate: Estate = attrs.field(factory=Estate)
    management_account_id: str = attrs.field(
        default=DEFAULT_MANAGEMENT_ACCOUNT_ID, converter=str, validator=_account_id
    )
    management_display_name: str = attrs.field(default="management", validator=_display_name)
    token_lifetime_s: float | None = attrs.field(default=None, validator=_lifetime)
    assume_role_callers: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(tuple)
    )
    list_management_account: bool = False

    def __attrs_post_init__(self) -> None:
        """Check that account IDs and display names are unique."""
        ids = [self.management_account_id, *(m.account_id for m in self.members)]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            msg = f"members: account ID(s) used twice: {', '.join(twice)}"
            raise OrganisationError("members", msg)
        names = [m.display_name for m in self.members]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            msg = f"members: display name(s) used twice: {', '.join(twice)}"
            raise OrganisationError("members", msg)

    @property
    def resource_directory_id(self) -> str:
        """The directory's ID, ``rd-`` + 6 characters derived from the management account."""
        return f"rd-{_digest(f'rd/{self.management_account_id}', 6)}"

    @property
    def root_folder_id(self) -> str:
        """The root folder's ID, ``r-`` + 6 characters derived from the management account."""
        return f"r-{_digest(f'root/{self.management_account_id}', 6)}"

    @property
    def management(self) -> Member:
        """The management account as a member record: a cloud account with no access role."""
        return Member(
            account_id=self.management_account_id,
            display_name=self.management_display_name,
            estate=self.estate,
            type="CloudAccount",
            status="CreateSuccess",
            role_name=None,
        )

    def member(self, account_id: str) -> Member:
        """Return the member with ``account_id``; ``KeyError`` if there is none."""
        for member in self.members:
            if member.account_id == account_id:
                return member
        raise KeyError(account_id)

    def listed(self) -> tuple[Member, ...]:
        """The accounts ``ListAccounts`` answers, in order (the management first, if listed)."""
        return (self.management, *self.members) if self.list_management_account else self.members

    def select(self, field: str, keys: Iterable[int | str]) -> tuple[Member, ...]:
        """Return the members named by 1-based index or account ID; ``OrganisationError`` else."""
        chosen = []
        for key in keys:
            text = str(key).strip()
            if text.isdigit() and len(text) < 16:
                index = int(text)
                if not 1 <= index <= len(self.members):
                    msg = f"{field}: no member {index} (members are 1 to {len(self.members)})"
                    raise OrganisationError(field, msg)
                chosen.append(self.members[index - 1])
                continue
            try:
                chosen.append(self.member(text))
            except KeyError:
                msg = f"{field}: no member account {text!r}"
                raise OrganisationError(field, msg) from None
        return tuple(chosen)

    @classmethod
    def generate(
        cls,
        *,
        members: int = 3,
        seed: int = 0,
        member_estate: Estate = DEFAULT_MEMBER_ESTATE,
        member_regions: Iterable[str] | None = None,
        estate: Estate | None = None,
        without_role: Iterable[int | str] = (),
        throttled: Mapping[int | str, float] | None = None,
        token_lifetime_s: float | None = None,
    ) -> Organisation:
        """Build an organisation of ``members`` member accounts, every value from ``seed``.

        - **IDs**: the management account and each member get 16-digit IDs starting with
          ``1``, drawn from ``random.Random(f"organisation/{seed}")``.
        - **Members** ``member-01``, ``member-02``, ...: every 4th is a ``CloudAccount``
          (invited), the others ``ResourceAccount`` s (created); all ``CreateSuccess``, all
          with :data:`DEFAULT_ACCESS_ROLE` except those ``without_role`` names (1-based
          index or account ID).
        - **Estates**: member ``i`` gets ``member_estate`` (regions ``member_regions`` if
          given; its ``not_activated`` kept where the regions have them) with seed
          ``seed * 1000 + i``; the management account ``estate``, else ``member_estate``
          with seed ``seed``.
        - ``throttled``: member (index or ID) → calls per second: that account's quota,
          one bucket for all its calls (``quota_scope="account"``).
        """
        if members < 0:
            msg = f"members must be >= 0, got {members}"
            raise OrganisationError("members", msg)
        template = member_estate
        if member_regions is not None:
            regions = tuple(member_regions)
            template = attrs.evolve(
                template,
                regions=regions,
                not_activated=tuple(r for r in template.not_activated if r in regions),
            )
        rng = random.Random(f"organisation/{seed}")  # noqa: S311  # not cryptographic
        ids: list[str] = []
        while len(ids) < members + 1:
            candidate = f"1{rng.randrange(10**15):015d}"
            if candidate not in ids:
                ids.append(candidate)
        plain = cls(
            management_account_id=ids[0],
            estate=estate or attrs.evolve(member_estate, seed=seed),
            token_lifetime_s=token_lifetime_s,
            members=tuple(
                Member(
                    account_id=ids[index],
                    display_name=f"member-{index:02d}",
                    type="CloudAccount" if index % 4 == 0 else "ResourceAccount",
                    estate=attrs.evolve(template, seed=seed * 1000 + index),
                )
                for index in range(1, members + 1)
            ),
        )
        roleless = {m.account_id for m in plain.select("without_role", without_role)}
        quotas = {
            member.account_id: per_s
            for key, per_s in (throttled or {}).items()
            for member in plain.select("throttled", (key,))
        }
        return attrs.evolve(
            plain,
            members=tuple(
                attrs.evolve(
                    member,
                    role_name=None if member.account_id in roleless else member.role_name,
                    estate=(
                        attrs.evolve(
                            member.estate,
                            quota_per_s=quotas[member.account_id],
                            quota_scope="account",
                        )
                        if member.account_id in quotas
                        else member.estate
                    ),
                )
                for member in plain.members
            ),
        )
