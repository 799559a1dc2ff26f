"""Benchmark: the estate audit of a whole organisation, against a script and the quota's floor.

``bench/estate.py`` grown to a Resource Directory. One run starts ``hbr-emulator serve
--accounts A`` in a subprocess (its own process and GIL): A member accounts, each with R
regions of N ECS instances (3 of them with no client, 1 orphan client, per region), every
answer 50 ms late, and a quota of Q calls/s that the emulator enforces per account (400
``Throttling.User`` with ``x-acs-retry-after``), in one of two models:

* ``target_api``: each (account, region, API) has its own bucket;
* ``account``: each account has one bucket for all its calls.

Against it, this process audits every member (``--accounts all``, the caller's own account
left out) two ways:

* **project**: :func:`~hbr_clients_provider.audit.estate.audit_estate` with
  ``accounts="all"``, ``include_caller=False``, ``require_client=True``: ResourceManager
  ``ListAccounts``, one STS ``AssumeRole`` per member, then every (account, region) target;
* **sequential loop**: the script a user would write with the official SDKs: ``ListAccounts``,
  then account after account ``AssumeRole`` and region after region ECS ``DescribeInstances``
  pages then HBR ``DescribeBackupClients`` pages, one at a time, honouring ``Throttling.*``
  as ``bench/estate.py``'s loop does.

The floor of a model is the busiest quota's pages / its rate (with ``pages * latency`` for a
(region, API) pair, which cannot go faster than one page after another... in parallel the
pages of one pair overlap, so it is the quota that binds): ``target_api``: max over pairs of
max(pages / Q, pages * latency / 4 in flight) = pages / Q; ``account``: one account's pages /
Q. The management account's ``ListAccounts`` and ``AssumeRole`` calls are outside both.

**A throttled account**: the same organisation under ``target_api`` with one member's own
quota at 1 call/s for all its calls (``--throttled-account 3=1``). Each other account's
finishing time (its last answered call, from the emulator's log) is compared with the same
account's in the untroubled run: it must not move by more than 10%.

Targets (reported, not enforced): under ``target_api`` >= 8x the sequential loop; under each
model <= 1.3x the floor; the throttled account moves no other account's finish by > 10%.
Only 127.0.0.1 is contacted; every loop is bounded in pages, retries and time.

Measured (full size, quiet 2-core machine, ``--repeat 3``): target_api: project 3.94-4.74 s
(median 4.55 s, 4.14x the 1.1 s floor), loop 29.8 s (6.6x); account: 8.66-9.39 s (median
8.81 s, 1.05x the 8.4 s floor), 46-52 throttled calls; one member throttled to 1 call/s: it
finished in 112 s (19 throttled calls, complete), the others between 39% and 3% earlier than
without it.

    python bench/organisation.py                  # 6 accounts x 4 regions x 1,000 instances
    python bench/organisation.py --quick          # 3 accounts x 2 regions x 300 instances
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import statistics
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, Literal

import attrs
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_hbr20170908.client import Client as HbrClient
from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from estate import (
    ECS_PAGE_SIZE,
    HBR_PAGE_SIZE,
    LOOP_DEADLINE_S,
    PROJECT_DEADLINE_S,
    LoopStats,
    ecs_page,
    emulator_requests,
    hbr_page,
    machine,
    page_through,
    project_connection,
    sdk_config,
)
from served import serve_emulator

from hbr_clients_provider.api.endpoints import endpoint_for
from hbr_clients_provider.audit.coverage import NO_BACKUP_CLIENT, ORPHAN_CLIENT, CoverageReport
from hbr_clients_provider.audit.estate import audit_estate

Scope = Literal["target_api", "account"]
_NO_PROXY: Final = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SEED: Final = 7
UNCOVERED: Final = 3
ORPHANS: Final = 1
HOME: Final = "cn-hangzhou"
REGIONS: Final = ("cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen")
THROTTLED_MEMBER: Final = 3
THROTTLED_PER_S: Final = 1.0
ALLOWED_SHIFT: Final = 0.10


@attrs.frozen(kw_only=True)
class OrgShape:
    """The emulated organisation and the conditions it is served under."""

    accounts: int
    regions: tuple[str, ...]
    instances: int
    latency_ms: float
    quota_per_s: float

    @property
    def clients(self) -> int:
        """``ECS_CLIENT`` clients per region."""
        return self.instances - UNCOVERED + ORPHANS

    @property
    def pair_pages(self) -> tuple[int, int]:
        """ECS and HBR pages of one (account, region)."""
        ecs = max(1, math.ceil(self.instances / ECS_PAGE_SIZE))
        return ecs, max(1, math.ceil(self.clients / HBR_PAGE_SIZE))

    @property
    def account_pages(self) -> int:
        """Pages of one account."""
        return len(self.regions) * sum(self.pair_pages)

    def floor_s(self, scope: Scope) -> float:
        """The busiest quota's pages / its rate (module docstring)."""
        if scope == "account":
            return self.account_pages / self.quota_per_s
        busiest = max(self.pair_pages)
        return max(busiest / self.quota_per_s, busiest * self.latency_ms / 1000 / 4)

    def serve_flags(self, scope: Scope, *, throttled: bool) -> tuple[str, ...]:
        """The ``hbr-emulator serve`` flags."""
        flags = (
            "--accounts",
            str(self.accounts),
            "--regions",
            ",".join(self.regions),
            "--instances-per-region",
            str(self.instances),
            "--uncovered-per-region",
            str(UNCOVERED),
            "--orphans-per-region",
            str(ORPHANS),
            "--latency-ms",
            str(self.latency_ms),
            "--quota",
            str(self.quota_per_s),
            "--quota-scope",
            scope,
        )
        if throttled:
            flags += ("--throttled-account", f"{THROTTLED_MEMBER}={THROTTLED_PER_S:g}")
        return flags


