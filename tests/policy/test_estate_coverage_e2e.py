"""hbr-estate-coverage in the pack of policy/, through the real `pulumi` CLI and engine.

`pulumi preview --policy-pack <repo>/policy --policy-pack-config FILE` of the example stack
(examples/policy-pack, copied to a temp dir), with every request sent to an emulated
three-region cloud through ``HBR_CONNECT_TO``: the engine validates the config against the
policy's schema, fills its defaults, and blocks or passes the preview on the verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from hbr_emulator.estate import Estate
from tests.e2e.pulumi_cli import PulumiProject, Result

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policy"
EXAMPLE = ROOT / "examples" / "policy-pack"
REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")
LISTED = ("cn-hangzhou", "cn-shanghai")


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    """Three regions of 30 instances (3 uncovered, 1 orphan client each); no HBR in cn-beijing."""
    estate = Estate(regions=REGIONS, instances_per_region=30, not_activated=("cn-beijing",), seed=8)
    with Emulator(estate=estate) as emu:
        yield emu


def _preview(project: PulumiProject, config: dict[str, Any]) -> Result:
    path = project.directory / "estate-config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return project.run("preview", "--policy-pack", str(PACK), "--policy-pack-config", path.name)


def test_preview_blocks_on_the_estate_passes_when_tolerated_and_refuses_bad_config(
    tmp_path: Path, cloud: Emulator
) -> None:
    """Mandatory: the seeded gaps and cn-beijing block the preview; listed regions with the
    gaps tolerated pass; a malformed region is refused by the engine before the pack runs."""
    env = {
        "HBR_CONNECT_TO": cloud.endpoint,
        "HBR_PROTOCOL": "http",
        "ALIBABA_CLOUD_REGION_ID": "cn-hangzhou",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
    }
    project = PulumiProject.create(EXAMPLE, tmp_path, env=env)
    truth = cloud.estate_truth()
    gaps = [i for r in LISTED for i in truth.region(r).uncovered_instance_ids]
    findings = len(gaps) + sum(len(truth.region(r).orphan_client_ids) for r in LISTED)

    blocked = _preview(project, {"hbr-estate-coverage": {"enforcementLevel": "mandatory"}})

    out = blocked.output
    assert blocked.returncode != 0, out
    assert "[mandatory]  hbr-estate-coverage" in out
    assert "incomplete: could not list cn-beijing" in out
    assert "cn-beijing: ServiceNotActivated, request id " in out
    assert all(gap in out for gap in gaps)
    assert "Traceback" not in out

    passed = _preview(
        project,
        {
            "hbr-estate-coverage": {
                "enforcementLevel": "mandatory",
                "regions": list(LISTED),
                "maxFindings": findings,
            }
        },
    )
    assert passed.returncode == 0, passed.output
    assert "hbr-estate-coverage" not in passed.output

    refused = _preview(project, {"hbr-estate-coverage": {"regions": "cn hangzhou"}})
    assert refused.returncode != 0
    assert "hbr-estate-coverage: regions" in refused.output
    assert gaps[0] not in refused.output
    assert "Traceback" not in refused.output
