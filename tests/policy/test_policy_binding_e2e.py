"""A pack from ``hbr-clients policy-pack init`` on a pulumi-alicloud 4.x program, end to end.

The real ``pulumi`` CLI previews ``examples/policy-binding`` (a copy, in a venv with the real
pulumi-alicloud 4.0.0 SDK) with ``--policy-pack`` pointing at a pack ``hbr-clients
policy-pack init`` wrote. The HBR lookup and the policies talk to the emulator over HTTP; the
``alicloud`` provider plugin is the stand-in of :mod:`tests.policy.alicloud_standin` (the one
mock: it stands for the cloud) and records what the engine asks of it.
"""

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

from hbr_emulator import Emulator
from pulumi_hbr_clients.policy.types import (
    DATA_SOURCE_ID,
    ECS_BACKUP_CLIENT_TYPE,
    ECS_FILE,
    INSTANCE_ID,
    POLICY_BINDING_TYPE,
    SOURCE_TYPE,
)
from tests.e2e.pulumi_cli import BIN, PulumiProject, emulator_env
from tests.policy import alicloud_standin

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "policy-binding"
READY = "i-0ready0000000000001"
BARE = "i-0bare00000000000002"


def _standin_on_path(bin_dir: Path) -> None:
    """``pulumi-resource-alicloud`` in ``bin_dir``: the stand-in, run by this interpreter."""
    bin_dir.mkdir()
    plugin = bin_dir / "pulumi-resource-alicloud"
    plugin.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -u "{alicloud_standin.__file__}" "$@"\n',
        encoding="utf-8",
    )
    plugin.chmod(0o755)


def _records(path: Path, method: str, type_token: str) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    entries = [json.loads(line) for line in lines]
    return [e for e in entries if e["method"] == method and e["type"] == type_token]


def test_init_pack_blocks_an_uncovered_binding_until_the_stack_adds_its_client(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """Blocked while an ECS_FILE binding's instance has no client; passes once it gets one."""
    subprocess.run([str(ROOT / "tools" / "examples_venv.sh")], check=True, timeout=600)
    started = time.monotonic()
    emu = emulator_factory(fleet=0)
    emu.backend.add_client(
        {"ClientId": "c-ready", "InstanceId": READY, "ClientType": "ECS_CLIENT"}
        | {"Status": "ACTIVATED"}
    )
    pack = tmp_path / "hbr-policy"
    init = subprocess.run(
        [str(BIN / "hbr-clients"), "policy-pack", "init", str(pack), "--virtualenv", sys.prefix],
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stderr
    config = tmp_path / "pack-config.json"
    # The estate audit needs every region; the emulator of this test serves one.
    config.write_text(json.dumps({"hbr-estate-coverage": "disabled"}), encoding="utf-8")
    _standin_on_path(tmp_path / "plugins")
    record = tmp_path / "alicloud-requests.jsonl"
    env = {
        **emulator_env(emu),
        "PATH": f"{tmp_path / 'plugins'}{os.pathsep}{os.environ['PATH']}",
        alicloud_standin.RECORD_ENV: str(record),
    }
    project = PulumiProject.create(EXAMPLE, tmp_path, env=env)
    project.run("config", "set", "instanceIds", json.dumps([BARE]), check=True)
    preview = ("preview", "--policy-pack", str(pack), "--policy-pack-config", str(config))

    blocked = project.run(*preview)

    out = blocked.output
    assert blocked.returncode != 0, out
    assert "[mandatory]  hbr-backup-plan-client" in out
    assert (
        f"PolicyBinding files-{BARE}: ECS instance {BARE} has no HBR backup client; "
        "the binding would back up nothing"
    ) in out
    assert f"ECS instance {READY}" not in out
    assert "Traceback" not in out
    bindings = {
        e["news"][DATA_SOURCE_ID]: e["news"] for e in _records(record, "Check", POLICY_BINDING_TYPE)
    }
    assert set(bindings) == {READY, BARE}
    assert {b[SOURCE_TYPE] for b in bindings.values()} == {ECS_FILE}
    assert all(e["preview"] for e in _records(record, "Create", POLICY_BINDING_TYPE))

    project.run("config", "set", "installClients", "true", check=True)
    passed = project.run(*preview)

    assert passed.returncode == 0, passed.output
    assert "hbr-backup-plan-client" not in passed.output
    (client,) = {e["news"][INSTANCE_ID] for e in _records(record, "Check", ECS_BACKUP_CLIENT_TYPE)}
    assert client == BARE
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"took {elapsed:.1f} s"
