"""Tests of ``hbr-clients audit``: exit codes, formats and flags, in process and installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hbr_clients_provider.cli import main
from hbr_emulator import Emulator, Faults

from ._support import healthy_wire_client, point_env_at

HBR_CLIENTS = Path(sys.executable).parent / "hbr-clients"
ALL_RULES = [
    "--require-activated",
    "--require-protected",
    "--require-latest",
    "--require-https-proxy",
    "--max-heartbeat-age",
    "1d",
]


def _client(client_id: str, instance_id: str, **fields: Any) -> dict[str, Any]:
    """A wire client that breaks no rule unless ``fields`` say otherwise; heard from just now."""
    return healthy_wire_client(client_id, instance_id, heartbeat=int(time.time()) - 60, **fields)


#: One client per rule, each breaking only that rule, plus a clean one.
RULE_FLEET = [
    _client("c-clean", "i-clean"),
    _client("c-stopped", "i-stopped", Status="STOPPED"),
    _client("c-unprotected", "i-unprotected", BackupStatus="UNPROTECTED"),
    _client("c-old", "i-old", ClientVersion="2.9.3"),
    _client("c-silent", "i-silent", LastHeartBeatTime=int(time.time()) - 3 * 86400),
    _client("c-proxy", "i-proxy", Settings={"DataProxySetting": "CUSTOM", "UseHttps": "false"}),
]


@pytest.fixture
def fleet_env(
    monkeypatch: pytest.MonkeyPatch, emulator_factory: Callable[..., Emulator]
) -> Callable[..., Emulator]:
    """Start an emulator holding exactly the given wire clients; point the environment at it."""

    def build(*clients: dict[str, Any]) -> Emulator:
        emu = emulator_factory(fleet=0)
        for client in reversed(clients):
            emu.backend.add_client(client)
        point_env_at(monkeypatch, emu.endpoint)
        return emu

    return build


def _installed(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hbr-clients`` with the (monkeypatched) environment."""
    return subprocess.run(
        [str(HBR_CLIENTS), *args],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["audit", "--client-type", "ECS_CLIENT", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


class TestInstalledCommand:
    """The exit-code contract of the installed ``hbr-clients audit``."""

    def test_audit_clean_fleet_exit_0(self, fleet_env: Callable[..., Emulator]) -> None:
        """A fleet that breaks no enabled rule exits 0 with a PASS verdict."""
        fleet_env(_client("c-1", "i-1"), _client("c-2", "i-2"))
        proc = _installed(
            "audit", "--client-type", "ECS_CLIENT", *ALL_RULES, "--expect-instance", "i-1"
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("PASS: no findings on 2 clients")
        assert proc.stderr == ""

    def test_audit_findings_exit_1_json_shape(self, fleet_env: Callable[..., Emulator]) -> None:
        """Findings exit 1; --format json prints findings with four keys and a summary."""
        fleet_env(*RULE_FLEET)
        proc = _installed("audit", "--client-type", "ECS_CLIENT", *ALL_RULES, "--format", "json")
        assert proc.returncode == 1, proc.stderr
        data = json.loads(proc.stdout)
        assert set(data) == {"passed", "gate", "findings", "summary"}
        assert data["passed"] is False
        assert data["gate"]["reasons"] == ["too_many_findings"]
        assert {tuple(sorted(f)) for f in data["findings"]} == {
            ("client_id", "detail", "instance_id", "rule")
        }
        assert data["summary"]["total_clients"] == len(RULE_FLEET)
        assert data["summary"]["clients_with_findings"] == len(RULE_FLEET) - 1

    def test_audit_invalid_input_exit_2_names_fields_sends_nothing(
        self, fleet_env: Callable[..., Emulator]
    ) -> None:
        """Bad flags exit 2, name every field, print no traceback and send no request."""
        emu = fleet_env(*RULE_FLEET)
        proc = _installed(
            "audit",
            "--client-type",
            "ECS_CLIENT",
            "--max-heartbeat-age",
            "5x",
            "--expect-instance",
            " ",
            "--tag",
            "acs:x=1",
        )
        assert proc.returncode == 2
        assert "--max-heartbeat-age: must be a positive duration" in proc.stderr
        assert "--expect-instance #1: must be a non-empty string (got ' ')" in proc.stderr
        assert "--tag #1 key: must not start with 'aliyun' or 'acs:'" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert emu.backend.api_call_count() == 0

    def test_audit_api_error_exit_3_with_code_and_request_id(
        self, fleet_env: Callable[..., Emulator]
    ) -> None:
        """An API error exits 3 with its code and request ID and no traceback."""
        emu = fleet_env(*RULE_FLEET)
        emu.backend.set_faults(Faults(fail_next=[("Forbidden.RAM", 403)]))
        proc = _installed("audit", "--client-type", "ECS_CLIENT", "--require-activated")
        assert proc.returncode == 3
        assert "Forbidden.RAM" in proc.stderr
        assert "request id" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""


class TestAuditFlags:
    """Each flag enables its rule; query flags narrow what is audited."""

    @pytest.mark.parametrize(
        ("flags", "client_id", "rule"),
        [
            (["--require-activated"], "c-stopped", "not_activated"),
            (["--require-protected"], "c-unprotected", "unprotected"),
            (["--require-latest"], "c-old", "outdated"),
            (["--max-heartbeat-age", "2h"], "c-silent", "stale_heartbeat"),
            (["--require-https-proxy"], "c-proxy", "insecure_proxy"),
        ],
    )
    def test_audit_flag_enables_its_rule_only(
        self,
        fleet_env: Callable[..., Emulator],
        capsys: pytest.CaptureFixture[str],
        flags: list[str],
        client_id: str,
        rule: str,
    ) -> None:
        """Each rule flag finds exactly the client built to break that rule."""
        fleet_env(*RULE_FLEET)
        code, data = _audit_json(capsys, *flags)
        assert code == 1
        instance_id = client_id.replace("c-", "i-", 1)
        assert [(f["client_id"], f["instance_id"], f["rule"]) for f in data["findings"]] == [
            (client_id, instance_id, rule)
        ]
        assert data["summary"]["rules_checked"] == [rule]

    def test_audit_no_rule_flags_exit_0(
        self, fleet_env: Callable[..., Emulator], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without rule flags nothing is checked, so even a bad fleet passes."""
        fleet_env(*RULE_FLEET)
        code, data = _audit_json(capsys)
        assert code == 0
        assert data["findings"] == []

    def test_audit_expect_instance_repeatable_and_multi_valued(
        self, fleet_env: Callable[..., Emulator], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--expect-instance takes several values and repeats; each missing one is a finding."""
        fleet_env(*RULE_FLEET)
        code, data = _audit_json(
            capsys,
            "--expect-instance",
            "i-clean",
            "i-gone",
            "--expect-instance",
            "i-old",
            "i-lost",
        )
        assert code == 1
        assert [(f["client_id"], f["instance_id"], f["rule"]) for f in data["findings"]] == [
            (None, "i-gone", "missing_client"),
            (None, "i-lost", "missing_client"),
        ]
        assert data["summary"]["coverage_percent"] == 50.0
        assert data["summary"]["expected_instances"] == 4

    def test_audit_query_flags_narrow_the_audit(
        self, fleet_env: Callable[..., Emulator], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The list flags apply: auditing only ACTIVATED clients finds no inactive one."""
        fleet_env(*RULE_FLEET)
        code, data = _audit_json(capsys, "--status", "ACTIVATED", "--require-activated")
        assert code == 0
        assert data["summary"]["total_clients"] == len(RULE_FLEET) - 1

    def test_audit_markdown_fit_for_a_pull_request(
        self, fleet_env: Callable[..., Emulator], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Markdown has a heading, a verdict, a summary and a findings table."""
        fleet_env(*RULE_FLEET)
        code = main(["audit", "--client-type", "ECS_CLIENT", *ALL_RULES, "--format", "markdown"])
        out = capsys.readouterr().out
        assert code == 1
        lines = out.splitlines()
        assert lines[0] == "## HBR backup client audit"
        assert lines[2].startswith("❌ **FAIL**: 5 findings on 5 of 6 clients")
        assert "| Client | Instance | Rule | Detail |" in lines
        assert (
            "| `c-old` | `i-old` | `outdated` | client version 2.9.3 is older than 2.13.10 |"
            in (lines)
        )

    def test_audit_missing_client_type_exit_2(
        self, fleet_env: Callable[..., Emulator], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing client type exits 2 and names the field."""
        emu = fleet_env(*RULE_FLEET)
        assert main(["audit", "--require-activated"]) == 2
        assert "--client-type: is required" in capsys.readouterr().err
        assert emu.backend.api_call_count() == 0

    def test_audit_bad_format_exit_2(
        self, fleet_env: Callable[..., Emulator], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unknown --format is a usage error (exit 2)."""
        fleet_env(*RULE_FLEET)
        assert main(["audit", "--client-type", "ECS_CLIENT", "--format", "csv"]) == 2
        assert "--format" in capsys.readouterr().err
