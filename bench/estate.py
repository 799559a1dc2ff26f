"""Benchmark: the estate audit (``audit_estate``) under an API quota, against a script and a floor.

One run starts ``hbr-emulator serve --regions ...`` in a subprocess (its own process and GIL,
through :mod:`served`): R regions, each with N ECS instances and C ``ECS_CLIENT`` clients
(``uncovered = N - C + orphans`` instances have none), every answer 50 ms late, and a quota of
10 calls/s that the emulator enforces (400 ``Throttling.User`` with ``x-acs-retry-after``),
either per region and API (``--quota-scope target_api``) or for the whole account
(``account``). Against it, this process audits the estate two ways:

* **project**: :func:`hbr_clients_provider.audit.estate.audit_estate` with
  ``require_client=True`` and its defaults otherwise, through ``connect_to``: every request,
  HBR or ECS, any region, goes to the emulator with its real ``Host``;
* **sequential loop**: the script a user would write with the official SDKs
  (``alibabacloud-ecs20140526``, ``alibabacloud-hbr20170908``): region after region, ECS
  ``DescribeInstances`` pages (100) then HBR ``DescribeBackupClients`` pages (99), one page at
  a time. It is a careful script: on ``Throttling.*`` it sleeps what ``x-acs-retry-after``
  asks (else 0.1 s, doubling up to 2 s) and retries the page. The SDKs are configured for the
  real host names (``ecs.<region>.aliyuncs.com``); their own ``http_proxy`` setting carries
  the requests to the emulator, ``Host`` unchanged.

and compares both with the floor of the quota model:

* ``target_api``: the (region, API) pairs have their own buckets and may run side by side, so
  floor = max over (region, API) of max(pages / quota, pages * latency);
* ``account``: one bucket, so floor = all pages / quota.

The floors are the issue's formulas. The emulator's buckets start full (``quota`` calls), so
``pages / quota`` is up to one second above what a client could reach; each model also prints
that lower bound (:meth:`EstateShape.burst_bound_s`) for reference.

Peak memory: a fresh interpreter audits the same estate under :mod:`tracemalloc` (peak of
the Python allocations above the baseline taken after a one-region warm-up), divided by the
estate's instances. It is measured once per quota model.

Targets (reported, not enforced): >= 8x faster than the sequential loop and <= 1.3x the
floor under ``target_api``; <= 1.3x the floor under ``account``; <= 2 KB peak per instance.
Only 127.0.0.1 is contacted; every loop is bounded in pages, retries and time.

Measured (full size, shared 2-core machine, ``--repeat 3``): target_api: project 4.4-5.0 s
with 3.9-4.4 s of this process's CPU and 0-1 throttled calls, loop 20.5 s (never throttled:
a (region, API) bucket outlasts the loop's 20 pages), floor 2.0 s, so 2.45x the floor and
4.2x the loop; with the quota lifted (``--quota 100000``) the project still takes 3.3-4.3 s
on 3.0-3.3 s of CPU: it is bound by its CPU per page (GIL), not by the quota. account:
project 30.1-31.4 s against a floor of 30.4 s (1.02x), 463-493 calls for 304 pages. Peak
1.86-1.90 KB per instance.

    python bench/estate.py                       # 8 regions x 2,000 instances, both models
    python bench/estate.py --quick               # 2 regions x 1,500 instances, < 1 minute
    python bench/estate.py --scope account --regions 2 --instances 500
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypeVar

import attrs
from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_hbr20170908 import models as hbr_models
from alibabacloud_hbr20170908.client import Client as HbrClient
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config
from served import serve_emulator

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.audit.coverage import NO_BACKUP_CLIENT, ORPHAN_CLIENT, CoverageReport
from hbr_clients_provider.audit.estate import DEFAULT_TARGET_CONCURRENCY, audit_estate
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.estate import REGION_IDS

Scope = Literal["target_api", "account"]

#: Seed of the emulated estate.
SEED: Final = 11

#: Largest ``PageSize`` of ECS ``DescribeInstances`` and of HBR ``DescribeBackupClients``.
ECS_PAGE_SIZE: Final = 100
HBR_PAGE_SIZE: Final = 99

#: The estate's regions, in this order (real IDs; the rest of the emulator's after them).
FIRST_REGIONS: Final = (
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-qingdao",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-chengdu",
)
REGION_ORDER: Final = (*FIRST_REGIONS, *(r for r in REGION_IDS if r not in FIRST_REGIONS))

#: Time bounds: the project's ``deadline_s``, the sequential loop's, and a memory child's.
PROJECT_DEADLINE_S: Final = 600.0
LOOP_DEADLINE_S: Final = 900.0
CHILD_TIMEOUT_S: Final = 900.0

#: Throttled answers the sequential loop sleeps through for one page before it gives up.
MAX_THROTTLED_RETRIES: Final = 100

#: Targets of the issue.
TARGET_SPEEDUP: Final = 8.0
TARGET_FLOOR_RATIO: Final = 1.3
TARGET_BYTES_PER_INSTANCE: Final = 2048

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class EstateShape:
    """The emulated estate and the conditions it is served under."""

    regions: tuple[str, ...]
    instances: int
    """ECS instances per region."""
    clients: int
    """``ECS_CLIENT`` clients per region (``orphans`` of them name no instance)."""
    orphans: int
    latency_ms: float
    quota_per_s: float

    @property
    def uncovered(self) -> int:
        """Instances per region that no client names."""
        return self.instances - (self.clients - self.orphans)

    @property
    def ecs_pages(self) -> int:
        """``DescribeInstances`` pages per region."""
        return max(1, math.ceil(self.instances / ECS_PAGE_SIZE))

    @property
    def hbr_pages(self) -> int:
        """``DescribeBackupClients`` pages per region."""
        return max(1, math.ceil(self.clients / HBR_PAGE_SIZE))

    @property
    def pages(self) -> int:
        """Pages of the whole estate."""
        return len(self.regions) * (self.ecs_pages + self.hbr_pages)

    def _api_floor(self, pages: int) -> float:
        return max(pages / self.quota_per_s, pages * self.latency_ms / 1000)

    def floor_s(self, scope: Scope) -> float:
        """The floor under ``scope`` (module docstring)."""
        if scope == "account":
            return self.pages / self.quota_per_s
        return max(self._api_floor(self.ecs_pages), self._api_floor(self.hbr_pages))

    def burst_bound_s(self, scope: Scope) -> float:
        """A lower bound that spends the buckets' initial burst (for reference, not a target).

        A bucket starts with ``max(1, quota)`` calls, and a listing learns its page count from
        page 1: page 1 answers after one latency, the last page is admitted no sooner than
        ``(pages - burst) / quota``, and answers one latency later. Full size, target_api:
        ``max(0.05, (20 - 10) / 10) + 0.05 = 1.05 s`` against the floor's 2 s.
        """
        q, latency = self.quota_per_s, self.latency_ms / 1000
        burst = max(1.0, q)

        def bound(pages: int) -> float:
            return max(latency, (pages - burst) / q) + latency

        if scope == "account":
            return bound(self.pages)
        return max(bound(self.ecs_pages), bound(self.hbr_pages))

    def floor_formula(self, scope: Scope) -> str:
        """How :meth:`floor_s` is computed, with the numbers."""
        q, latency = self.quota_per_s, self.latency_ms / 1000
        if scope == "account":
            return f"all pages / quota = {self.pages} / {q:g}"
        return (
            f"max over (region, API) of max(pages / quota, pages * latency): "
            f"ECS max({self.ecs_pages}/{q:g}, {self.ecs_pages}*{latency:g}), "
            f"HBR max({self.hbr_pages}/{q:g}, {self.hbr_pages}*{latency:g})"
        )

    def serve_flags(self, scope: Scope) -> tuple[str, ...]:
        """The ``hbr-emulator serve`` flags of this estate under ``scope``."""
        return (
            "--regions",
            ",".join(self.regions),
            "--instances-per-region",
            str(self.instances),
            "--uncovered-per-region",
            str(self.uncovered),
            "--orphans-per-region",
            str(self.orphans),
            "--latency-ms",
            str(self.latency_ms),
            "--quota",
            str(self.quota_per_s),
            "--quota-scope",
            scope,
        )

    def refill_s(self) -> float:
        """Seconds an emptied quota bucket takes to fill up again (it holds ``max(1, q)``)."""
        return max(1.0, self.quota_per_s) / self.quota_per_s


# --- the emulator's control API ------------------------------------------------------------

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def emulator_requests(endpoint: str) -> dict[str, Any]:
    """``GET /_emulator/requests``: the last 10,000 API calls and the counts by action."""
    with _NO_PROXY.open(f"http://{endpoint}/_emulator/requests", timeout=60) as answer:
        result: dict[str, Any] = json.load(answer)
    return result


@attrs.frozen(kw_only=True)
class CallLog:
    """What the emulator saw between two instants: calls, throttled calls, spans by listing."""

    calls: int
    throttled: int | None
    """``None`` when the emulator's log (10,000 entries) no longer reaches back far enough."""
    spans: dict[tuple[str, str], tuple[float, float]]
    """(region, product) -> first and last call, seconds after the start."""


