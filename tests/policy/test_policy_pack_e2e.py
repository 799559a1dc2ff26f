"""The policy pack in policy/ through the real `pulumi` CLI, against the emulator.

These run the commands of examples/policy-pack/README.md: `pulumi up` of the example's
stack, then `pulumi preview --policy-pack <repo>/policy --policy-pack-config FILE` from the
example's project directory (a copy in a temp dir: another project than the pack's). The
README's own session (``tests/docs``) shows the advisory config and the config the schema
refuses, with their output quoted; these check what it cannot quote: a stack that does not
exist yet, every offending client of a blocked preview, and ``maxFindings``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hbr_emulator import Emulator
from tests.e2e.pulumi_cli import PulumiProject, Result, emulator_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "policy"
EXAMPLE = ROOT / "examples" / "policy-pack"


def _project(tmp_path: Path, emu: Emulator) -> PulumiProject:
    return PulumiProject.create(EXAMPLE, tmp_path, env=emulator_env(emu))


def _preview(project: PulumiProject, config: str | dict[str, Any]) -> Result:
    """`pulumi preview --policy-pack PACK --policy-pack-config FILE` in the project."""
    if isinstance(config, dict):
        path = project.directory / "test-config.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        config = path.name
    return project.run("preview", "--policy-pack", str(PACK), "--policy-pack-config", config)


class TestPolicyPack:
    """hbr-fleet-audit blocks as configured, on a stack with a BackupClients lookup."""

    def test_new_stack_passes_mandatory_blocks_naming_each_client_max_findings_relaxes(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """A new stack's clients are not known yet; then mandatory blocks, naming every
        offending client with its instance, until maxFindings tolerates them."""
        emu = emulator_factory(fleet=100, seed=0)
        ecs = [c for c in emu.backend.clients() if c["ClientType"] == "ECS_CLIENT"]
        inactive = [c for c in ecs if c["Status"] != "ACTIVATED"]
        assert 0 < len(inactive) < 50, "every offending client fits in the listed rows"
        project = _project(tmp_path, emu)

        fresh = _preview(project, "policy-config.json")
        assert fresh.returncode == 0, fresh.output
        assert "not known until the update" in fresh.output

        project.run("up", "--yes", "--skip-preview", check=True)

        blocked = _preview(project, "policy-config.json")
        out = blocked.output
        assert blocked.returncode != 0, out
        assert "mandatory" in out
        assert "hbr-fleet-audit" in out
        assert f"FAIL: {len(inactive)} findings on {len(inactive)} of {len(ecs)} clients" in out
        for client in inactive:
            assert client["ClientId"] in out
            assert client["InstanceId"] in out
        active = next(c for c in ecs if c["Status"] == "ACTIVATED")
        assert active["ClientId"] not in out
        assert "Traceback" not in out

        relaxed = _preview(
            project,
            {
                "hbr-fleet-audit": {
                    "enforcementLevel": "mandatory",
                    "requireActivated": True,
                    "maxFindings": len(inactive),
                }
            },
        )
        assert relaxed.returncode == 0, relaxed.output
        assert inactive[0]["ClientId"] not in relaxed.output
