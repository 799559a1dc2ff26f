"""Fixtures of the emulator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alibabacloud_hbr20170908.client import Client

from hbr_emulator import Emulator, Estate

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


@pytest.fixture
def sdk(emulator: Emulator) -> Client:
    """The official SDK client for the ``emulator`` fixture."""
    return sdk_client(emulator.endpoint)


@pytest.fixture
def estate_emulator() -> Iterator[Emulator]:
    """A started emulator of :data:`ESTATE`, stopped after the test."""
    with Emulator(estate=ESTATE, seed=11) as emu:
        yield emu
