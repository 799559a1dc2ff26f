"""Benchmark: complete listings with ``list_clients`` against sequential baselines.

One run starts the HBR emulator in a subprocess (``hbr-emulator serve``, so the server
does not compete for this process's GIL) with injected latency and lists every
``ECS_CLIENT`` three ways:

* project: :func:`hbr_clients_provider.api.paging.list_clients` with its defaults;
* sdk_sequential: the official SDK (``alibabacloud-hbr20170908``) in a loop, page size 99;
* terraform_style: sequential, page size 50, stopping at the first short page.

It prints a table and, as its last line, JSON with ``floor_s = latency * (1 + ceil((pages -
1) / concurrency))`` at the default concurrency.

    python bench/pagination.py            # 10,000 clients at 50 ms
    python bench/pagination.py --quick    # about 3,000 clients at 50 ms
    python bench/pagination.py --throttle # emulator at 10 calls/s: time vs pages / 10
    python bench/pagination.py --memory   # peak memory for 100,000 clients
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from alibabacloud_hbr20170908 import models
from alibabacloud_hbr20170908.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from served import serve_emulator

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.paging import DEFAULT_CONCURRENCY, list_clients
from hbr_clients_provider.api.query import ClientQuery
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

#: Seed of the emulator's fleet.
SEED = 11


def connection(endpoint: str) -> ConnectionSettings:
    """Connection settings for the emulator's default credentials."""
    return ConnectionSettings(
        endpoint=endpoint,
        protocol="http",
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        read_timeout_s=30,
    )


def fleet_for(clients: int) -> int:
    """The emulator fleet size that holds about ``clients`` ECS clients."""

    probe = 2000
    share = (
        sum(
            1
            for c in Emulator(fleet=probe, seed=SEED).backend.clients()
            if c["ClientType"] == "ECS_CLIENT"
        )
        / probe
    )
    return round(clients / share)


def sdk_client(endpoint: str) -> Any:
    """The official SDK's client pointed at the emulator."""

    return Client(
        Config(
            access_key_id=DEFAULT_ACCESS_KEY_ID,
            access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
            endpoint=endpoint,
            protocol="HTTP",
            read_timeout=30000,
        )
    )


def sdk_sequential(endpoint: str) -> int:
    """List everything with the official SDK, page size 99, one page at a time."""

    client = sdk_client(endpoint)
    seen, page = 0, 1
    while True:
        body = client.describe_backup_clients(
            models.DescribeBackupClientsRequest(
                client_type="ECS_CLIENT", page_number=page, page_size=99
            )
        ).body
        seen += len(body.clients or [])
        if seen >= body.total_count or not body.clients:
            return seen
        page += 1


def terraform_style(endpoint: str) -> int:
    """Terraform's loop: page size 50, stop at the first page shorter than 50."""

    client = sdk_client(endpoint)
    seen, page = 0, 1
    while True:
        body = client.describe_backup_clients(
            models.DescribeBackupClientsRequest(
                client_type="ECS_CLIENT", page_number=page, page_size=50
            )
        ).body
        count = len(body.clients or [])
        seen += count
        if count < 50:
            return seen
        page += 1


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    """Run ``fn(*args)``; return (seconds, result)."""
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def run_compare(clients: int, latency_ms: float) -> dict[str, Any]:
    """The main comparison; returns the JSON summary."""
    fleet = fleet_for(clients)
    query = ClientQuery(client_type="ECS_CLIENT")
    with serve_emulator(
        fleet=fleet, seed=SEED, extra=("--latency-ms", str(latency_ms)), quiet=False
    ) as endpoint:
        conn = connection(endpoint)
        list_clients(ClientQuery(client_type="ECS_CLIENT", page_size=1), connection=conn)  # warm-up
        project_s, listing = timed(lambda: list_clients(query, connection=conn))
        sdk_s, sdk_count = timed(sdk_sequential, endpoint)
        tf_s, tf_count = timed(terraform_style, endpoint)
    total = listing.api_total_count
    assert len(listing.clients) == total == sdk_count == tf_count, (
        len(listing.clients),
        sdk_count,
        tf_count,
    )
    pages = max(1, math.ceil(total / 99))
    latency = latency_ms / 1000
    floor = latency * (1 + math.ceil((pages - 1) / DEFAULT_CONCURRENCY))
    print(f"{'method':<18}{'seconds':>10}{'calls':>8}")
    print(f"{'project':<18}{project_s:>10.3f}{pages:>8}")
    print(f"{'sdk_sequential':<18}{sdk_s:>10.3f}{pages:>8}")
    print(f"{'terraform_style':<18}{tf_s:>10.3f}{total // 50 + 1:>8}")
    print(f"{'floor':<18}{floor:>10.3f}   (concurrency {DEFAULT_CONCURRENCY})")
    return {
        "clients": total,
        "latency_ms": latency_ms,
        "project_s": round(project_s, 3),
        "sdk_sequential_s": round(sdk_s, 3),
        "terraform_style_s": round(tf_s, 3),
        "speedup_vs_sdk_sequential": round(sdk_s / project_s, 2),
        "floor_s": round(floor, 3),
        "ratio_to_floor": round(project_s / floor, 2),
    }


