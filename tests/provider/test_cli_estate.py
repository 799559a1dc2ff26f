"""``hbr-clients audit`` over an emulated multi-region cloud: the estate audit.

The emulator seeds each region with ECS instances, their clients, instances without one and
clients whose instance is gone, and says which (:meth:`Emulator.estate_truth`); every request
goes to it through ``HBR_CONNECT_TO`` with its real ``Host``, so the real endpoint rules run.
Each test asserts that the audit finds exactly what was seeded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from hbr_emulator.estate import Estate
from tests.cli_run import Run, run_in_process

REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")

Audit = Callable[..., Run]


def _env(emu: Emulator, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HBR_", "ALIBABA_CLOUD_")) and "PROXY" not in k.upper()
    }
    env.update(
        HBR_CONNECT_TO=emu.endpoint,
        HBR_PROTOCOL="http",
        ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET,
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    """Three regions of 40 instances; HBR is not activated in cn-beijing."""
    estate = Estate(regions=REGIONS, instances_per_region=40, not_activated=("cn-beijing",), seed=3)
    with Emulator(estate=estate) as emu:
        yield emu


def _audit(emu: Emulator, *args: str, **env: str) -> Run:
    return run_in_process(["audit", *args], env=_env(emu, **env))


def _findings(run: Run, rule: str) -> set[tuple[str, str | None, str | None]]:
    report: dict[str, Any] = json.loads(run.stdout)
    return {
        (f["region"], f["instance_id"], f["client_id"])
        for f in report["findings"]
        if f["rule"] == rule
    }


def _seeded_uncovered(emu: Emulator, regions: tuple[str, ...]) -> set[tuple[str, str, None]]:
    truth = emu.estate_truth()
    return {(r, i, None) for r in regions for i in truth.region(r).uncovered_instance_ids}


class TestEstateAudit:
    """Coverage over instances, in every region, against what the emulator seeded."""

    def test_all_regions_finds_the_seeded_gaps_and_fails_closed_on_an_unreachable_one(
        self, cloud: Emulator
    ) -> None:
        """--regions all: every region listed; cn-beijing's failure makes the report
        incomplete (exit 3), named with its code and request ID, and the rest is still judged."""
        run = _audit(cloud, "--regions", "all", "--require-client", "--format", "json")
        assert run.returncode == 3, run.stderr
        report = json.loads(run.stdout)
        assert report["passed"] is False
        assert report["complete"] is False
        assert [t["region"] for t in report["targets"]] == sorted(REGIONS)
        beijing = next(t for t in report["targets"] if t["region"] == "cn-beijing")
        assert beijing["error"]["code"] == "ServiceNotActivated"
        assert beijing["error"]["request_id"]
        assert "cn-beijing: ServiceNotActivated (request id " in run.stderr
        assert "--allow-unreachable" in run.stderr
        listed = ("cn-hangzhou", "cn-shanghai")
        assert _findings(run, "no_backup_client") == _seeded_uncovered(cloud, listed)
        truth = cloud.estate_truth()
        orphans = {(r, c) for r in listed for c in truth.region(r).orphan_client_ids}
        assert {(r, c) for r, _, c in _findings(run, "orphan_client")} == orphans
        summary = report["summary"]
        instances = sum(len(truth.region(r).instances) for r in listed)
        assert summary["instances"] == instances
        assert summary["uncovered_instances"] == len(_seeded_uncovered(cloud, listed))

    def test_an_accepted_unreachable_region_leaves_the_findings_to_decide(
        self, cloud: Emulator
    ) -> None:
        """--allow-unreachable cn-beijing: complete, and the uncovered instances exit 1."""
        run = _audit(
            cloud,
            "--regions",
            "all",
            "--require-client",
            "--allow-unreachable",
            "cn-beijing",
            "--format",
            "json",
        )
        assert run.returncode == 1, run.stderr
        report = json.loads(run.stdout)
        assert report["complete"] is True
        assert report["gate"]["reasons"] == ["too_many_findings"]

    def test_instance_tags_scope_the_audit(self, cloud: Emulator) -> None:
        """--instance-tag env=prod: only the uncovered instances tagged env=prod are found."""
        run = _audit(
            cloud,
            "--regions",
            "cn-hangzhou,cn-shanghai",
            "--require-client",
            "--instance-tag",
            "env=prod",
            "--format",
            "json",
        )
        truth = cloud.estate_truth()
        expected = {
            (r, i.instance_id, None)
            for r in ("cn-hangzhou", "cn-shanghai")
            for i in truth.region(r).instances
            if dict(i.tags).get("env") == "prod"
            and i.instance_id in truth.region(r).uncovered_instance_ids
        }
        assert run.returncode == (1 if expected else 0), run.stderr
        assert _findings(run, "no_backup_client") == expected
        report = json.loads(run.stdout)
        assert report["scope"]["tags"] == {"env": "prod"}
        prod = sum(
            dict(i.tags).get("env") == "prod"
            for r in ("cn-hangzhou", "cn-shanghai")
            for i in truth.region(r).instances
        )
        assert report["summary"]["instances"] == prod

    def test_table_says_coverage_over_instances(self, cloud: Emulator) -> None:
        """The table's verdict counts instances, and names the unreachable region."""
        run = _audit(cloud, "--regions", "all", "--require-client")
        assert run.returncode == 3
        first = run.stdout.splitlines()[0]
        assert first.startswith("FAIL: ")
        assert "instances in scope covered" in first
        assert "incomplete: could not list cn-beijing" in first

    def test_a_covered_estate_passes(self) -> None:
        """No gap seeded, no orphan: exit 0 with PASS."""
        estate = Estate(
            regions=("cn-hangzhou", "cn-shanghai"),
            instances_per_region=12,
            uncovered_per_region=0,
            orphans_per_region=0,
            seed=4,
        )
        with Emulator(estate=estate) as emu:
            run = _audit(emu, "--regions", "all", "--require-client")
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.startswith("PASS: 24 of 24 instances in scope covered (100%)")


