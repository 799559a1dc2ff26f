"""What the HBR lookup adds to ``pulumi up`` and ``pulumi preview``, and its provider's own cost.

Run: ``.venv/bin/python bench/pulumi_overhead.py [--repeat 5] [--quick] [--fleet 1000]``.
Every command is plain ``pulumi`` (the venv's), run in the program's directory; the program
runs through the Python language host beside it, as it does for a user.

1. Serves an emulator fleet (``hbr-emulator serve``, 0 ms latency) in a subprocess.
2. Copies three programs into a temp dir, each with its own local file backend:
   ``examples/quickstart`` (two ``BackupClients``, the second fed by the first, and a
   ``get_backup_clients_output``), ``bench/programs/baseline`` (the quickstart's exports, as
   constants) and the same baseline with ``BENCH_DYNAMIC_FLOOR=1``, which adds one dynamic
   resource that does nothing: the floor, what any Python dynamic provider costs.
   Each repetition creates a fresh stack of each program and times ``pulumi up --yes`` (the
   create) and then ``pulumi preview --expect-no-changes`` (an unchanged fleet). The programs
   rotate which runs first, so the noise of a shared machine falls on all of them. The
   targets compare the quickstart with the floor: what the lookup adds above any dynamic
   resource.
3. Drives the real dynamic-provider process (``python -u -m pulumi.dynamic``, what the
   engine starts) over gRPC with Pulumi's own stubs: the time to print its port, to answer
   ``Configure``, and the ``Check``/``Create`` of a first ``up`` (cold: the first calls in the
   process) and the ``Check``/``Diff`` of a preview once the process is warm. It also times
   importing ``alibabacloud-tea-openapi`` in a fresh process that has imported ``pulumi``,
   the share of a cold ``Check`` that any provider built on the official SDKs pays.
4. Runs ``up`` and an unchanged ``preview`` of the quickstart once more, untimed, with
   ``bench/programs/import_probe`` on ``PYTHONPATH``: which Python processes each command
   starts, and which of them import ``alibabacloud_tea_openapi``.

Prints medians, the pass/fail of each target and where the floor lies; the last line is
one JSON object with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs
import grpc
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from served import serve_emulator

from hbr_clients_provider.adapters.dynamic import BackupClientsProvider
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
IMPORT_PROBE = ROOT / "bench" / "programs" / "import_probe"
WITH, WITHOUT, FLOOR = "quickstart", "without_lookup", "dynamic_floor"
PROGRAM_NAMES = (WITH, WITHOUT, FLOOR)
#: Where each program's ``__main__.py`` comes from.
SOURCES = {
    WITH: ROOT / "examples" / "quickstart",
    WITHOUT: ROOT / "bench" / "programs" / "baseline",
    FLOOR: ROOT / "bench" / "programs" / "baseline",
}
# The documented passphrase of local test stacks, not a secret.
PASSPHRASE = "hbr-clients-local"  # noqa: S105

#: Targets, above the floor: the lookup adds at most this much to ``pulumi up`` ...
UP_ABOVE_FLOOR_MAX_S = 1.0
#: ... and to a preview of an unchanged fleet.
PREVIEW_ABOVE_FLOOR_MAX_S = 0.5

#: The query of the provider-level measurement: the first ``BackupClients`` of the quickstart.
QUERY: dict[str, Any] = {"client_type": "ECS_CLIENT", "statuses": ["ACTIVATED"]}
URN = "urn:pulumi:bench::bench::pulumi-python:dynamic/hbr:BackupClients::activated-ecs-clients"

_T = TypeVar("_T")


@attrs.frozen
class Project:
    """A copy of one benchmark program with its own local backend."""

    directory: Path
    env: Mapping[str, str]

    @classmethod
    def create(cls, program: str, workdir: Path, *, endpoint: str) -> Project:
        """Copy the ``program`` of :data:`SOURCES` into ``workdir``; point it at ``endpoint``."""
        directory = workdir / program
        directory.mkdir()
        shutil.copy(SOURCES[program] / "__main__.py", directory)
        (directory / "Pulumi.yaml").write_text(
            f"name: bench-{program.replace('_', '-')}\nruntime: python\n", encoding="utf-8"
        )
        state = workdir / f"{program}-state"
        state.mkdir()
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            # The program and the dynamic provider run on the first `python3` on PATH.
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_BACKEND_URL": state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(workdir / f"{program}-home"),
            "NO_COLOR": "1",
            "HBR_ENDPOINT": endpoint,
            "HBR_PROTOCOL": "http",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
            "BENCH_DYNAMIC_FLOOR": "1" if program == FLOOR else "0",
        }
        return cls(directory=directory, env=env)

    def run(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> tuple[float, subprocess.CompletedProcess[str]]:
        """Run plain ``pulumi ARGS`` in the program's directory; the wall time and the process."""
        started = time.perf_counter()
        proc = subprocess.run(
            [str(BIN / "pulumi"), *args, "--non-interactive"],
            cwd=self.directory,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        return time.perf_counter() - started, proc

    def must(self, *args: str, env: Mapping[str, str] | None = None) -> float:
        """Run ``pulumi ARGS``; raise with its output unless it succeeded; return the time."""
        seconds, proc = self.run(*args, env=env)
        if proc.returncode != 0:
            msg = f"{self.directory.name}: pulumi {' '.join(args)} failed:\n"
            raise RuntimeError(msg + proc.stdout + proc.stderr)
        return seconds


def _timed(call: Callable[[], _T]) -> tuple[float, _T]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def provider_timings(project: Project) -> dict[str, float]:
    """Time a fresh dynamic-provider process: start-up, then the RPCs of an up and a preview.

    The calls are the engine's for a first ``up`` (``Configure``, ``Check``, ``Create``),
    then those of a preview of the same resource (``Check``, ``Diff``) in the now warm process.
    """
    # A dict initialises a ``google.protobuf.Struct`` field.
    news = {"__provider": serialize_provider(BackupClientsProvider()), **QUERY}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=dict(project.env),
        cwd=project.directory,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        port_s = time.perf_counter() - started
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            configure_s, _ = _timed(
                lambda: stub.Configure(provider_pb2.ConfigureRequest(args={}, acceptSecrets=True))
            )
            first_response_s = time.perf_counter() - started
            check_cold_s, check = _timed(
                lambda: stub.Check(provider_pb2.CheckRequest(urn=URN, olds={}, news=news))
            )
            if check.failures:
                msg = f"Check failed: {check.failures}"
                raise RuntimeError(msg)
            create_s, created = _timed(
                lambda: stub.Create(provider_pb2.CreateRequest(urn=URN, properties=check.inputs))
            )
            check_warm_s, again = _timed(
                lambda: stub.Check(provider_pb2.CheckRequest(urn=URN, olds=check.inputs, news=news))
            )
            diff_s, diff = _timed(
                lambda: stub.Diff(
                    provider_pb2.DiffRequest(
                        id=created.id, urn=URN, olds=created.properties, news=again.inputs
                    )
                )
            )
            if diff.changes == provider_pb2.DiffResponse.DIFF_SOME:
                msg = "Diff of an unchanged fleet reported a change"
                raise RuntimeError(msg)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {
        "port_s": port_s,
        "configure_s": configure_s,
        "first_response_s": first_response_s,
        "check_cold_s": check_cold_s,
        "create_s": create_s,
        "check_warm_s": check_warm_s,
        "diff_s": diff_s,
    }


def tea_import_s(project: Project) -> float:
    """Time importing ``alibabacloud_tea_openapi.client`` in a fresh process after ``pulumi``.

    That is the state of a dynamic-provider process when its first ``Check`` arrives.
    """
    script = (
        "import time, pulumi.dynamic\n"
        "started = time.perf_counter()\n"
        "import alibabacloud_tea_openapi.client\n"
        "print(time.perf_counter() - started)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(project.env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(proc.stdout.strip())


def _summary(with_s: list[float], without_s: list[float]) -> dict[str, Any]:
    """Medians of each side and of the per-repetition differences and ratios."""
    return {
        "with_s": [round(s, 3) for s in with_s],
        "without_s": [round(s, 3) for s in without_s],
        "with_median_s": round(statistics.median(with_s), 3),
        "without_median_s": round(statistics.median(without_s), 3),
        "added_median_s": round(
            statistics.median(w - b for w, b in zip(with_s, without_s, strict=True)), 3
        ),
        "ratio_median": round(
            statistics.median(w / b for w, b in zip(with_s, without_s, strict=True)), 3
        ),
    }


def _process_role(argv: list[str]) -> str:
    joined = " ".join(argv)
    if "pulumi-language-python-exec" in joined:
        return "program"
    if "pulumi.dynamic" in joined or "pulumi-resource-pulumi-python" in joined:
        return "dynamic provider"
    if "importlib.metadata" in joined:
        return "host: package listing"
    if "platform.python_version" in joined:
        return "host: about"
    return "other: " + " ".join(argv[:4])


def import_census(project: Project) -> dict[str, Any]:
    """Run ``up`` and an unchanged ``preview`` of a fresh stack with the import probe.

    Returns, per command, how many Python processes of each role started and how many of
    them imported ``alibabacloud_tea_openapi``.
    """
    census: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hbr-import-census-") as tmp:
        project.must("stack", "init", "census")
        for command, args in (
            ("up", ("up", "--yes")),
            ("preview", ("preview", "--expect-no-changes")),
        ):
            log = Path(tmp) / f"{command}.jsonl"
            project.must(*args, env={"PYTHONPATH": str(IMPORT_PROBE), "BENCH_IMPORT_LOG": str(log)})
            lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
            events = [json.loads(line) for line in lines]
            roles = {e["pid"]: _process_role(e["argv"]) for e in events if e["event"] == "start"}
            importers = [
                roles.get(e["pid"], "unknown") for e in events if e["event"] == "tea_openapi"
            ]
            census[command] = {
                "python_processes": dict(Counter(roles.values())),
                "tea_openapi_imports": len(importers),
                "tea_openapi_by": dict(Counter(importers)),
            }
    return census


def run(*, repeat: int, fleet: int, seed: int) -> dict[str, Any]:
    """Run every measurement ``repeat`` times, interleaved, and return the results."""
    times: dict[str, dict[str, list[float]]] = {
        "up": {name: [] for name in PROGRAM_NAMES},
        "preview": {name: [] for name in PROGRAM_NAMES},
    }
    provider: dict[str, list[float]] = {}
    unchanged = True
    with (
        serve_emulator(fleet=fleet, seed=seed) as endpoint,
        tempfile.TemporaryDirectory(prefix="hbr-pulumi-overhead-") as tmp,
    ):
        projects = {p: Project.create(p, Path(tmp), endpoint=endpoint) for p in PROGRAM_NAMES}
        # One untimed round first: the first run of a program compiles its bytecode and
        # warms the disk cache, which no later run pays.
        for project in projects.values():
            project.must("stack", "init", "warmup")
            project.must("preview")
        for index in range(repeat):
            shift = index % len(PROGRAM_NAMES)
            order = PROGRAM_NAMES[shift:] + PROGRAM_NAMES[:shift]
            stack = f"r{index}"
            for name in order:
                projects[name].must("stack", "init", stack)
                times["up"][name].append(projects[name].must("up", "--yes"))
            for name in order:
                seconds, proc = projects[name].run("preview", "--expect-no-changes")
                if proc.returncode != 0:
                    unchanged = False
                    print(f"warning: {name} preview reported changes or failed:\n{proc.stdout}")
                times["preview"][name].append(seconds)
            for key, value in provider_timings(projects[WITH]).items():
                provider.setdefault(key, []).append(value)
            provider.setdefault("tea_import_s", []).append(tea_import_s(projects[WITH]))
            print(
                f"  repetition {index + 1}/{repeat}: up {times['up'][WITH][-1]:.2f} s "
                f"(floor {times['up'][FLOOR][-1]:.2f} s, baseline "
                f"{times['up'][WITHOUT][-1]:.2f} s), preview {times['preview'][WITH][-1]:.2f} s "
                f"(floor {times['preview'][FLOOR][-1]:.2f} s, baseline "
                f"{times['preview'][WITHOUT][-1]:.2f} s)",
                flush=True,
            )
        census = import_census(projects[WITH])
    above_floor = {
        "up": _summary(times["up"][WITH], times["up"][FLOOR]),
        "preview": {
            **_summary(times["preview"][WITH], times["preview"][FLOOR]),
            "unchanged": unchanged,
        },
    }
    floor = {
        phase: _summary(times[phase][FLOOR], times[phase][WITHOUT]) for phase in ("up", "preview")
    }
    baseline = {
        phase: _summary(times[phase][WITH], times[phase][WITHOUT]) for phase in ("up", "preview")
    }
    up_pass = above_floor["up"]["added_median_s"] <= UP_ABOVE_FLOOR_MAX_S
    preview_pass = (
        unchanged and above_floor["preview"]["added_median_s"] <= PREVIEW_ABOVE_FLOOR_MAX_S
    )
    return {
        "machine": {
            "arch": platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "fleet": fleet,
        "latency_ms": 0,
        "repeat": repeat,
        "above_floor": above_floor,
        "floor_above_baseline": floor,
        "quickstart_above_baseline": baseline,
        "provider": {k: round(statistics.median(v), 3) for k, v in provider.items()},
        "imports": census,
        "targets": {
            "up_above_floor_max_s": UP_ABOVE_FLOOR_MAX_S,
            "up_pass": up_pass,
            "preview_above_floor_max_s": PREVIEW_ABOVE_FLOOR_MAX_S,
            "preview_pass": preview_pass,
        },
        "pass": up_pass and preview_pass,
    }


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(result: dict[str, Any]) -> None:
    """Print the medians and the verdicts, then the whole result as one JSON line."""
    above, floor, baseline = (
        result["above_floor"],
        result["floor_above_baseline"],
        result["quickstart_above_baseline"],
    )
    provider, targets = result["provider"], result["targets"]
    print(
        f"medians of {result['repeat']} repetitions, fleet {result['fleet']:,} clients at "
        f"{result['latency_ms']} ms latency, plain pulumi through the language host"
    )
    rows = (
        ("pulumi up (create)", "quickstart", "floor", above["up"]),
        ("pulumi preview (unchanged)", "quickstart", "floor", above["preview"]),
        ("pulumi up (create)", "floor", "baseline", floor["up"]),
        ("pulumi preview (unchanged)", "floor", "baseline", floor["preview"]),
        ("pulumi up (create)", "quickstart", "baseline", baseline["up"]),
        ("pulumi preview (unchanged)", "quickstart", "baseline", baseline["preview"]),
    )
    for label, side, other, numbers in rows:
        print(
            f"{label:27} {side:10} {numbers['with_median_s']:.2f} s, {other:8} "
            f"{numbers['without_median_s']:.2f} s: adds {numbers['added_median_s']:.2f} s "
            f"({numbers['ratio_median']:.2f}x)"
        )
    print(
        f"target: the lookup adds <= {targets['up_above_floor_max_s']} s to pulumi up above "
        f"the floor: {_verdict(targets['up_pass'])} ({above['up']['added_median_s']:.2f} s)"
    )
    print(
        f"target: an unchanged preview adds <= {targets['preview_above_floor_max_s']} s above "
        f"the floor: {_verdict(targets['preview_pass'])} "
        f"({above['preview']['added_median_s']:.2f} s"
        f"{'' if above['preview']['unchanged'] else ', and the preview was not unchanged'})"
    )
    for command, numbers in result["imports"].items():
        processes = ", ".join(
            f"{n} {role}" for role, n in sorted(numbers["python_processes"].items())
        )
        importers = ", ".join(
            f"{n} {role}" for role, n in sorted(numbers["tea_openapi_by"].items())
        )
        print(
            f"pulumi {command}: Python processes {processes}; "
            f"{numbers['tea_openapi_imports']} import alibabacloud-tea-openapi"
            + (f" ({importers})" if importers else "")
        )
    print(
        "provider process: "
        f"port printed {provider['port_s']:.3f} s, first response (Configure) "
        f"{provider['first_response_s']:.3f} s after start; "
        f"Check cold {provider['check_cold_s']:.3f} s, Create {provider['create_s']:.3f} s, "
        f"Check warm {provider['check_warm_s']:.3f} s, Diff {provider['diff_s']:.3f} s; "
        f"importing alibabacloud-tea-openapi takes {provider['tea_import_s']:.3f} s"
    )
    print(json.dumps(result, sort_keys=True))


def main() -> None:
    """Parse the arguments, run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--quick", action="store_true", help="2 repetitions")
    parser.add_argument("--fleet", type=int, default=1_000, help="clients (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="fleet seed (default 1)")
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    cores = os.cpu_count()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
        f"load average {load}"
    )
    report(run(repeat=repeat, fleet=args.fleet, seed=args.seed))


if __name__ == "__main__":
    main()
