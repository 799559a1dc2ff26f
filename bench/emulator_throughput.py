"""Throughput and memory of the HBR emulator.

Run: ``.venv/bin/python bench/emulator_throughput.py [--seconds 5] [--fleet 10000]``.

1. Starts ``python -m hbr_emulator serve`` in a subprocess (so the server and this
   client do not share a GIL), then requests full pages (``PageSize=99``) over one
   keep-alive ``http.client`` connection, each ACS3-signed by hand, and prints
   pages per second.
2. Measures, in fresh subprocesses, the resident set (``VmRSS``) of an interpreter
   that imported the emulator, and of one that also holds a 100,000-client fleet.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import sys
import time

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.signing import sign_acs3

_RSS_SNIPPET = """
import sys
from hbr_emulator.models import HbrBackend
def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS:"))
size = int(sys.argv[1])
if size:
    backend = HbrBackend(fleet=size, seed=1)
    assert backend.count() == size
print(rss())
"""


def rss_kib(fleet: int) -> int:
    """Return the VmRSS (KiB) of a fresh interpreter holding ``fleet`` clients."""
    out = subprocess.run(
        [sys.executable, "-c", _RSS_SNIPPET, str(fleet)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def throughput(*, seconds: float, fleet: int) -> tuple[float, int]:
    """Return pages per second and the number of pages fetched from a served fleet."""
    server = subprocess.Popen(
        [sys.executable, "-m", "hbr_emulator", "serve", "--fleet", str(fleet), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip().split("=", 1)[1]
        host, port = endpoint.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        pages = total = 0
        page_number = 1
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        while time.perf_counter() < deadline:
            target, headers, body = sign_acs3(
                access_key_id=DEFAULT_ACCESS_KEY_ID,
                access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
                host=endpoint,
                action="DescribeBackupClients",
                version="2017-09-08",
                query={
                    "ClientType": "ECS_CLIENT",
                    "PageNumber": str(page_number),
                    "PageSize": "99",
                },
            )
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            if response.status != 200:
                msg = f"page {page_number}: {response.status} {payload[:200]!r}"
                raise RuntimeError(msg)
            if total == 0:
                total = json.loads(payload)["TotalCount"]
            pages += 1
            page_number = page_number + 1 if page_number * 99 < total else 1
        elapsed = time.perf_counter() - started
        connection.close()
        return pages / elapsed, pages
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--fleet", type=int, default=10_000)
    parser.add_argument("--rss-fleet", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    rate, pages = throughput(seconds=args.seconds, fleet=args.fleet)
    print(f"throughput: {rate:.0f} pages/s of 99 clients over keep-alive ({pages} pages)")
    baseline = rss_kib(0)
    held = rss_kib(args.rss_fleet)
    print(
        f"rss: baseline {baseline / 1024:.1f} MiB, with {args.rss_fleet:,} clients "
        f"{held / 1024:.1f} MiB (fleet: {(held - baseline) / 1024:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