def call_log(endpoint: str, *, before: dict[str, int], since: float) -> CallLog:
    """Summarise the calls logged after ``since`` (``time.time()``); ``before``: the counts then."""
    answer = emulator_requests(endpoint)
    counts: dict[str, int] = answer["Counts"]
    calls = sum(counts.values()) - sum(before.values())
    entries = [e for e in answer["Requests"] if e["time"] >= since]
    spans: dict[tuple[str, str], tuple[float, float]] = {}
    for entry in entries:
        key = (entry["region"], entry["product"])
        at = entry["time"] - since
        first, last = spans.get(key, (at, at))
        spans[key] = (min(first, at), max(last, at))
    throttled = sum(e["code"].startswith("Throttling") for e in entries)
    return CallLog(calls=calls, throttled=throttled if len(entries) == calls else None, spans=spans)


# --- the project ---------------------------------------------------------------------------


def project_connection(endpoint: str, region: str) -> ConnectionSettings:
    """Settings that send every service's and region's requests to the emulator."""
    return ConnectionSettings.resolve(
        region=region,
        protocol="http",
        connect_to=endpoint,
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        read_timeout_s=30,
        environ={},
    )


def report_problems(report: CoverageReport, shape: EstateShape) -> tuple[str, ...]:
    """How ``report`` differs from what the seeded estate holds (empty: it is right)."""
    n = len(shape.regions)
    summary = report.summary
    found_expected = {
        "failed targets": (summary.failed_targets, 0),
        "instances": (summary.instances, n * shape.instances),
        "clients": (summary.clients, n * shape.clients),
        "uncovered": (summary.findings_by_rule.get(NO_BACKUP_CLIENT, 0), n * shape.uncovered),
        "orphans": (summary.findings_by_rule.get(ORPHAN_CLIENT, 0), n * shape.orphans),
    }
    problems = [
        f"{name}: {found} (expected {expected})"
        for name, (found, expected) in found_expected.items()
        if found != expected
    ]
    problems += [
        f"{t.target.region}: {t.error.code}: {t.error.message}"
        for t in report.targets
        if t.error is not None
    ]
    return tuple(problems)


