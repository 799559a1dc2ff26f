"""Fixtures shared by the whole suite: a running HBR emulator, factories of them and of fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hbr_emulator import Emulator
from tests.hostile.servers import FakeHbr

#: The test files that take longest, slowest first: seconds of one worker's time measured with
#: a per-test timer in a full run on the 2-core machine (December 2026). ``make test`` hands
#: out whole files to its workers in collection order (``--no-loadscope-reorder``), so this is
#: longest-first scheduling: started last, one of these would run alone at the end of the run.
SLOWEST_FILES = (
    "tests/install/test_package_add.py",  # 189 s
    "tests/docs/test_docs.py",  # 142 s
    "tests/hostile/test_pulumi_hostile.py",  # 115 s, half of it retry back-off
    "tests/plugin/test_yaml_program.py",  # 78 s
    "tests/e2e/test_cancel.py",  # 60 s, mostly waiting for the retries it cancels
    "tests/e2e/test_own_project.py",  # 51 s
    "tests/e2e/test_refresh.py",  # 38 s
    "tests/e2e/test_backup_clients.py",  # 38 s
    "tests/golang/test_go_program.py",  # 35 s
    "tests/install/test_archive.py",  # 34 s
    "tests/hostile/test_cli_network.py",  # 29 s
    "tests/nodejs/test_program.py",  # 28 s
    "tests/e2e/test_demo.py",  # 28 s
    "tests/plugin/test_protocol.py",  # 28 s
    "tests/policy/test_policy_pack_e2e.py",  # 26 s
    "tests/language_host/test_host.py",  # 22 s
    "tests/e2e/test_coverage_program.py",  # 21 s
    "tests/e2e/test_audit_during_deploy.py",  # 19 s
    "tests/hostile/test_pulumi_network.py",  # 18 s
    "tests/e2e/test_config_vocabulary.py",  # 18 s
    "tests/provider/test_paging.py",  # 16 s
    "tests/plugin/test_sdks.py",  # 15 s
    "tests/policy/test_policy_binding_e2e.py",  # 15 s
    "tests/policy/test_estate_coverage_e2e.py",  # 11 s
    "tests/e2e/test_bounds.py",  # 10 s
    "tests/nodejs/test_host.py",  # 9 s
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
