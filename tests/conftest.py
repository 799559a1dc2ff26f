"""Fixtures shared by the whole suite: a running HBR emulator, factories of them and of fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hbr_emulator import Emulator
from tests.hostile.servers import FakeHbr


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A started emulator with 120 clients from seed 7, stopped after the test."""
    with Emulator(fleet=120, seed=7) as emu:
        yield emu


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """A callable that starts an ``Emulator(**kwargs)``; all are stopped after the test."""
    started: list[Emulator] = []

    def start(**kwargs: Any) -> Emulator:
        emu = Emulator(**kwargs).start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture
def fake_hbr() -> Iterator[Callable[..., FakeHbr]]:
    """A factory of started fake endpoints (``mode=``, ``tls=``); all stopped afterwards."""
    started: list[FakeHbr] = []

    def start(**kwargs: Any) -> FakeHbr:
        server = FakeHbr(**kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