@attrs.frozen(kw_only=True)
class ProjectRun:
    """One timed :func:`audit_estate`."""

    seconds: float
    cpu_s: float
    """CPU time of this process (every thread) during the run."""
    problems: tuple[str, ...]
    log: CallLog


def run_project(endpoint: str, shape: EstateShape, *, concurrency: int) -> ProjectRun:
    """Audit the estate with :func:`audit_estate`, timed; the emulator's log of it."""
    connection = project_connection(endpoint, shape.regions[0])
    before = emulator_requests(endpoint)["Counts"]
    since = time.time()
    cpu_started = time.process_time()
    started = time.perf_counter()
    report = audit_estate(
        connection,
        regions=shape.regions,
        require_client=True,
        deadline_s=PROJECT_DEADLINE_S,
        concurrency=concurrency,
    )
    seconds = time.perf_counter() - started
    return ProjectRun(
        seconds=seconds,
        cpu_s=time.process_time() - cpu_started,
        problems=report_problems(report, shape),
        log=call_log(endpoint, before=before, since=since),
    )


def warm_up_project(endpoint: str, shape: EstateShape, *, concurrency: int) -> None:
    """Audit the first region once, so that no timed run pays for first-use costs."""
    audit_estate(
        project_connection(endpoint, shape.regions[0]),
        regions=shape.regions[:1],
        deadline_s=PROJECT_DEADLINE_S,
        concurrency=concurrency,
    )


