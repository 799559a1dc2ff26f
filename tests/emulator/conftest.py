"""Fixtures of the emulator tests."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from alibabacloud_hbr20170908.client import Client

from hbr_emulator import Emulator, Estate, Organisation

from .helpers import sdk_client

ESTATE = Estate(
    regions=("cn-hangzhou", "cn-shanghai", "cn-beijing"),
    instances_per_region=40,
    uncovered_per_region=3,
    orphans_per_region=2,
    stopped_per_region=3,
    containers_per_region=2,
    not_activated=("cn-beijing",),
    seed=11,
)
"""Three regions of 40 instances; HBR is not activated in cn-beijing."""


MEMBER_ESTATE = Estate(
    regions=("cn-hangzhou", "cn-shanghai", "cn-beijing"),
    instances_per_region=8,
    uncovered_per_region=2,
    orphans_per_region=1,
    stopped_per_region=1,
    containers_per_region=1,
    not_activated=("cn-beijing",),
)
"""Every account's regions in :data:`ORGANISATION` (seeds aside)."""

_GENERATED = Organisation.generate(
    members=5,
    seed=21,
    member_estate=MEMBER_ESTATE,
    member_regions=("cn-shanghai", "cn-beijing"),
    estate=attrs.evolve(MEMBER_ESTATE, seed=21),
    without_role=(2,),
    throttled={3: 1.0},
)
ORGANISATION = attrs.evolve(
    _GENERATED,
    members=(*_GENERATED.members[:4], attrs.evolve(_GENERATED.members[4], status="Removed")),
)
"""A management account of three regions and five members of two (cn-beijing without HBR):
member 2 has no access role, member 3 is throttled at 1 call/s, member 4 is an invited
cloud account and member 5 is ``Removed``."""


@pytest.fixture
def organisation_emulator() -> Iterator[Emulator]:
    """A started emulator of :data:`ORGANISATION`, stopped after the test."""
    with Emulator(organisation=ORGANISATION, seed=21) as emu:
        yield emu


@pytest.fixture
def sdk(emulator: Emulator) -> Client:
    """The official SDK client for the ``emulator`` fixture."""
    return sdk_client(emulator.endpoint)


@pytest.fixture
def estate_emulator() -> Iterator[Emulator]:
    """A started emulator of :data:`ESTATE`, stopped after the test."""
    with Emulator(estate=ESTATE, seed=11) as emu:
        yield emu
