"""The deploy gate (:mod:`hbr_clients_provider.audit.gate`): one set of rules and defaults,
and the same verdict through the CLI, the Python SDK, the ``hbr`` plugin and the policy pack.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from hbr_clients_provider.adapters.outputs import listing_outputs
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.audit.gate import (
    CAMEL_NAMES,
    DEFAULT_MAX_FINDINGS,
    EMPTY_SCOPE,
    TOO_MANY_FINDINGS,
    Gate,
    judge,
)
from hbr_clients_provider.audit.rules import AuditRules, audit
from hbr_clients_provider.errors import InvalidQuery
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from pulumi_hbr_clients.audit import BackupAuditFailed, audit_backup_clients
from pulumi_hbr_clients.lookup import GetBackupClientsResult
from pulumi_hbr_clients.policy import FLEET_AUDIT, fleet_audit_policy
from pulumi_hbr_clients.policy.types import BACKUP_CLIENTS_TYPE
from tests.cli_run import run_in_process
from tests.plugin.test_protocol import AUDIT, URN, Stub, _start, _struct
from tests.policy.engine import Analyzer, Resource, secret

from ._support import connect, endpoint_env

NO_SUCH_CLIENT = "c-0000000000nosuchclient"


class TestGate:
    def test_defaults_tolerate_no_finding_and_no_empty_scope(self) -> None:
        """The default gate tolerates 0 findings and refuses an empty scope."""
        assert Gate() == Gate(max_findings=DEFAULT_MAX_FINDINGS, allow_empty=False)
        assert DEFAULT_MAX_FINDINGS == 0
        empty = audit((), rules=AuditRules())
        verdict = judge(empty, Gate())
        assert not verdict.passed
        assert verdict.reasons == (EMPTY_SCOPE,)
        assert judge(empty, Gate(allow_empty=True)).passed

    def test_expected_instances_are_a_scope(self) -> None:
        """An audit that expects instances is not empty, even with no client."""
        report = audit((), rules=AuditRules(expected_instance_ids=("i-1",)))
        assert judge(report, Gate()).reasons == (TOO_MANY_FINDINGS,)

    def test_advisory_never_fails_on_findings(self) -> None:
        """max_findings=None passes any number of findings."""
        report = audit((), rules=AuditRules(expected_instance_ids=("i-1", "i-2")))
        assert judge(report, Gate(max_findings=None)).passed

    def test_from_inputs_names_each_bad_setting(self) -> None:
        """Bad settings are refused together, each named as the surface spells it."""
        with pytest.raises(InvalidQuery) as caught:
            Gate.from_inputs({"max_findings": -2, "allow_empty": "maybe"}, names=CAMEL_NAMES)
        assert caught.value.fields == ("maxFindings", "allowEmpty")

    def test_from_inputs_reads_struct_and_config_values(self) -> None:
        """Numbers as floats or strings and booleans as strings are read, unset is default."""
        gate = Gate.from_inputs({"max_findings": 3.0, "allow_empty": "true"}, names=CAMEL_NAMES)
        assert gate == Gate(max_findings=3, allow_empty=True)
        assert Gate.from_inputs({}, names=CAMEL_NAMES) == Gate()


# --- one gate, four surfaces ---------------------------------------------------------------

#: (query, rules, gate settings as Python names): the cases every surface must agree on.
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "empty scope, defaults": ({"client_ids": [NO_SUCH_CLIENT]}, {}, {}),
    "empty scope, allowed": ({"client_ids": [NO_SUCH_CLIENT]}, {}, {"allow_empty": True}),
    "findings, defaults": ({}, {"require_activated": True}, {}),
    "findings, tolerated": ({}, {"require_activated": True}, {"max_findings": 10_000}),
    "clean fleet, defaults": ({"statuses": ["ACTIVATED"]}, {"require_activated": True}, {}),
}
EXPECTED = {
    "empty scope, defaults": False,
    "empty scope, allowed": True,
    "findings, defaults": False,
    "findings, tolerated": True,
    "clean fleet, defaults": True,
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _cli(emu: Emulator, query: dict[str, Any], rules: dict[str, Any], gate: dict[str, Any]) -> bool:
    args = ["audit", "--client-type", "ECS_CLIENT", "--format", "json"]
    for name, value in query.items():
        flag = {"client_ids": "--client-id", "statuses": "--status"}[name]
        args += [flag, *value]
    args += [_flag(name) for name, on in rules.items() if on]
    for name, value in gate.items():
        args += [_flag(name)] if value is True else [_flag(name), str(value)]
    env = {**os.environ, **endpoint_env(emu.endpoint)}
    proc = run_in_process(args, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.returncode == 0


def _sdk(emu: Emulator, query: dict[str, Any], rules: dict[str, Any], gate: dict[str, Any]) -> bool:
    listing = list_clients({"client_type": "ECS_CLIENT", **query}, connection=connect(emu))
    try:
        audit_backup_clients(GetBackupClientsResult.from_listing(listing), **rules, **gate)
    except BackupAuditFailed:
        return False
    return True


def _plugin(stub: Stub, query: dict[str, Any], rules: dict[str, Any], gate: dict[str, Any]) -> bool:
    inputs = {_camel(k): v for k, v in {**query, **rules, **gate}.items()}
    args = _struct({"clientType": "ECS_CLIENT", **inputs})
    try:
        stub.Invoke(provider_pb2.InvokeRequest(tok=AUDIT, args=args))
    except grpc.RpcError as error:
        failed = error
    else:
        return True
    assert "HBR backup client audit FAIL" in (failed.details() or "")
    return False


def _policy(
    emu: Emulator, query: dict[str, Any], rules: dict[str, Any], gate: dict[str, Any]
) -> bool:
    listing = list_clients({"client_type": "ECS_CLIENT", **query}, connection=connect(emu))
    outputs = listing_outputs(listing)
    outputs["proxy_passwords"] = secret(outputs["proxy_passwords"])
    outputs["query"] = {"client_type": "ECS_CLIENT"}
    config = {
        "enforcementLevel": "mandatory",
        **{_camel(k): v for k, v in {**rules, **gate}.items()},
    }
    analyzer = Analyzer([fleet_audit_policy()], {FLEET_AUDIT: config})
    found = analyzer.analyze_stack([Resource(BACKUP_CLIENTS_TYPE, "fleet", outputs)])
    return not found


@pytest.fixture(scope="module")
def fleet() -> Iterator[Emulator]:
    """An emulator whose ECS fleet has activated and not-activated clients."""
    with Emulator(fleet=60, seed=5) as emu:
        yield emu


@pytest.fixture(scope="module")
def plugin(fleet: Emulator) -> Iterator[Stub]:
    """The hbr plugin process, configured by hbr:* config for ``fleet``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "HBR_"))}
    process, channel, stub = _start(env)
    config = {
        "endpoint": fleet.endpoint,
        "protocol": "http",
        "accessKey": DEFAULT_ACCESS_KEY_ID,
        "secretKey": DEFAULT_ACCESS_KEY_SECRET,
    }
    checked = stub.CheckConfig(provider_pb2.CheckRequest(urn=URN, news=_struct(config)))
    stub.Configure(provider_pb2.ConfigureRequest(args=checked.inputs))
    try:
        yield stub
    finally:
        channel.close()
        process.terminate()
        process.wait(timeout=10)


Surface = Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], bool]


@pytest.mark.parametrize("case", list(CASES))
def test_four_surfaces_one_verdict(case: str, fleet: Emulator, plugin: Stub) -> None:
    """The CLI, the SDK, the hbr plugin and the policy pack reach the same verdict."""
    query, rules, gate = CASES[case]
    verdicts = {
        "cli": _cli(fleet, query, rules, gate),
        "sdk": _sdk(fleet, query, rules, gate),
        "plugin": _plugin(plugin, query, rules, gate),
        "policy pack": _policy(fleet, query, rules, gate),
    }
    assert verdicts == dict.fromkeys(verdicts, EXPECTED[case])