def run_throttle(clients: int, latency_ms: float) -> dict[str, Any]:
    """List against an emulator that allows 10 calls/s; compare with pages / 10."""
    fleet = fleet_for(clients)
    throttled = ("--latency-ms", str(latency_ms), "--qps", "10", "--retry-after-ms", "100")
    with serve_emulator(fleet=fleet, seed=SEED, extra=throttled, quiet=False) as endpoint:
        seconds, listing = timed(
            lambda: list_clients(
                ClientQuery(client_type="ECS_CLIENT"), connection=connection(endpoint)
            )
        )
    pages = max(1, math.ceil(listing.api_total_count / 99))
    ideal = pages / 10
    ok = len(listing.clients) == listing.api_total_count
    print(f"throttled listing: {listing.api_total_count} clients, {pages} pages, {seconds:.2f} s "
          f"(pages/10 = {ideal:.2f} s, ratio {seconds / ideal:.2f}), complete={ok}")  # fmt: skip
    return {
        "case": "throttle",
        "clients": listing.api_total_count,
        "pages": pages,
        "seconds": round(seconds, 3),
        "pages_div_10_s": ideal,
        "ratio": round(seconds / ideal, 2),
        "complete": ok,
    }


def memory_child(endpoint: str) -> None:
    """In a fresh interpreter: list and report the peak traced memory per client."""
    query = ClientQuery(client_type="ECS_CLIENT")
    conn = connection(endpoint)
    list_clients(ClientQuery(client_type="ECS_CLIENT", page_size=1), connection=conn)  # imports
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    listing = list_clients(query, connection=conn)
    _, peak = tracemalloc.get_traced_memory()
    n = len(listing.clients)
    print(
        json.dumps(
            {
                "clients": n,
                "peak_bytes": peak - base,
                "bytes_per_client": round((peak - base) / max(1, n)),
            }
        )
    )


def run_memory(clients: int) -> dict[str, Any]:
    """Peak memory of a listing of ``clients`` clients, measured in a subprocess."""
    fleet = fleet_for(clients)
    with serve_emulator(fleet=fleet, seed=SEED, quiet=False) as endpoint:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", endpoint],
            capture_output=True, text=True, check=True, timeout=900,
        )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["case"] = "memory"
    result["limit_bytes_per_client"] = 2048
    mb = result["peak_bytes"] / 1e6
    print(f"memory: {result['clients']} clients, peak {mb:.1f} MB above baseline, "
          f"{result['bytes_per_client']} B/client (limit 2048)")  # fmt: skip
    return result


def main() -> None:
    """Parse the flags and run one case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 3,000 clients")
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--throttle", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--memory-child", metavar="ENDPOINT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.memory:
        result = run_memory(args.clients or 100_000)
    elif args.throttle:
        result = run_throttle(args.clients or 3_000, args.latency_ms)
    else:
        clients = args.clients or (3_000 if args.quick else 10_000)
        result = run_compare(clients, args.latency_ms)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