@attrs.frozen(kw_only=True)
class Run:
    """One timed audit of the organisation."""

    seconds: float
    calls: int
    throttled: int
    finished: dict[str, float]
    """Account ID -> its last answered call, seconds after the start."""
    problems: tuple[str, ...]


def throttled_member(endpoint: str) -> str:
    """The account ID of the member whose own quota is :data:`THROTTLED_PER_S`."""
    with _NO_PROXY.open(f"http://{endpoint}/_emulator/organisation", timeout=60) as answer:
        accounts = json.load(answer)["Accounts"]
    slow = [a["AccountId"] for a in accounts if a["QuotaPerSecond"] == THROTTLED_PER_S]
    if len(slow) != 1:
        msg = f"expected one member with a {THROTTLED_PER_S:g}/s quota, found {slow}"
        raise RuntimeError(msg)
    return str(slow[0])


def _log_since(endpoint: str, since: float) -> list[dict[str, Any]]:
    return [e for e in emulator_requests(endpoint)["Requests"] if e["time"] >= since]


def _finishes(entries: Sequence[dict[str, Any]], since: float) -> dict[str, float]:
    finished: dict[str, float] = {}
    for entry in entries:
        if entry["account"] and entry["status"] == 200 and entry["product"] in {"ecs", "hbr"}:
            finished[entry["account"]] = max(finished.get(entry["account"], 0.0), entry["time"])
    return {account: at - since for account, at in finished.items()}


def _report_problems(report: CoverageReport, shape: OrgShape, *, throttled: bool) -> list[str]:
    targets = shape.accounts * len(shape.regions)
    summary = report.summary
    expected = {
        "failed targets": (summary.failed_targets, 0),
        "targets": (len(report.targets), targets),
        "instances": (summary.instances, targets * shape.instances),
        "uncovered": (summary.findings_by_rule.get(NO_BACKUP_CLIENT, 0), targets * UNCOVERED),
        "orphans": (summary.findings_by_rule.get(ORPHAN_CLIENT, 0), targets * ORPHANS),
    }
    del throttled  # the throttled account is slow, never wrong: the same counts hold
    return [
        f"{k}: {found} (expected {want})" for k, (found, want) in expected.items() if found != want
    ]


