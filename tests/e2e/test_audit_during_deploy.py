"""examples/audit-during-deploy through the real Pulumi CLI against the emulator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hbr_emulator import Emulator
from tests.e2e.pulumi_cli import PulumiProject, emulator_env

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "audit-during-deploy"
DAY = 86400


def _project(tmp_path: Path, emu: Emulator) -> PulumiProject:
    return PulumiProject.create(EXAMPLE, tmp_path, env=emulator_env(emu))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _expected_findings(clients: list[dict[str, Any]], now: float) -> set[tuple[str, str]]:
    """The example's default rules, computed from the wire data: (client ID, rule) pairs."""
    found = set()
    for c in clients:
        if c["Status"] != "ACTIVATED":
            found.add((c["ClientId"], "not_activated"))
        if _version(c["ClientVersion"]) < _version(c["MaxClientVersion"]):
            found.add((c["ClientId"], "outdated"))
        if now - c["LastHeartBeatTime"] > DAY:
            found.add((c["ClientId"], "stale_heartbeat"))
        settings = c["Settings"]
        if settings["DataProxySetting"] == "CUSTOM" and settings["UseHttps"] != "true":
            found.add((c["ClientId"], "insecure_proxy"))
    return found


def _first_listing(output: str) -> list[list[str]]:
    """The rows of the first findings table in the CLI output (the runner reports it twice)."""
    lines = output.splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.split()[:2] == ["client_id", "instance_id"]
    )
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip() or line.strip().startswith(("...", "error:")):
            break
        rows.append(line.split())
    return rows


def _hbr_resources(project: PulumiProject) -> list[dict[str, Any]]:
    resources = json.loads(project.export())["deployment"].get("resources") or []
    return [r for r in resources if r["type"].endswith("BackupClients")]


def _client(client_id: str, instance_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "ClientId": client_id,
        "InstanceId": instance_id,
        "ZoneId": "cn-hangzhou-h",
        "BackupStatus": "PROTECTED",
        **fields,
    }


class TestAuditDuringDeploy:
    """The example stops a deploy on the seeded fleet and passes once the rules are relaxed."""

    def test_preview_fails_then_relaxed_up_exports_report(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """preview and up fail listing the offending clients; maxFindings 1000 lets up pass."""
        emu = emulator_factory(fleet=100, seed=0)
        ecs = [c for c in emu.backend.clients() if c["ClientType"] == "ECS_CLIENT"]
        expected = _expected_findings(ecs, time.time())
        assert len(expected) > 50, "the seeded fleet breaks the default rules often"
        instances = {c["ClientId"]: c["InstanceId"] for c in ecs}
        project = _project(tmp_path, emu)

        preview = project.run("preview")

        assert preview.returncode != 0
        out = preview.output
        assert "Traceback" not in out
        assert f"HBR backup client audit FAIL: {len(expected)} findings" in out
        listed = _first_listing(out)
        assert len(listed) == 50
        for client_id, instance_id, rule, *_ in listed:
            assert instance_id == instances[client_id]
            assert (client_id, rule) in expected
        assert f"... and {len(expected) - 50} more findings" in out

        failed_up = project.run("up", "--yes")
        assert failed_up.returncode != 0
        assert "HBR backup client audit FAIL" in failed_up.output
        assert _hbr_resources(project) == []

        project.run("config", "set", "audit:maxFindings", "1000", check=True)
        project.run("up", "--yes", "--skip-preview", check=True)

        outputs = project.outputs()
        report = outputs["audit"]
        assert {(f["client_id"], f["rule"]) for f in report["findings"]} == expected
        assert all(f["instance_id"] == instances[f["client_id"]] for f in report["findings"])
        assert report["summary"]["total_clients"] == len(ecs)
        activated = [c["ClientId"] for c in ecs if c["Status"] == "ACTIVATED"]
        assert outputs["activated_client_ids"] == activated
        assert len(_hbr_resources(project)) == 1

    def test_precise_fleet_lists_each_rule_then_passes_when_relaxed(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """A fleet built per rule fails preview with exactly its findings; relaxed, up passes."""
        emu = emulator_factory(fleet=0)
        emu.backend.add_client(_client("c-clean", "i-clean"))
        emu.backend.add_client(
            _client("c-old", "i-old", ClientVersion="2.9.3", MaxClientVersion="2.13.10")
        )
        project = _project(tmp_path, emu)
        project.run("config", "set", "audit:expectInstances", '["i-clean", "i-gone"]', check=True)

        preview = project.run("preview")

        assert preview.returncode != 0
        out = preview.output
        assert "Traceback" not in out
        assert "HBR backup client audit FAIL: 2 findings" in out
        rows = [row[:3] for row in _first_listing(out)]
        assert rows == [["c-old", "i-old", "outdated"], ["-", "i-gone", "missing_client"]]
        assert "c-clean" not in out

        project.run("config", "set", "audit:requireLatest", "false", check=True)
        project.run("config", "set", "audit:expectInstances", '["i-clean", "i-old"]', check=True)
        project.run("up", "--yes", "--skip-preview", check=True)

        report = project.outputs()["audit"]
        assert report["findings"] == []
        assert report["summary"]["coverage_percent"] == 100.0
        assert report["summary"]["by_version"] == {"2.9.3": 1, "2.13.10": 1}
