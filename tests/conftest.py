"""Fixtures shared by the whole suite: a running HBR emulator, factories of them and of fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hbr_emulator import Emulator
from tests.hostile.servers import FakeHbr

#: The test files that take longest (a minute or more of one worker, measured with
#: ``--durations``), in that order. ``make test`` hands out whole files to its workers in
#: collection order; started last, one of these would run alone at the end of the run.
SLOWEST_FILES = (
    "tests/install/test_package_add.py",
    "tests/docs/test_docs.py",
    "tests/hostile/test_pulumi_hostile.py",
    "tests/e2e/test_backup_clients.py",
    "tests/plugin/test_yaml_program.py",
    "tests/e2e/test_cancel.py",
    "tests/e2e/test_own_project.py",
    "tests/install/test_archive.py",
    "tests/golang/test_go_program.py",
    "tests/nodejs/test_program.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slowest files first, each file's tests in their own order."""
    rank = {name: index for index, name in enumerate(SLOWEST_FILES)}

    def key(item: pytest.Item) -> int:
        return rank.get(item.nodeid.split("::", 1)[0], len(rank))

    items.sort(key=key)  # stable: the other files keep their order


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