def run_project(endpoint: str, shape: OrgShape, *, throttled: bool) -> Run:
    """Audit every member with :func:`audit_estate`, timed, with the emulator's log of it."""
    since = time.time()
    started = time.perf_counter()
    report = audit_estate(
        project_connection(endpoint, HOME),
        regions=shape.regions,
        accounts="all",
        include_caller=False,
        require_client=True,
        deadline_s=PROJECT_DEADLINE_S,
    )
    seconds = time.perf_counter() - started
    entries = _log_since(endpoint, since)
    return Run(
        seconds=seconds,
        calls=len(entries),
        throttled=sum(e["code"].startswith("Throttling") for e in entries),
        finished=_finishes(entries, since),
        problems=tuple(_report_problems(report, shape, throttled=throttled)),
    )


def _sdk(endpoint: str, product: str, region: str, **credentials: str) -> Any:
    config = sdk_config(endpoint, host=endpoint_for(product, region), region=region)
    for name, value in credentials.items():
        setattr(config, name, value)
    return config


def run_loop(endpoint: str, shape: OrgShape) -> Run:
    """Audit every member account after account, region after region, with the official SDKs."""
    stats = LoopStats()
    deadline = time.monotonic() + LOOP_DEADLINE_S
    since = time.time()
    started = time.perf_counter()
    manager = RmClient(_sdk(endpoint, "resourcemanager", HOME))
    listed = manager.list_accounts(rm_models.ListAccountsRequest(page_size=100)).body
    members = [a.account_id for a in listed.accounts.account]
    sts = StsClient(_sdk(endpoint, "sts", HOME))
    found = {"instances": 0, "uncovered": 0, "orphans": 0}
    for account_id in members:
        request = sts_models.AssumeRoleRequest(
            role_arn=f"acs:ram::{account_id}:role/ResourceDirectoryAccountAccessRole",
            role_session_name="bench-loop",
            duration_seconds=3600,
        )
        token = sts.assume_role(request).body.credentials
        keys = {
            "access_key_id": token.access_key_id,
            "access_key_secret": token.access_key_secret,
            "security_token": token.security_token,
        }
        for region in shape.regions:
            ecs = EcsClient(_sdk(endpoint, "ecs", region, **keys))
            instances = page_through(
                functools.partial(ecs_page, ecs, region),
                page_size=ECS_PAGE_SIZE,
                deadline=deadline,
                stats=stats,
            )
            hbr = HbrClient(_sdk(endpoint, "hbr", region, **keys))
            covered = page_through(
                functools.partial(hbr_page, hbr),
                page_size=HBR_PAGE_SIZE,
                deadline=deadline,
                stats=stats,
            )
            inventory, named = set(instances), set(covered)
            found["instances"] += len(instances)
            found["uncovered"] += len(inventory - named)
            found["orphans"] += sum(i not in inventory for i in covered)
    seconds = time.perf_counter() - started
    targets = len(members) * len(shape.regions)
    expected = {
        "instances": targets * shape.instances,
        "uncovered": targets * UNCOVERED,
        "orphans": targets * ORPHANS,
    }
    problems = [f"{k}: {found[k]} (expected {v})" for k, v in expected.items() if found[k] != v]
    if len(members) != shape.accounts:
        problems.append(f"accounts: {len(members)} (expected {shape.accounts})")
    entries = _log_since(endpoint, since)
    return Run(
        seconds=seconds,
        calls=len(entries),
        throttled=stats.throttled,
        finished=_finishes(entries, since),
        problems=tuple(problems),
    )


def _refill() -> None:
    time.sleep(1.5)  # every bucket (capacity max(1, Q) at Q/s) is full again


def measure(
    shape: OrgShape, scope: Scope, *, repeat: int, loop: bool, throttled: bool = False
) -> tuple[list[Run], Run | None, str]:
    """Serve the organisation under ``scope``; the project's runs and the loop's."""
    flags = shape.serve_flags(scope, throttled=throttled)
    with serve_emulator(fleet=None, seed=SEED, extra=flags) as endpoint:
        audit_estate(  # warm-up: imports, first connections
            project_connection(endpoint, HOME),
            regions=shape.regions[:1],
            deadline_s=PROJECT_DEADLINE_S,
        )
        runs = []
        for _ in range(repeat):
            _refill()
            runs.append(run_project(endpoint, shape, throttled=throttled))
        loop_run = None
        if loop:
            _refill()
            loop_run = run_loop(endpoint, shape)
        slow = throttled_member(endpoint) if throttled else ""
    return runs, loop_run, slow