# --- the sequential loop of the official SDKs ----------------------------------------------


def sdk_config(endpoint: str, *, host: str, region: str) -> Any:
    """The official SDKs' config for ``host``, carried to the emulator as an HTTP proxy."""
    return Config(
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        region_id=region,
        endpoint=host,
        protocol="HTTP",
        http_proxy=f"http://{endpoint}",
        connect_timeout=5000,
        read_timeout=30000,
    )


@attrs.define
class LoopStats:
    """What the sequential loop counted."""

    pages: int = 0
    throttled: int = 0


def honouring_throttling(call: Callable[[], T], *, deadline: float, stats: LoopStats) -> T:
    """``call()``; on ``Throttling.*`` sleep what the answer asks (else back off) and retry."""
    for retry in range(MAX_THROTTLED_RETRIES + 1):
        try:
            result = call()
        except (ThrottlingException, ClientException) as error:
            if not str(error.code).startswith("Throttling") or retry == MAX_THROTTLED_RETRIES:
                raise
            asked = getattr(error, "retry_after", None)
            wait = asked / 1000 if asked else min(2.0, 0.1 * 2**retry)
            if time.monotonic() + wait > deadline:
                raise
            stats.throttled += 1
            time.sleep(wait)
        else:
            stats.pages += 1
            return result
    msg = "unreachable: the last retry raises"
    raise AssertionError(msg)


def page_through(
    fetch: Callable[[int], tuple[list[str], int]],
    *,
    page_size: int,
    deadline: float,
    stats: LoopStats,
) -> list[str]:
    """Pages 1, 2, ... one after another until ``TotalCount`` items or an empty page."""
    items: list[str] = []
    number = 1
    while True:
        page, total = honouring_throttling(
            functools.partial(fetch, number), deadline=deadline, stats=stats
        )
        items += page
        if not page or len(items) >= total:
            return items
        if number >= math.ceil(total / page_size):
            msg = f"page {number} of {total} items with {page_size} a page and still not all"
            raise RuntimeError(msg)
        number += 1


def ecs_page(client: Any, region: str, number: int) -> tuple[list[str], int]:
    """One ``DescribeInstances`` page: instance IDs and ``TotalCount``."""
    request = ecs_models.DescribeInstancesRequest(
        region_id=region, page_number=number, page_size=ECS_PAGE_SIZE
    )
    body = client.describe_instances(request).body
    return [i.instance_id for i in body.instances.instance], int(body.total_count)


