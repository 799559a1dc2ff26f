"""The example, run with Pulumi mocks for pulumi-alicloud and the HBR emulator for the lookup.

Run in a venv that has pulumi-alicloud (never the one the end-to-end tests use):
``python -m pytest examples/ecs-backup-plan/test_program.py``.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

PROGRAM = Path(__file__).with_name("__main__.py")


class PlanMocks(pulumi.runtime.Mocks):
    """Records the backup plans the program declares."""

    def __init__(self) -> None:
        self.plans: list[dict[str, Any]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Accept every resource; remember the backup plans."""
        if args.typ == "alicloud:hbr/ecsBackupPlan:EcsBackupPlan":
            self.plans.append(dict(args.inputs))
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        """The program calls no provider functions."""
        return {}, []


@pytest.fixture
def fleet(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The emulator, and the environment a program would see."""
    with Emulator(fleet=160, seed=13) as emu:
        monkeypatch.setenv("HBR_ENDPOINT", emu.endpoint)
        monkeypatch.setenv("HBR_PROTOCOL", "http")
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
        monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEFAULT_ACCESS_KEY_SECRET)
        monkeypatch.setenv(
            "PULUMI_CONFIG",
            '{"hbr-ecs-backup-plan:vaultId": "v-000example", '
            '"hbr-ecs-backup-plan:paths": "[\\"/data\\"]"}',
        )
        yield emu


def test_one_plan_per_unprotected_activated_instance(fleet: Emulator) -> None:
    """Each activated, unprotected ECS client's instance gets one plan, fed by the lookup."""
    mocks = PlanMocks()
    pulumi.runtime.set_mocks(mocks, project="hbr-ecs-backup-plan", preview=False)
    os.environ["PULUMI_PROJECT"] = "hbr-ecs-backup-plan"

    @pulumi.runtime.test
    def run() -> None:
        runpy.run_path(str(PROGRAM), run_name="__main__")

    run()

    expected = sorted(
        c["InstanceId"]
        for c in fleet.backend.clients()
        if c["ClientType"] == "ECS_CLIENT"
        and c["Status"] == "ACTIVATED"
        and c["BackupStatus"] == "UNPROTECTED"
    )
    assert expected
    assert sorted(p["instanceId"] for p in mocks.plans) == expected
    assert {p["vaultId"] for p in mocks.plans} == {"v-000example"}
    assert all(p["paths"] == ["/data"] for p in mocks.plans)