class TestEstateInputs:
    """Bad input exits 2 naming the flag; nothing is sent."""

    @pytest.mark.parametrize(
        ("args", "named"),
        [
            (["--regions", "cn_hangzhou"], "--regions"),
            (["--regions", ","], "--regions"),
            (["--instance-tag", "env"], "--instance-tag #1"),
            (["--instance-status", "Deleted"], "--instance-status #1"),
            (["--tag", "env=prod"], "--tag"),
        ],
    )
    def test_bad_estate_input_exits_2(self, cloud: Emulator, args: list[str], named: str) -> None:
        """Each bad value is named by its flag, before any request."""
        before = len(cloud.backend.request_log())
        run = _audit(cloud, "--require-client", "--regions", "cn-hangzhou", *args)
        assert run.returncode == 2, run.stderr
        assert "invalid input (nothing was sent)" in run.stderr
        assert named in run.stderr
        assert len(cloud.backend.request_log()) == before

    def test_one_regions_endpoint_for_several_regions_is_refused(self, cloud: Emulator) -> None:
        """HBR_ENDPOINT names one region's endpoint: several regions need HBR_CONNECT_TO."""
        run = _audit(
            cloud,
            "--regions",
            "cn-hangzhou,cn-shanghai",
            HBR_ENDPOINT="hbr.cn-hangzhou.aliyuncs.com",
        )
        assert run.returncode == 2, run.stderr
        assert "endpoint" in run.stderr
        assert "HBR_CONNECT_TO" in run.stderr

    def test_bad_connect_to_is_named(self, cloud: Emulator) -> None:
        """HBR_CONNECT_TO without a port is refused naming the variable."""
        run = _audit(cloud, "--regions", "cn-hangzhou", HBR_CONNECT_TO="127.0.0.1")
        assert run.returncode == 2, run.stderr
        assert "HBR_CONNECT_TO" in run.stderr
        assert "HOST:PORT" in run.stderr