def hbr_page(client: Any, number: int) -> tuple[list[str], int]:
    """One ``DescribeBackupClients`` page of ECS clients: their instance IDs and ``TotalCount``."""
    request = hbr_models.DescribeBackupClientsRequest(
        client_type="ECS_CLIENT", page_number=number, page_size=HBR_PAGE_SIZE
    )
    body = client.describe_backup_clients(request).body
    return [c.instance_id for c in body.clients or []], int(body.total_count)


@attrs.frozen(kw_only=True)
class LoopRun:
    """One timed sequential loop."""

    seconds: float
    cpu_s: float
    pages: int
    throttled: int
    problems: tuple[str, ...]


def run_loop(endpoint: str, shape: EstateShape) -> LoopRun:
    """Audit the estate region after region, page after page, with the official SDKs."""
    stats = LoopStats()
    found = {"instances": 0, "clients": 0, "uncovered": 0, "orphans": 0}
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = time.monotonic() + LOOP_DEADLINE_S
    for region in shape.regions:
        ecs = EcsClient(sdk_config(endpoint, host=f"ecs.{region}.aliyuncs.com", region=region))
        instances = page_through(
            functools.partial(ecs_page, ecs, region),
            page_size=ECS_PAGE_SIZE,
            deadline=deadline,
            stats=stats,
        )
        hbr = HbrClient(sdk_config(endpoint, host=f"hbr.{region}.aliyuncs.com", region=region))
        covered = page_through(
            functools.partial(hbr_page, hbr),
            page_size=HBR_PAGE_SIZE,
            deadline=deadline,
            stats=stats,
        )
        inventory, named = set(instances), set(covered)
        found["instances"] += len(instances)
        found["clients"] += len(covered)
        found["uncovered"] += len(inventory - named)
        found["orphans"] += sum(instance_id not in inventory for instance_id in covered)
    seconds = time.perf_counter() - started
    n = len(shape.regions)
    expected = {
        "instances": n * shape.instances,
        "clients": n * shape.clients,
        "uncovered": n * shape.uncovered,
        "orphans": n * shape.orphans,
    }
    problems = tuple(
        f"{name}: {found[name]} (expected {value})"
        for name, value in expected.items()
        if found[name] != value
    )
    cpu_s = time.process_time() - cpu_started
    return LoopRun(
        seconds=seconds,
        cpu_s=cpu_s,
        pages=stats.pages,
        throttled=stats.throttled,
        problems=problems,
    )


def warm_up_loop(endpoint: str, shape: EstateShape) -> None:
    """One call of each SDK, so that the timed loop does not pay for first-use costs."""
    region = shape.regions[0]
    stats = LoopStats()
    deadline = time.monotonic() + 60
    ecs = EcsClient(sdk_config(endpoint, host=f"ecs.{region}.aliyuncs.com", region=region))
    hbr = HbrClient(sdk_config(endpoint, host=f"hbr.{region}.aliyuncs.com", region=region))
    honouring_throttling(
        functools.partial(ecs_page, ecs, region, 1), deadline=deadline, stats=stats
    )
    honouring_throttling(functools.partial(hbr_page, hbr, 1), deadline=deadline, stats=stats)


# --- peak memory, in a fresh interpreter ---------------------------------------------------


def memory_child(spec: dict[str, Any]) -> None:
    """In a fresh interpreter: audit under :mod:`tracemalloc`; print the peak as JSON."""
    endpoint, regions = spec["endpoint"], tuple(spec["regions"])
    connection = project_connection(endpoint, regions[0])
    audit_estate(connection, regions=regions[:1], deadline_s=PROJECT_DEADLINE_S)  # warm-up
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    report = audit_estate(
        connection,
        regions=regions,
        require_client=True,
        deadline_s=PROJECT_DEADLINE_S,
        concurrency=spec["concurrency"],
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    summary = report.summary
    result = {
        "peak_bytes": peak - base,
        "instances": summary.instances,
        "clients": summary.clients,
        "failed_targets": summary.failed_targets,
    }
    print(json.dumps(result))


@attrs.frozen(kw_only=True)
class MemoryRun:
    """Peak traced memory of one audit in its own process."""

    peak_bytes: int
    instances: int
    clients: int
    failed_targets: int

    @property
    def per_instance(self) -> float:
        """Peak bytes per instance of the estate."""
        return self.peak_bytes / max(1, self.instances)


def run_memory(endpoint: str, shape: EstateShape, *, concurrency: int) -> MemoryRun:
    """Run :func:`memory_child` in a subprocess and read its answer."""
    spec = {"endpoint": endpoint, "regions": list(shape.regions), "concurrency": concurrency}
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        timeout=CHILD_TIMEOUT_S,
    )
    if out.returncode != 0:
        msg = f"the memory child exited {out.returncode}:\n{out.stderr[-2000:]}"
        raise RuntimeError(msg)
    return MemoryRun(**json.loads(out.stdout.strip().splitlines()[-1]))


