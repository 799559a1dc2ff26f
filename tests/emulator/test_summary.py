"""What the emulator says it serves: accounts, client types, clusters, cross-account identities."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from hbr_emulator import Emulator
from hbr_emulator.models import HbrBackend
from hbr_emulator.summary import AccountSummary, parse_account_key, summary_lines

from .helpers import describe, sdk_client

COMMAND = str(Path(sys.executable).with_name("hbr-emulator"))
CROSS = "cross:1234567890123456:hbrcrossrole"


def test_summary_counts_every_client_by_type_and_cluster() -> None:
    """The summary of each account adds up to its clients, per type and per cluster."""
    backend = HbrBackend(fleet=300, seed=5)
    summaries = {s.account: s for s in backend.summary()}
    assert set(summaries) == {"self", CROSS}
    for account, summary in summaries.items():
        clients = backend.clients(account, internal=True)
        assert summary.total == len(clients)
        for client_type, count in summary.client_types.items():
            assert count == sum(1 for c in clients if c["ClientType"] == client_type)
        clusters = [c["ClusterId"] for c in clients if "ClusterId" in c]
        assert summary.clusters == {c: clusters.count(c) for c in summary.clusters}
        assert sum(summary.clusters.values()) == len(clusters)
        assert list(summary.clusters.values()) == sorted(summary.clusters.values(), reverse=True)


def test_summary_follows_fleet_changes() -> None:
    """A client added through the control API shows in the summary."""
    backend = HbrBackend(fleet=20, seed=1)
    before = {s.account: s.total for s in backend.summary()}
    backend.add_client({"ClientType": "LOCAL_CLIENT"})
    after = {s.account: s for s in backend.summary()}
    assert after["self"].total == before["self"] + 1
    assert after["self"].client_types["LOCAL_CLIENT"] == 1


def test_parse_account_key() -> None:
    """A cross-account key gives its user ID and role; other keys give None."""
    assert parse_account_key(CROSS) == ("1234567890123456", "hbrcrossrole")
    assert parse_account_key("self") is None
    assert parse_account_key("cross:123") is None


def test_summary_lines_spell_the_query_flags() -> None:
    """Each line names the flags that select what it describes."""
    lines = summary_lines(
        [
            AccountSummary.count("self", [("ECS_CLIENT", None), ("CONTAINER_CLIENT", "cl-a")]),
            AccountSummary.count(CROSS, [("ECS_CLIENT", None)]),
        ]
    )
    assert lines == [
        "own account: 2 clients (ECS_CLIENT 1, CONTAINER_CLIENT 1)",
        "  CONTAINER_CLIENT --cluster-id: cl-a (1)",
        "cross account --cross-account-user-id 1234567890123456"
        " --cross-account-role-name hbrcrossrole: 1 clients (ECS_CLIENT 1)",
    ]


def test_summary_lines_name_the_largest_clusters_and_count_the_rest() -> None:
    """A fleet with many clusters logs the largest ten and how many more the JSON lists."""
    records = [("CONTAINER_CLIENT", f"cl-{i:02d}") for i in range(25) for _ in range(i + 1)]
    (line,) = summary_lines([AccountSummary.count("self", records)])[1:]
    assert line.startswith("  CONTAINER_CLIENT --cluster-id: cl-24 (25), cl-23 (24), ")
    assert line.count("(") == 10 + 1
    assert line.endswith(", ... and 15 more (GET /_emulator/summary)")


def test_admin_summary_route(emulator: Emulator) -> None:
    """``GET /_emulator/summary`` lists every account with its identity, types and clusters."""
    with urllib.request.urlopen(emulator.url + "/_emulator/summary", timeout=10) as response:
        body = json.loads(response.read())
    accounts = {a["Account"]: a for a in body["Accounts"]}
    assert accounts["self"]["TotalCount"] == 120
    assert accounts["self"]["CrossAccountUserId"] is None
    cross = accounts[CROSS]
    assert (cross["CrossAccountUserId"], cross["CrossAccountRoleName"]) == (
        "1234567890123456",
        "hbrcrossrole",
    )
    assert cross["TotalCount"] == len(emulator.backend.clients(CROSS))


def test_summarised_cluster_returns_its_clients(emulator: Emulator) -> None:
    """The largest cluster the summary names returns that many clients over the API."""
    summary = next(s for s in emulator.backend.summary() if s.account == "self")
    cluster, count = next(iter(summary.clusters.items()))
    body = describe(
        sdk_client(emulator.endpoint),
        client_type="CONTAINER_CLIENT",
        cluster_id=cluster,
        page_size=99,
    )
    assert body.total_count == count > 0


def test_serve_reports_what_it_serves_on_stderr() -> None:
    """`hbr-emulator serve` logs its accounts, cluster IDs and cross-account identity at start."""
    process = subprocess.Popen(
        [COMMAND, "serve", "--port", "0", "--fleet", "100", "--seed", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("HBR_ENDPOINT=")
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    expected = summary_lines(HbrBackend(fleet=100, seed=0).summary())
    assert expected[0] == "own account: 100 clients (ECS_CLIENT 85, CONTAINER_CLIENT 15)"
    logged = [line.split(" INFO ", 1)[1] for line in stderr.splitlines() if " INFO " in line]
    assert logged[1 : 1 + len(expected)] == expected
    assert any("--cross-account-user-id 1234567890123456" in line for line in logged)
    assert any("--cluster-id: cl-" in line for line in logged)
