"""The policy subpackage and the pack in policy/, as processes and imports see them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from pulumi_hbr_clients.policy import POLICY_NAMES, hbr_policies

ROOT = Path(__file__).resolve().parents[2]


class TestPackage:
    """What importing the package and the policy subpackage gives."""

    def test_sdk_import_leaves_pulumi_policy_out(self) -> None:
        """`import pulumi_hbr_clients` does not import pulumi-policy (an optional extra)."""
        code = "import sys, pulumi_hbr_clients; print('pulumi_policy' in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout

        assert out.strip() == "False"

    def test_four_policies_of_the_right_kinds(self) -> None:
        """hbr_policies() returns four stack policies, all advisory."""
        policies = hbr_policies()

        assert tuple(p.name for p in policies) == POLICY_NAMES
        assert [type(p) for p in policies] == [StackValidationPolicy] * 4
        assert {p.enforcement_level.value for p in policies if p.enforcement_level} == {"advisory"}
        assert all(p.config_schema and p.config_schema.properties for p in policies)

    def test_enforcement_level_applies_to_every_policy(self) -> None:
        """hbr_policies(enforcement_level=MANDATORY) makes each policy mandatory."""
        policies = hbr_policies(enforcement_level=EnforcementLevel.MANDATORY)

        assert [p.enforcement_level for p in policies] == [EnforcementLevel.MANDATORY] * 4

    def test_enforcement_level_by_value_and_a_bad_one(self) -> None:
        """ "disabled" is taken by its value; an unknown level is refused naming the choices."""
        policies = hbr_policies(enforcement_level="disabled")

        assert {p.enforcement_level for p in policies} == {EnforcementLevel.DISABLED}
        with pytest.raises(ValueError, match="enforcement_level 'strict': must be one of"):
            hbr_policies(enforcement_level="strict")


class TestPack:
    """policy/ started the way the Python language host starts a pack."""

    def test_pack_serves_its_policies(self) -> None:
        """`python -u policy ENGINE` prints its port and answers GetAnalyzerInfo."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        process = subprocess.Popen(
            [sys.executable, "-u", str(ROOT / "policy"), "127.0.0.1:1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert process.stdout is not None
            port = process.stdout.readline().strip()
            assert port.isdigit(), process.stderr.read() if process.stderr else ""
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = analyzer_pb2_grpc.AnalyzerStub(channel)
                info = json_format.MessageToDict(
                    stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
                )
        finally:
            process.terminate()
            process.wait(timeout=10)

        assert info["name"] == "hbr-backup-clients"
        assert [p["name"] for p in info["policies"]] == list(POLICY_NAMES)
