"""The ground truth of an emulated cloud: what an audit of it should find, region by region.

Computed from the current state (not from the seed), so it follows clients added or
removed through the control API. ``uncovered`` are the instances no ``ECS_CLIENT`` client
names; ``orphans`` are the ``ECS_CLIENT`` clients whose ``InstanceId`` is no instance of
the region. Only the caller's own fleet counts (cross-account fleets are left out). An
organisation's truth (:class:`OrganisationTruth`) holds one :class:`EstateTruth` per account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from hbr_emulator.ecs_models import InstanceRecord

__all__ = [
    "AccountTruth",
    "ClientTruth",
    "EstateTruth",
    "InstanceTruth",
    "OrganisationTruth",
    "RegionTruth",
]


@attrs.frozen(kw_only=True)
class InstanceTruth:
    """An instance: its ID, status and tags."""

    instance_id: str
    status: str
    tags: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        """``{"InstanceId", "Status", "Tags": {key: value}}``."""
        return {"InstanceId": self.instance_id, "Status": self.status, "Tags": dict(self.tags)}


@attrs.frozen(kw_only=True)
class ClientTruth:
    """A client: its ID, type, the instance it names and its status."""

    client_id: str
    client_type: str
    instance_id: str
    status: str

    def as_dict(self) -> dict[str, Any]:
        """``{"ClientId", "ClientType", "InstanceId", "Status"}``."""
        return {
            "ClientId": self.client_id,
            "ClientType": self.client_type,
            "InstanceId": self.instance_id,
            "Status": self.status,
        }


@attrs.frozen(kw_only=True)
class RegionTruth:
    """One region: its instances and clients (listing order), and what joining them finds."""

    region_id: str
    hbr_activated: bool
    instances: tuple[InstanceTruth, ...]
    clients: tuple[ClientTruth, ...]
    uncovered_instance_ids: tuple[str, ...]
    orphan_client_ids: tuple[str, ...]

    @classmethod
    def build(
        cls,
        *,
        region_id: str,
        hbr_activated: bool,
        instances: Iterable[InstanceRecord],
        clients: Iterable[Mapping[str, Any]],
    ) -> RegionTruth:
        """Join ``instances`` with wire ``clients`` by instance ID."""
        instance_list = tuple(
            InstanceTruth(instance_id=r.instance_id, status=r.status, tags=r.tags)
            for r in instances
        )
        client_list = tuple(
            ClientTruth(
                client_id=c["ClientId"],
                client_type=c["ClientType"],
                instance_id=c["InstanceId"],
                status=c["Status"],
            )
            for c in clients
        )
        instance_ids = {i.instance_id for i in instance_list}
        ecs_clients = [c for c in client_list if c.client_type == "ECS_CLIENT"]
        covered = {c.instance_id for c in ecs_clients}
        return cls(
            region_id=region_id,
            hbr_activated=hbr_activated,
            instances=instance_list,
            clients=client_list,
            uncovered_instance_ids=tuple(
                i.instance_id for i in instance_list if i.instance_id not in covered
            ),
            orphan_client_ids=tuple(
                c.client_id for c in ecs_clients if c.instance_id not in instance_ids
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        """The region as ``GET /_emulator/estate`` renders it."""
        return {
            "RegionId": self.region_id,
            "HbrActivated": self.hbr_activated,
            "Instances": [i.as_dict() for i in self.instances],
            "Clients": [c.as_dict() for c in self.clients],
            "UncoveredInstanceIds": list(self.uncovered_instance_ids),
            "OrphanClientIds": list(self.orphan_client_ids),
        }


@attrs.frozen(kw_only=True)
class EstateTruth:
    """Every region of the cloud, in the estate's order (the default region first)."""

    regions: tuple[RegionTruth, ...]

    def region(self, region_id: str) -> RegionTruth:
        """Return one region's truth; ``KeyError`` if the cloud has no such region."""
        for region in self.regions:
            if region.region_id == region_id:
                return region
        raise KeyError(region_id)

    def as_dict(self) -> dict[str, Any]:
        """``{"Regions": [...]}``, as ``GET /_emulator/estate`` answers."""
        return {"Regions": [region.as_dict() for region in self.regions]}


@attrs.frozen(kw_only=True)
class AccountTruth:
    """One account of an organisation: who it is, whether its role can be assumed, its estate.

    ``role_assumable`` is False for the management account (it has no access role) and
    for a member without the role or not in the directory. ``quota_per_s`` is the
    account's own API quota (a throttled account), if any.
    """

    account_id: str
    display_name: str
    type: str
    status: str
    management: bool
    role_name: str | None
    role_assumable: bool
    quota_per_s: float | None
    estate: EstateTruth

    @property
    def not_activated_regions(self) -> tuple[str, ...]:
        """The regions where HBR answers ``ServiceNotActivated``."""
        return tuple(r.region_id for r in self.estate.regions if not r.hbr_activated)

    def as_dict(self) -> dict[str, Any]:
        """The account as ``GET /_emulator/organisation`` renders it."""
        return {
            "AccountId": self.account_id,
            "DisplayName": self.display_name,
            "Type": self.type,
            "Status": self.status,
            "Management": self.management,
            "RoleName": self.role_name,
            "RoleAssumable": self.role_assumable,
            "QuotaPerSecond": self.quota_per_s,
            "NotActivatedRegions": list(self.not_activated_regions),
            "Estate": self.estate.as_dict(),
        }


@attrs.frozen(kw_only=True)
class OrganisationTruth:
    """Every account of an organisation, the management account first, then the members."""

    management_account_id: str
    resource_directory_id: str
    accounts: tuple[AccountTruth, ...]

    @property
    def members(self) -> tuple[AccountTruth, ...]:
        """The member accounts, in the organisation's order."""
        return tuple(a for a in self.accounts if not a.management)

    def account(self, account_id: str) -> AccountTruth:
        """Return one account's truth; ``KeyError`` if the organisation has no such account."""
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        raise KeyError(account_id)

    def as_dict(self) -> dict[str, Any]:
        """``{"ManagementAccountId", "ResourceDirectoryId", "Accounts": [...]}``."""
        return {
            "ManagementAccountId": self.management_account_id,
            "ResourceDirectoryId": self.resource_directory_id,
            "Accounts": [account.as_dict() for account in self.accounts],
        }