# --- one quota model -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ModelResult:
    """Everything measured under one quota model."""

    scope: Scope
    floor_s: float
    projects: tuple[ProjectRun, ...]
    loop: LoopRun | None
    memory: MemoryRun | None

    @property
    def project_s(self) -> float:
        """Median seconds of the project's runs."""
        return statistics.median(run.seconds for run in self.projects)


def measure_model(
    shape: EstateShape,
    scope: Scope,
    *,
    repeat: int,
    concurrency: int,
    loop: bool,
    memory: bool,
) -> ModelResult:
    """Serve the estate under ``scope``; time the project, the loop; measure the memory."""

    def refilled() -> None:
        time.sleep(shape.refill_s() + 0.2)

    with serve_emulator(
        fleet=None, seed=SEED, extra=shape.serve_flags(scope), quiet=False
    ) as endpoint:
        warm_up_project(endpoint, shape, concurrency=concurrency)
        projects: list[ProjectRun] = []
        for _ in range(repeat):
            refilled()
            projects.append(run_project(endpoint, shape, concurrency=concurrency))
        loop_run = None
        if loop:
            warm_up_loop(endpoint, shape)
            refilled()
            loop_run = run_loop(endpoint, shape)
        memory_run = None
        if memory:
            refilled()
            memory_run = run_memory(endpoint, shape, concurrency=concurrency)
    return ModelResult(
        scope=scope,
        floor_s=shape.floor_s(scope),
        projects=tuple(projects),
        loop=loop_run,
        memory=memory_run,
    )


# --- output --------------------------------------------------------------------------------

_SCOPE_TEXT: Final = {
    "target_api": "quota_scope=target_api: {q:g} calls/s per region and API",
    "account": "quota_scope=account: {q:g} calls/s for the whole account",
}


def _verdict(value: float, limit: float, *, at_least: bool) -> str:
    met = value >= limit if at_least else value <= limit
    return "met" if met else "MISSED"


def _spans_lines(log: CallLog) -> list[str]:
    lines = []
    for region in sorted({region for region, _ in log.spans}):
        parts = []
        for product in ("ecs", "hbr"):
            first, last = log.spans.get((region, product), (math.nan, math.nan))
            parts.append(f"{product} {first:5.2f}-{last:5.2f} s")
        lines.append(f"    {region:<16}" + "   ".join(parts))
    return lines