def _median(runs: Sequence[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _print_runs(label: str, runs: Sequence[Run], floor: float) -> None:
    for index, run in enumerate(runs, 1):
        problems = "; ".join(run.problems) or "right"
        print(
            f"  {label} #{index}: {run.seconds:7.2f} s  {run.seconds / floor:5.2f}x floor  "
            f"{run.calls} calls, {run.throttled} throttled  ({problems})"
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print (and, with ``--json``, write) its results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 accounts x 2 regions x 300")
    parser.add_argument("--repeat", type=int, default=3, help="project runs per model")
    parser.add_argument(
        "--throttled-repeat", type=int, default=1, help="runs with the throttled member"
    )
    parser.add_argument("--no-loop", action="store_true", help="skip the sequential loop")
    parser.add_argument(
        "--no-account-model", action="store_true", help="skip the per-account quota model"
    )
    parser.add_argument("--no-throttled", action="store_true", help="skip the throttled run")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = parser.parse_args(argv)
    shape = OrgShape(
        accounts=3 if args.quick else 6,
        regions=REGIONS[:2] if args.quick else REGIONS,
        instances=300 if args.quick else 1000,
        latency_ms=50,
        quota_per_s=10,
    )
    print(f"machine: {machine()}")
    print(
        f"organisation: {shape.accounts} members x {len(shape.regions)} regions x "
        f"{shape.instances} instances; {shape.latency_ms:g} ms; quota {shape.quota_per_s:g}/s; "
        f"pages per (region, API) {shape.pair_pages}, per account {shape.account_pages}"
    )
    results: dict[str, Any] = {"machine": machine(), "shape": attrs.asdict(shape)}
    baseline: list[Run] = []
    scopes: tuple[Scope, ...] = (
        ("target_api",) if args.no_account_model else ("target_api", "account")
    )
    for scope in scopes:
        floor = shape.floor_s(scope)
        runs, loop_run, _ = measure(
            shape, scope, repeat=args.repeat, loop=not args.no_loop and scope == "target_api"
        )
        if scope == "target_api":
            baseline = runs
        median = _median(runs)
        per = "(account, region, API)" if scope == "target_api" else "account"
        print(f"\n== quota per {per}: floor {floor:.2f} s ==")
        _print_runs("project", runs, floor)
        ratio = median / floor
        print(
            f"  median {median:.2f} s = {ratio:.2f}x floor "
            f"(target <= 1.3x: {_verdict(ratio <= 1.3)})"
        )
        entry: dict[str, Any] = {"floor_s": floor, "project_s": [r.seconds for r in runs]}
        if loop_run is not None:
            speedup = loop_run.seconds / median
            print(
                f"  sequential loop: {loop_run.seconds:.2f} s, {loop_run.calls} calls, "
                f"{loop_run.throttled} throttled ({'; '.join(loop_run.problems) or 'right'}): "
                f"project {speedup:.2f}x faster (target >= 8x: {_verdict(speedup >= 8)})"
            )
            entry["loop_s"] = loop_run.seconds
        results[scope] = entry
    if not args.no_throttled:
        troubled, _, slow = measure(
            shape, "target_api", repeat=args.throttled_repeat, loop=False, throttled=True
        )
        print(f"\n== one member throttled to {THROTTLED_PER_S:g} call/s for all its calls ==")
        _print_runs("project", troubled, shape.floor_s("target_api"))
        shifts = {}
        for account in sorted(baseline[0].finished):
            if account == slow:
                continue
            before = statistics.median(r.finished.get(account, math.nan) for r in baseline)
            after = statistics.median(r.finished.get(account, math.nan) for r in troubled)
            shifts[account] = after / before - 1
            print(
                f"  {account}: finished {before:5.2f} s -> {after:5.2f} s ({shifts[account]:+.1%})"
            )
        worst = max(shifts.values(), default=math.nan)
        print(
            f"  the throttled member finished at "
            f"{statistics.median(r.finished.get(slow, math.nan) for r in troubled):.2f} s; "
            f"the others moved at most {worst:+.1%} "
            f"(target <= +10%: {_verdict(worst <= ALLOWED_SHIFT)})"
        )
        results["throttled"] = {"shift_max": worst, "shifts": shifts}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
