"""Benchmark: the peak memory of ``hbr-clients`` end to end, per format, at fleet scale.

Starts ``hbr-emulator serve --fleet N`` in its own process (100,000 clients by default,
about 85,000 of them ECS), then runs the installed ``hbr-clients`` command as a user
would, output to a file, once per case:

* ``list --format json``, ``list --format csv``, ``list --format table``;
* ``audit --require-activated --require-latest --max-heartbeat-age 1d --format json``.

Each command's peak resident memory is read from the kernel's accounting of that one
child (``os.wait4``), so the emulator's memory is not counted. Linux carries the peak of
the process that spawned a command into the command's own (``exec`` keeps the larger), so
this process never loads an output whole: it counts lines, and stays at about 30 MB.

It prints, per case, the clients listed, the peak RSS in MB, the bytes per client (peak /
clients), the output size and the seconds taken, then a JSON summary. The target is a
peak of at most 300 MB at 100,000 clients.

    python bench/cli_memory.py                 # 100,000-client fleet
    python bench/cli_memory.py --fleet 20000   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from served import serve_emulator

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

#: Seed of the emulator's fleet.
SEED = 11

#: The peak the CLI must stay under at 100,000 clients.
LIMIT_MB = 300

CASES: dict[str, list[str]] = {
    "list json": ["list", "--client-type", "ECS_CLIENT", "--format", "json"],
    "list csv": ["list", "--client-type", "ECS_CLIENT", "--format", "csv"],
    "list table": ["list", "--client-type", "ECS_CLIENT", "--format", "table"],
    "audit json": [
        "audit", "--client-type", "ECS_CLIENT", "--require-activated", "--require-latest",
        "--max-heartbeat-age", "1d", "--format", "json",
    ],
}  # fmt: skip


def run_case(args: list[str], endpoint: str, out_dir: Path) -> dict[str, Any]:
    """Run ``hbr-clients *args`` with output to a file; return its peak RSS and facts."""
    exe = Path(sys.executable).with_name("hbr-clients")
    env = {
        **os.environ,
        "HBR_ENDPOINT": endpoint,
        "HBR_PROTOCOL": "http",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
    }
    out_path = out_dir / "out.txt"
    started = time.perf_counter()
    with out_path.open("w") as out:
        proc = subprocess.Popen([str(exe), *args], stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        msg = f"hbr-clients {' '.join(args)} exited {code}: {stderr}"
        raise RuntimeError(msg)
    clients = _count_clients(args, out_path)
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    return {
        "clients": clients,
        "peak_mb": round(peak / 1e6, 1),
        "bytes_per_client": round(peak / max(1, clients)),
        "output_mb": round(out_path.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 2),
        "exit_code": code,
    }


def _count_clients(args: list[str], path: Path) -> int:
    """Count what was printed, line by line: this process must stay small (see below)."""
    with path.open() as lines:
        if args[0] == "audit":
            for line in lines:
                if line.startswith('    "total_clients": '):
                    return int(line.split(":")[1].strip(" ,\n"))
            return 0
        fmt = args[args.index("--format") + 1]
        if fmt == "json":
            return sum(1 for line in lines if line.startswith("  {"))
        return sum(1 for _ in lines) - (1 if fmt == "csv" else 2)  # header (and count line)


def main() -> None:
    """Run every case against one emulator and print the table and the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", type=int, default=100_000)
    args = parser.parse_args()
    results: dict[str, Any] = {"fleet": args.fleet, "limit_mb": LIMIT_MB}
    with (
        serve_emulator(fleet=args.fleet, seed=SEED) as endpoint,
        tempfile.TemporaryDirectory() as tmp,
    ):
        print(f"{'case':<12}{'clients':>9}{'peak MB':>9}{'B/client':>10}{'out MB':>8}{'s':>7}")
        for name, case in CASES.items():
            r = run_case(case, endpoint, Path(tmp))
            results[name] = r
            print(f"{name:<12}{r['clients']:>9}{r['peak_mb']:>9}{r['bytes_per_client']:>10}"
                  f"{r['output_mb']:>8}{r['seconds']:>7}")  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