def print_model(shape: EstateShape, result: ModelResult) -> dict[str, Any]:
    """Print one model's table and verdicts; return its JSON summary."""
    scope, floor = result.scope, result.floor_s
    print(f"\n== quota model: {_SCOPE_TEXT[scope].format(q=shape.quota_per_s)} ==")
    print(f"floor {floor:.3f} s = {shape.floor_formula(scope)}")
    bound = shape.burst_bound_s(scope)
    print(
        f"(for reference: the buckets start full, so a client spending that burst could end "
        f"in {bound:.3f} s; the project takes {result.project_s / bound:.2f}x that)"
    )
    print(f"{'method':<26}{'seconds':>9}{'cpu s':>8}{'calls':>8}{'throttled':>11}{'/ floor':>9}")
    for index, run in enumerate(result.projects, 1):
        throttled = "?" if run.log.throttled is None else str(run.log.throttled)
        name = "project (audit_estate)" + (f" #{index}" if len(result.projects) > 1 else "")
        print(
            f"{name:<26}{run.seconds:>9.3f}{run.cpu_s:>8.2f}{run.log.calls:>8}{throttled:>11}"
            f"{run.seconds / floor:>8.2f}x"
        )
    loop = result.loop
    if loop is not None:
        print(
            f"{'sequential SDK loop':<26}{loop.seconds:>9.3f}{loop.cpu_s:>8.2f}"
            f"{loop.pages + loop.throttled:>8}"
            f"{loop.throttled:>11}{loop.seconds / floor:>8.2f}x"
        )
    print(f"{'floor':<26}{floor:>9.3f}{'':>8}{shape.pages:>8}")
    project_s = result.project_s
    ratio = project_s / floor
    summary: dict[str, Any] = {
        "quota_scope": scope,
        "floor_s": round(floor, 3),
        "burst_bound_s": round(bound, 3),
        "project_s": [round(run.seconds, 3) for run in result.projects],
        "project_cpu_s": [round(run.cpu_s, 3) for run in result.projects],
        "project_median_s": round(project_s, 3),
        "project_calls": [run.log.calls for run in result.projects],
        "project_throttled": [run.log.throttled for run in result.projects],
        "ratio_to_floor": round(ratio, 3),
        "complete": all(not run.problems for run in result.projects),
    }
    print(
        f"project / floor: {ratio:.2f}x (median of {len(result.projects)}; target <= "
        f"{TARGET_FLOOR_RATIO}x: {_verdict(ratio, TARGET_FLOOR_RATIO, at_least=False)})"
    )
    if loop is not None:
        speedup = loop.seconds / project_s
        summary |= {
            "loop_s": round(loop.seconds, 3),
            "loop_cpu_s": round(loop.cpu_s, 3),
            "loop_pages": loop.pages,
            "loop_throttled": loop.throttled,
            "speedup_vs_loop": round(speedup, 2),
            "loop_complete": not loop.problems,
        }
        wanted = f"target >= {TARGET_SPEEDUP:g}x" if scope == "target_api" else "no target"
        verdict = _verdict(speedup, TARGET_SPEEDUP, at_least=True)
        print(
            f"loop / project: {speedup:.2f}x faster "
            f"({wanted}{': ' + verdict if scope == 'target_api' else ''})"
        )
    memory = result.memory
    if memory is not None:
        per = memory.per_instance
        summary |= {
            "memory_method": "tracemalloc peak above baseline, own process",
            "peak_bytes": memory.peak_bytes,
            "bytes_per_instance": round(per),
        }
        print(
            f"peak memory (tracemalloc, own process): {memory.peak_bytes / 1e6:.1f} MB for "
            f"{memory.instances} instances and {memory.clients} clients = {per:.0f} B/instance "
            f"(target <= {TARGET_BYTES_PER_INSTANCE}: "
            f"{_verdict(per, TARGET_BYTES_PER_INSTANCE, at_least=False)})"
            + (f"; {memory.failed_targets} targets FAILED" if memory.failed_targets else "")
        )
    for run in result.projects:
        for problem in run.problems:
            print(f"  project INCOMPLETE: {problem}")
    if loop is not None:
        for problem in loop.problems:
            print(f"  loop INCOMPLETE: {problem}")
    last = result.projects[-1]
    print("  project's listings as the emulator saw them (first-last call after the start):")
    for line in _spans_lines(last.log):
        print(line)
    return summary


