"""The emulated cloud: per region an HBR and an ECS backend, and one gateway in front of all.

Three ways to build one:

- :meth:`Cloud.single` (``Emulator(fleet=..., seed=...)``): one region, ``cn-hangzhou``,
  whose HBR serves the seeded (or loaded) fleet exactly as before estates existed and says
  it is offered in every region of :data:`~hbr_emulator.defaults.REGIONS`; its ECS holds
  one ``Running`` instance per ``ECS_CLIENT`` client of the own fleet, following the fleet.
- :meth:`Cloud.from_estate` (``Emulator(estate=Estate(...))``): the estate's regions, each
  with its generated instances and fleet (:mod:`hbr_emulator.estate_fleet`); HBR's
  ``DescribeRegions`` answers the estate's regions.
- :meth:`Cloud.from_organisation` (``Emulator(organisation=Organisation(...))``): the
  management account's estate, as ``from_estate``, plus a cloud per member account (its
  own estate, behind a child gateway with its faults and quota), held by the
  :class:`~hbr_emulator.directory.Directory` that answers STS and ResourceManager.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from hbr_emulator.auth import Credentials
from hbr_emulator.defaults import DEFAULT_REGION, REGIONS, SELF_ACCOUNT
from hbr_emulator.directory import Directory
from hbr_emulator.ecs_models import (
    EcsBackend,
    InstanceRecord,
    InstanceSource,
    instances_of_clients,
)
from hbr_emulator.estate import Estate
from hbr_emulator.estate_fleet import RegionPlan, generate_region
from hbr_emulator.faults import Faults
from hbr_emulator.gateway import Gateway
from hbr_emulator.models import FleetSource, HbrBackend
from hbr_emulator.organisation import Organisation
from hbr_emulator.quota import Quota
from hbr_emulator.services import ORGANISATION_SERVICES, SERVICES, Service
from hbr_emulator.truth import EstateTruth, OrganisationTruth, RegionTruth

__all__ = ["Cloud"]

_LOCAL_NAMES = dict(REGIONS)


class Cloud:
    """Regions, their HBR and ECS backends, and the shared :class:`Gateway`."""

    def __init__(
        self,
        *,
        gateway: Gateway,
        hbr: Mapping[str, HbrBackend],
        ecs: Mapping[str, EcsBackend],
        not_activated: frozenset[str] = frozenset(),
        estate: Estate | None = None,
        account_id: str = "",
    ) -> None:
        """Put the backends together; the first region of ``hbr`` is the default one.

        ``account_id`` names the account in an organisation (``""`` otherwise).
        """
        self.gateway = gateway
        self.estate = estate
        self.account_id = account_id
        self.directory: Directory | None = None
        self.not_activated = not_activated
        self._hbr = dict(hbr)
        self._ecs = dict(ecs)
        self.regions: tuple[str, ...] = tuple(self._hbr)
        self.default_region = self.regions[0]

    @classmethod
    def single(
        cls,
        *,
        fleet: int = 100,
        seed: int = 0,
        data: str | os.PathLike[str] | None = None,
        credentials: Credentials | None = None,
        faults: Faults | None = None,
        quota: Quota | None = None,
    ) -> Cloud:
        """One region (``cn-hangzhou``) with one fleet, as the emulator has always served."""
        gateway = Gateway(credentials=credentials, faults=faults, seed=seed, quota=quota)
        hbr = HbrBackend(fleet=fleet, seed=seed, data=data, gateway=gateway)
        ecs = EcsBackend(
            region=DEFAULT_REGION, source=lambda: instances_of_clients(hbr), follows=hbr
        )
        return cls(gateway=gateway, hbr={DEFAULT_REGION: hbr}, ecs={DEFAULT_REGION: ecs})

    @classmethod
    def from_estate(
        cls,
        estate: Estate,
        *,
        seed: int = 0,
        credentials: Credentials | None = None,
        faults: Faults | None = None,
        quota: Quota | None = None,
        gateway: Gateway | None = None,
        account_id: str = "",
    ) -> Cloud:
        """The estate's regions; ``seed`` seeds the faults, ``quota`` overrides the estate's.

        With ``gateway`` (a member of an organisation), ``credentials``, ``faults`` and
        ``quota`` are the gateway's and are not used.
        """
        if gateway is None:
            gateway = Gateway(
                credentials=credentials, faults=faults, seed=seed, quota=quota or estate.quota
            )
        now = int(time.time())
        regions = tuple((region, _LOCAL_NAMES[region]) for region in estate.regions)
        hbr: dict[str, HbrBackend] = {}
        ecs: dict[str, EcsBackend] = {}
        for region in estate.regions:
            plan = generate_region(estate, region, now=now)
            hbr[region] = HbrBackend(
                seed=seed,
                gateway=gateway,
                now=now,
                source=_fleet_source(plan),
                region=region,
                regions=regions,
            )
            ecs[region] = EcsBackend(region=region, source=_instance_source(plan))
        return cls(
            gateway=gateway,
            hbr=hbr,
            ecs=ecs,
            not_activated=frozenset(estate.not_activated),
            estate=estate,
            account_id=account_id,
        )

    @classmethod
    def from_organisation(
        cls,
        organisation: Organisation,
        *,
        seed: int = 0,
        credentials: Credentials | None = None,
        faults: Faults | None = None,
        quota: Quota | None = None,
    ) -> Cloud:
        """The management account's cloud, holding every member's in its ``directory``.

        ``credentials``, ``faults`` and ``quota`` (which overrides the management estate's)
        are the management account's; each member has its own faults and its estate's
        quota, seeded by ``seed`` and its place in the organisation.
        """
        root = cls.from_estate(
            organisation.estate,
            seed=seed,
            credentials=credentials,
            faults=faults,
            quota=quota,
            account_id=organisation.management_account_id,
        )
        members = {}
        for index, member in enumerate(organisation.members, start=1):
            child = root.gateway.child(
                faults=member.faults, quota=member.estate.quota, seed=seed * 1000 + index
            )
            members[member.account_id] = cls.from_estate(
                member.estate, seed=seed, gateway=child, account_id=member.account_id
            )
        root.directory = Directory(organisation, members=members)
        return root

    @property
    def services(self) -> Mapping[str, Service]:
        """The services the cloud answers, by host label (an organisation adds STS and RM)."""
        return ORGANISATION_SERVICES if self.directory is not None else SERVICES

    def credentials_for(self, access_key_id: str) -> Credentials | None:
        """Return the credentials STS issued under ``access_key_id`` (the gateway's key aside)."""
        return self.directory.credentials(access_key_id) if self.directory is not None else None

    def account(self, account_id: str | None) -> Cloud:
        """Return the cloud of ``account_id`` (None: this one); ``KeyError`` for no such member."""
        if account_id is None or account_id == self.account_id:
            return self
        if self.directory is None:
            raise KeyError(account_id)
        return self.directory.cloud(account_id)

    def organisation_truth(self) -> OrganisationTruth | None:
        """What an audit of every account should find; None unless the cloud is an organisation."""
        return self.directory.truth(self) if self.directory is not None else None

    def serves(self, region: str) -> bool:
        """Whether ``region`` is one of the cloud's regions."""
        return region in self._hbr

    def hbr_activated(self, region: str) -> bool:
        """Whether HBR answers in ``region`` (False: ``ServiceNotActivated``)."""
        return region not in self.not_activated

    def hbr(self, region: str | None = None) -> HbrBackend:
        """Return the HBR backend of ``region`` (default: the default region); ``KeyError``."""
        return self._hbr[region or self.default_region]

    def ecs(self, region: str | None = None) -> EcsBackend:
        """Return the ECS backend of ``region`` (default: the default region); ``KeyError``."""
        return self._ecs[region or self.default_region]

    def truth(self) -> EstateTruth:
        """Return what an audit of every region should find (see :mod:`hbr_emulator.truth`)."""
        return EstateTruth(
            regions=tuple(
                RegionTruth.build(
                    region_id=region,
                    hbr_activated=self.hbr_activated(region),
                    instances=self._ecs[region].records(),
                    clients=self._hbr[region].clients(SELF_ACCOUNT),
                )
                for region in self.regions
            )
        )

    def reset(self) -> None:
        """Every region (and member account) back to its seeded state; no faults, an empty log.

        Quota buckets are full again; a member's own faults are back as described. Issued
        STS credentials stay valid.
        """
        for backend in self._hbr.values():
            backend.reload()
        for ecs in self._ecs.values():
            ecs.reset()
        self.gateway.reset()
        if self.directory is not None:
            self.directory.reset()


def _fleet_source(plan: RegionPlan) -> FleetSource:
    return lambda: {SELF_ACCOUNT: plan.clients}


def _instance_source(plan: RegionPlan) -> InstanceSource:
    return lambda: [InstanceRecord.from_wire(instance) for instance in plan.instances]
