"""``audit_backup_coverage_output`` in a Python program, through plain ``pulumi``.

The program reaches an emulated three-region cloud through ``hbr:connectTo`` (stack config),
with the keys as secret stack config: the same gate as ``hbr-clients audit`` decides.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Organisation
from hbr_emulator.estate import Estate
from tests.e2e.pulumi_cli import PulumiProject

pytestmark = pytest.mark.e2e

PROGRAM = Path(__file__).parent / "programs" / "coverage"
REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    """Three regions; HBR is not activated in cn-beijing."""
    estate = Estate(regions=REGIONS, instances_per_region=30, not_activated=("cn-beijing",), seed=8)
    with Emulator(estate=estate) as emu:
        yield emu


def _project(tmp_path: Path, emu: Emulator, arguments: dict[str, Any]) -> PulumiProject:
    project = PulumiProject.create(
        PROGRAM,
        tmp_path,
        env={
            "COVERAGE_ARGS": json.dumps(arguments),
            "HBR_ENDPOINT": "",
            "HBR_CONNECT_TO": "",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "",
        },
    )
    project.run(
        "config",
        "set-all",
        *("--plaintext", f"hbr:connectTo={emu.endpoint}"),
        *("--plaintext", "hbr:protocol=http"),
        *("--plaintext", "alicloud:region=cn-hangzhou"),
        *("--secret", f"alicloud:accessKey={DEFAULT_ACCESS_KEY_ID}"),
        *("--secret", f"alicloud:secretKey={DEFAULT_ACCESS_KEY_SECRET}"),
        check=True,
    )
    return project


def test_uncovered_instances_fail_the_preview_naming_each(tmp_path: Path, cloud: Emulator) -> None:
    """Two regions with gaps: the preview fails listing exactly the seeded instances."""
    regions = ["cn-hangzhou", "cn-shanghai"]
    preview = _project(tmp_path, cloud, {"regions": regions}).run("preview")
    assert preview.returncode != 0
    assert "HBR estate coverage FAIL" in preview.output
    truth = cloud.estate_truth()
    for region in regions:
        for instance_id in truth.region(region).uncovered_instance_ids:
            assert f"no_backup_client {region} {instance_id}" in preview.output
    assert "Traceback" not in preview.output
    assert "hbr:BackupClients gated create" not in preview.stdout, preview.stdout


def test_unreachable_region_fails_closed_and_can_be_accepted(
    tmp_path: Path, cloud: Emulator
) -> None:
    """cn-beijing without HBR fails the gate as incomplete, unless accepted by name."""
    failing = _project(tmp_path / "a", cloud, {"regions": "all", "max_findings": None})
    preview = failing.run("preview")
    assert preview.returncode != 0
    assert "incomplete: could not list cn-beijing" in preview.output
    assert "cn-beijing: ServiceNotActivated, request id" in preview.output
    assert "allow_unreachable" in preview.output

    accepted = _project(
        tmp_path / "b",
        cloud,
        {"regions": "all", "max_findings": None, "allow_unreachable": ["cn-beijing"]},
    )
    up = accepted.run("up", "--yes", "--skip-preview")
    assert up.returncode == 0, up.output
    coverage = accepted.outputs()["coverage"]
    assert coverage["complete"] is True
    truth = cloud.estate_truth()
    uncovered = {
        (r, i)
        for r in ("cn-hangzhou", "cn-shanghai")
        for i in truth.region(r).uncovered_instance_ids
    }
    found = {
        (f["region"], f["instance_id"])
        for f in coverage["findings"]
        if f["rule"] == "no_backup_client"
    }
    assert found == uncovered


def test_every_account_of_the_organisation(tmp_path: Path) -> None:
    """accounts="all": each member's seeded gaps, labelled by account; the member without
    the role fails the preview until it is accepted by name."""
    regions = ("cn-hangzhou", "cn-shanghai")
    organisation = Organisation.generate(
        members=2,
        seed=4,
        member_regions=regions,
        without_role=(2,),
        estate=Estate(regions=regions, instances_per_region=8, seed=2),
    )
    with Emulator(organisation=organisation) as emu:
        truth = emu.organisation_truth()
        member = next(a for a in truth.members if a.role_assumable)
        without = next(a for a in truth.members if not a.role_assumable)
        failing = _project(tmp_path / "a", emu, {"regions": list(regions), "accounts": "all"})
        preview = failing.run("preview")
        assert preview.returncode != 0
        assert f"{without.account_id}/*: EntityNotExist.Role, request id" in preview.output
        assert "Traceback" not in preview.output

        arguments = {
            "regions": list(regions),
            "accounts": "all",
            "allow_unreachable": [without.account_id],
            "max_findings": None,
        }
        accepted = _project(tmp_path / "b", emu, arguments)
        up = accepted.run("up", "--yes", "--skip-preview")
        assert up.returncode == 0, up.output
        coverage = accepted.outputs()["coverage"]
        found = {
            (f["account_id"], f["region"], f["instance_id"])
            for f in coverage["findings"]
            if f["rule"] == "no_backup_client"
        }
        seeded = {
            (member.account_id, r, i)
            for r in regions
            for i in member.estate.region(r).uncovered_instance_ids
        }
        own = emu.estate_truth()
        seeded |= {(None, r, i) for r in regions for i in own.region(r).uncovered_instance_ids}
        assert found == seeded
        assert coverage["complete"] is True
