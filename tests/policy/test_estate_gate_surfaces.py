"""One estate, one gate: the policy pack reaches the verdict of the engine and of the CLI.

The same emulated three-region cloud (HBR not activated in cn-beijing) is judged three ways
for each case: ``hbr-estate-coverage`` behind pulumi-policy's servicer,
:func:`~hbr_clients_provider.audit.estate.audit_estate` then
:func:`~hbr_clients_provider.audit.gate.judge` in process, and ``hbr-clients audit
--regions``. They must agree on the verdict, and a failing policy states the engine's own
verdict line (coverage, findings and every reason).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.audit.coverage import CoverageReport
from hbr_clients_provider.audit.coverage_render import verdict_line
from hbr_clients_provider.audit.estate import audit_estate
from hbr_clients_provider.audit.estate_inputs import EstateRequest
from hbr_clients_provider.audit.gate import PYTHON_NAMES, Gate, GateVerdict, judge
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from hbr_emulator.estate import Estate
from pulumi_hbr_clients.policy import ESTATE_COVERAGE, estate_coverage_policy
from pulumi_hbr_clients.policy.estate_config import camel
from tests.cli_run import run_in_process
from tests.policy.engine import Analyzer

REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")
LISTED = ["cn-hangzhou", "cn-shanghai"]
BEIJING = ["cn-beijing"]

#: (estate inputs, gate settings), as Python names: the cases every surface must agree on.
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "defaults: incomplete": ({}, {}),
    "accepted region, findings": ({"allow_unreachable": BEIJING}, {}),
    "accepted region, findings tolerated": ({"allow_unreachable": BEIJING}, {"max_findings": 8}),
    "empty scope": ({"regions": BEIJING, "allow_unreachable": BEIJING}, {}),
    "empty scope, allowed": (
        {"regions": BEIJING, "allow_unreachable": BEIJING},
        {"allow_empty": True},
    ),
    "prod scope, client rule, tolerated": (
        {"regions": LISTED, "instance_tags": {"env": "prod"}, "require_activated": True},
        {"max_findings": 10_000},
    ),
}
EXPECTED = {
    "defaults: incomplete": False,
    "accepted region, findings": False,
    "accepted region, findings tolerated": True,
    "empty scope": False,
    "empty scope, allowed": True,
    "prod scope, client rule, tolerated": True,
}


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    """Three regions of 30 instances (3 uncovered, 1 orphan client each); no HBR in cn-beijing."""
    estate = Estate(regions=REGIONS, instances_per_region=30, not_activated=BEIJING, seed=8)
    with Emulator(estate=estate) as emu:
        yield emu


def _env(emu: Emulator) -> dict[str, str]:
    return {
        "HBR_CONNECT_TO": emu.endpoint,
        "HBR_PROTOCOL": "http",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
    }


def _engine(
    emu: Emulator, inputs: dict[str, Any], gate: dict[str, Any]
) -> tuple[CoverageReport, GateVerdict]:
    request = EstateRequest.from_inputs(inputs)
    connection = ConnectionSettings.resolve(region="cn-hangzhou", environ=_env(emu))
    report = audit_estate(
        connection,
        regions=request.regions,
        scope=request.scope,
        rules=request.rules,
        require_client=request.require_client,
        allow_unreachable=request.allow_unreachable,
    )
    return report, judge(report, Gate.from_inputs(gate, names=PYTHON_NAMES))


def _policy(emu: Emulator, inputs: dict[str, Any], gate: dict[str, Any]) -> str | None:
    """The policy's violation message, or ``None`` when it passes."""
    config = {
        "enforcementLevel": "mandatory",
        **{camel(k): v for k, v in {**inputs, **gate}.items()},
    }
    analyzer = Analyzer([estate_coverage_policy(environ=_env(emu))], {ESTATE_COVERAGE: config})
    found = analyzer.analyze_stack([])
    assert len(found) <= 1
    return found[0].message if found else None


def _cli(emu: Emulator, inputs: dict[str, Any], gate: dict[str, Any]) -> bool:
    regions = inputs.get("regions", "all")
    args = ["audit", "--format", "json", "--require-client"]
    args += ["--regions", regions if isinstance(regions, str) else ",".join(regions)]
    for region in inputs.get("allow_unreachable", ()):
        args += ["--allow-unreachable", region]
    for key, value in inputs.get("instance_tags", {}).items():
        args += ["--instance-tag", f"{key}={value}"]
    if inputs.get("require_activated"):
        args.append("--require-activated")
    if "max_findings" in gate:
        args += ["--max-findings", str(gate["max_findings"])]
    if gate.get("allow_empty"):
        args.append("--allow-empty")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HBR_", "ALIBABA_CLOUD_"))}
    proc = run_in_process(args, env={**env, **_env(emu)})
    assert proc.returncode in (0, 1, 3), proc.stderr
    passed: bool = json.loads(proc.stdout)["passed"]
    assert passed == (proc.returncode == 0)
    return passed


@pytest.mark.parametrize("case", list(CASES))
def test_policy_engine_and_cli_one_verdict(case: str, cloud: Emulator) -> None:
    """The policy, audit_estate + judge and the CLI agree; a failure states the same verdict."""
    inputs, gate = CASES[case]

    report, verdict = _engine(cloud, inputs, gate)
    message = _policy(cloud, inputs, gate)
    verdicts = {
        "engine": verdict.passed,
        "policy pack": message is None,
        "cli": _cli(cloud, inputs, gate),
    }

    assert verdicts == dict.fromkeys(verdicts, EXPECTED[case])
    if message is not None:
        assert f"HBR estate coverage {verdict_line(report, verdict)}" in message