def machine() -> str:
    """CPU count, load and interpreter, for the record."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), load average {load}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


# --- command line --------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        msg = f"must be >= 1, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's flags."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 regions x 1,500 instances")
    parser.add_argument(
        "--regions", type=_positive_int, help=f"regions (default 8, at most {len(REGION_ORDER)})"
    )
    parser.add_argument("--instances", type=_positive_int, help="per region (default 2,000)")
    parser.add_argument("--clients", type=int, help="ECS clients per region (default 85%%)")
    parser.add_argument("--orphans", type=int, help="of those, naming no instance (default 0.5%%)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--quota", type=float, default=10.0, help="calls/s (default 10)")
    parser.add_argument(
        "--scope", choices=("target_api", "account", "both"), default="both", help="quota model"
    )
    parser.add_argument("--repeat", type=_positive_int, default=1, help="project runs per model")
    parser.add_argument(
        "--concurrency",
        type=_positive_int,
        default=DEFAULT_TARGET_CONCURRENCY,
        help=f"audit_estate(concurrency=...) (default {DEFAULT_TARGET_CONCURRENCY}, its own)",
    )
    parser.add_argument("--no-loop", action="store_true", help="skip the sequential SDK loop")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory child")
    parser.add_argument("--memory-child", metavar="SPEC", help=argparse.SUPPRESS)
    return parser


def shape_from(parser: argparse.ArgumentParser, args: argparse.Namespace) -> EstateShape:
    """The estate the flags describe (``--quick`` changes only the defaults)."""
    regions = args.regions or (2 if args.quick else 8)
    instances = args.instances or (1500 if args.quick else 2000)
    clients = round(instances * 0.85) if args.clients is None else args.clients
    orphans = max(1, instances // 200) if args.orphans is None else args.orphans
    if regions > len(REGION_ORDER):
        parser.error(f"--regions: at most {len(REGION_ORDER)}")
    if not 0 <= orphans <= clients <= instances + orphans:
        parser.error("need 0 <= --orphans <= --clients <= --instances + --orphans")
    if args.quota <= 0 or args.latency_ms < 0:
        parser.error("--quota must be > 0 and --latency-ms >= 0")
    return EstateShape(
        regions=REGION_ORDER[:regions],
        instances=instances,
        clients=clients,
        orphans=orphans,
        latency_ms=args.latency_ms,
        quota_per_s=args.quota,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the flags and measure each quota model."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(json.loads(args.memory_child))
        return
    shape = shape_from(parser, args)
    scopes: tuple[Scope, ...] = ("target_api", "account") if args.scope == "both" else (args.scope,)
    print(f"machine: {machine()}")
    print(
        f"estate: {len(shape.regions)} regions ({', '.join(shape.regions)}) x "
        f"{shape.instances} instances, {shape.clients} ECS clients per region "
        f"({shape.uncovered} uncovered, {shape.orphans} orphans); latency {shape.latency_ms:g} "
        f"ms; pages per region: ECS {shape.ecs_pages} (x{ECS_PAGE_SIZE}), HBR {shape.hbr_pages} "
        f"(x{HBR_PAGE_SIZE}); {shape.pages} in all"
    )
    print(
        f"project: audit_estate(require_client=True, concurrency={args.concurrency}) via "
        "connect_to; loop: official SDKs, one page at a time, sleeping x-acs-retry-after "
        "and retrying on Throttling"
    )
    summaries = []
    for scope in scopes:
        result = measure_model(
            shape,
            scope,
            repeat=args.repeat,
            concurrency=args.concurrency,
            loop=not args.no_loop,
            memory=not args.no_memory,
        )
        summaries.append(print_model(shape, result))
    print(
        json.dumps(
            {
                "regions": len(shape.regions),
                "instances_per_region": shape.instances,
                "clients_per_region": shape.clients,
                "latency_ms": shape.latency_ms,
                "quota_per_s": shape.quota_per_s,
                "concurrency": args.concurrency,
                "machine": machine(),
                "models": summaries,
            }
        )
    )


if __name__ == "__main__":
    main()
