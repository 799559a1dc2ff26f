"""``hbr-emulator serve --accounts ...``: an organisation from the command line, its bad flags."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import (
    assume_role,
    describe,
    list_accounts,
    rm_client,
    sdk_client,
    session_config,
    sts_client,
)

COMMAND = str(Path(sys.executable).with_name("hbr-emulator"))
ORGANISATION_ARGS = (
    *("--accounts", "3", "--seed", "4", "--member-regions", "cn-shanghai"),
    *("--without-role", "2", "--throttled-account", "3=0.5", "--token-lifetime", "60"),
    *("--instances-per-region", "6", "--uncovered-per-region", "1"),
)


def test_serve_accounts_serves_the_organisation() -> None:
    """The flags build the organisation; the log lists each account; the APIs and truth agree."""
    process = subprocess.Popen(
        [COMMAND, "serve", *ORGANISATION_ARGS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().strip().split("=", 1)[1]
        accounts = list_accounts(rm_client(endpoint), page_size=10).accounts.account
        host, port = endpoint.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/_emulator/organisation")
        truth = json.loads(connection.getresponse().read())
        connection.close()
        member = truth["Accounts"][1]
        arn = f"acs:ram::{member['AccountId']}:role/resourcedirectoryaccountaccessrole"
        body = assume_role(sts_client(endpoint), arn)
        clients = describe(sdk_client(endpoint, **session_config(body)), page_size=99)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert [a.account_id for a in accounts] == [a["AccountId"] for a in truth["Accounts"][1:]]
    assert [a["RoleAssumable"] for a in truth["Accounts"]] == [False, True, False, True]
    assert [a["QuotaPerSecond"] for a in truth["Accounts"]] == [None, None, None, 0.5]
    region = member["Estate"]["Regions"][0]
    assert [r["RegionId"] for r in member["Estate"]["Regions"]] == ["cn-shanghai"]
    management = truth["Accounts"][0]["Estate"]["Regions"]
    assert [r["RegionId"] for r in management] == ["cn-hangzhou", "cn-shanghai"]
    assert len(region["Instances"]) == 6
    assert clients.total_count == 6 - 1 + 1  # covered instances and one orphan
    logged = [line.split(" INFO ", 1)[1] for line in stderr.splitlines() if " INFO " in line]
    heading = next(line for line in logged if line.startswith("organisation rd-"))
    assert f"management account {truth['ManagementAccountId']}" in heading
    assert "3 members" in heading
    members = [line for line in logged if line.startswith("  member ")]
    assert len(members) == 3
    assert members[0].startswith(f"  member 1 {member['AccountId']} member-01 (ResourceAccount")
    assert f"role {arn}" in members[0]
    assert "no access role" in members[1]
    assert "throttled at 0.5 calls/s" in members[2]
    assert "regions cn-shanghai uncovered 1 orphans 1" in members[0]
    assert "STS credentials expire after at most 60 s" in logged


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--without-role", "1"], "--without-role needs --accounts"),
        (["--token-lifetime", "5"], "--token-lifetime needs --accounts"),
        (["--accounts", "2", "--without-role", "3"], "--without-role: without_role: no member 3"),
        (["--accounts", "2", "--without-role", "x"], "argument --without-role: must be member"),
        (["--accounts", "2", "--throttled-account", "1=0"], "argument --throttled-account:"),
        (["--accounts", "2", "--throttled-account", "5"], "--throttled-account: throttled"),
        (["--accounts", "-1"], "argument --accounts: must be >= 0"),
        (["--accounts", "1", "--token-lifetime", "-1"], "argument --token-lifetime"),
        (["--accounts", "1", "--member-regions", "mars-1"], "argument --member-regions"),
        (["--accounts", "1", "--data", "f.json"], "--data and --accounts cannot be combined"),
        (
            ["--accounts", "1", "--instances-per-region", "1"],
            "--uncovered-per-region: uncovered_per_region (2) must be <= instances_per_region",
        ),
    ],
)
def test_serve_bad_organisation_flags_exit_2(args: list[str], message: str) -> None:
    """A bad organisation flag exits 2 with a message that names the flag."""
    result = subprocess.run(
        [COMMAND, "serve", *args], capture_output=True, text=True, timeout=10, check=False
    )
    assert result.returncode == 2
    assert message in result.stderr
