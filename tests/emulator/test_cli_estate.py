"""``hbr-emulator serve --regions ...``: a small cloud from the command line, and its bad flags."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import describe_instances, ecs_client, hbr_via_host

COMMAND = str(Path(sys.executable).with_name("hbr-emulator"))
ESTATE_ARGS = (
    *("--regions", "cn-hangzhou,cn-shanghai,cn-beijing"),
    *("--instances-per-region", "12", "--uncovered-per-region", "2"),
    *("--orphans-per-region", "1", "--stopped-per-region", "1"),
    *("--not-activated", "cn-beijing", "--quota", "50", "--quota-scope", "account"),
)


def test_serve_regions_serves_the_estate() -> None:
    """The flags build the estate; the log names each region; HBR, ECS and the truth agree."""
    process = subprocess.Popen(
        [COMMAND, "serve", *ESTATE_ARGS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().strip().split("=", 1)[1]
        body = describe_instances(ecs_client(endpoint), region_id="cn-shanghai", page_size=50)
        status, beijing = hbr_via_host(endpoint, "hbr.cn-beijing.aliyuncs.com")
        host, port = endpoint.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/_emulator/estate")
        truth = json.loads(connection.getresponse().read())
        connection.close()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert body.total_count == 12
    assert (status, beijing["Code"]) == (403, "ServiceNotActivated")
    regions = {region["RegionId"]: region for region in truth["Regions"]}
    assert list(regions) == ["cn-hangzhou", "cn-shanghai", "cn-beijing"]
    assert len(regions["cn-shanghai"]["UncoveredInstanceIds"]) == 2
    assert len(regions["cn-shanghai"]["OrphanClientIds"]) == 1
    assert regions["cn-beijing"]["HbrActivated"] is False
    logged = [line.split(" INFO ", 1)[1] for line in stderr.splitlines() if " INFO " in line]
    assert logged[1] == (
        "regions: cn-hangzhou, cn-shanghai, cn-beijing (a plain address serves cn-hangzhou; "
        "HBR not activated in cn-beijing)"
    )
    assert any(line.startswith("  cn-shanghai (hbr.cn-shanghai.aliyuncs.com") for line in logged)
    assert "quota: 50 calls per second for the whole account (then 400 Throttling.User)" in logged


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regions", "cn-hangzhou,mars-1"], "argument --regions: unknown region 'mars-1'"),
        (["--regions", ","], "argument --regions: must name at least one region"),
        (["--instances-per-region", "5"], "--instances-per-region needs --regions"),
        (
            ["--regions", "cn-hangzhou", "--instances-per-region", "2"],
            "--uncovered-per-region: uncovered_per_region (3) must be <= instances_per_region",
        ),
        (
            ["--regions", "cn-hangzhou", "--not-activated", "cn-shanghai"],
            "--not-activated: not_activated names region(s) outside regions: cn-shanghai",
        ),
        (["--regions", "cn-hangzhou", "--orphans-per-region", "-1"], "--orphans-per-region"),
        (["--quota", "0"], "argument --quota: must be > 0"),
        (["--quota", "1", "--quota-scope", "planet"], "argument --quota-scope: invalid choice"),
        (["--regions", "cn-hangzhou", "--data", "f.json"], "--data and --regions cannot be"),
    ],
)
def test_serve_bad_estate_flags_exit_2(args: list[str], message: str) -> None:
    """A bad estate or quota flag exits 2 with a message that names the flag."""
    result = subprocess.run(
        [COMMAND, "serve", *args], capture_output=True, text=True, timeout=10, check=False
    )
    assert result.returncode == 2
    assert message in result.stderr
