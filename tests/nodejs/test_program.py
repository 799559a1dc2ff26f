"""examples/typescript through plain ``pulumi``: the Node.js host, the TypeScript SDK, hbr."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_SECRET, Emulator
from tests.e2e.pulumi_cli import BIN, PulumiProject, emulator_env, local_backend_env
from tests.emulator.helpers import list_all, sdk_client

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("node") is None, reason="TypeScript programs run on node"),
]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "typescript"


def _project(workdir: Path, emu: Emulator) -> PulumiProject:
    """A copy of the example (its node_modules link kept as a link) with stack ``test``."""
    if not (EXAMPLE / "node_modules" / "@pulumi-hbr-clients" / "hbr").is_dir():
        pytest.fail("examples/typescript/node_modules is not prepared: run `make setup`")
    directory = workdir / "project"
    shutil.copytree(EXAMPLE, directory, symlinks=True)
    state = workdir / "state"
    state.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HBR_")},
        **local_backend_env(state, workdir / "pulumi-home"),
        **emulator_env(emu),
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # The type check of the program (ts-node's default, 4-5 s of CPU a run) is left to the
    # runs of examples/typescript/README.md and of the `package add` test, which keep it on;
    # here the program only has to run (Pulumi's documented switch).
    env["PULUMI_NODEJS_TRANSPILE_ONLY"] = "true"
    project = PulumiProject(directory=directory, state=state, env=env)
    project.run("stack", "init", "test", check=True)
    return project


def test_example_previews_deploys_and_destroys_matching_the_official_sdk(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """preview, up and destroy run the program; its outputs are the official SDK's listing."""
    emu = emulator_factory(fleet=80, seed=5)
    project = _project(tmp_path, emu)

    preview = project.run("preview", check=True)
    assert "+ 3 to create" in preview.stdout, preview.output
    assert "pulumi-language-nodejs from $PATH" not in preview.output  # found beside pulumi
    assert emu.backend.api_call_count() > 0  # getBackupClients ran during the preview

    up = project.run("up", "--yes", "--skip-preview", check=True)
    assert "+ 3 created" in up.stdout, up.output
    outputs = project.outputs(show_secrets=True)
    official = list_all(sdk_client(emu.endpoint))
    activated = [c for c in official if c.status == "ACTIVATED"]
    assert outputs["activatedClientIds"] == [c.client_id for c in activated]
    assert outputs["ecsTotalCount"] == len(activated)
    assert outputs["ecsInstanceIds"] == [c.instance_id for c in activated if c.instance_id]
    assert outputs["instanceClientMap"] == {
        c.instance_id: c.client_id for c in activated if c.instance_id
    }
    protected = [c.client_id for c in activated if c.backup_status == "PROTECTED"]
    assert protected
    assert outputs["protectedClientIds"] == protected
    passwords = {
        c.client_id: c.settings.proxy_password
        for c in activated
        if c.settings and c.settings.proxy_password
    }
    assert passwords  # the seeded fleet has custom proxies with passwords
    assert outputs["proxyPasswords"] == passwords
    assert outputs["auditSummary"]["totalClients"] == len(activated)  # fed ecs.clientIds
    assert outputs["auditSummary"]["byStatus"] == {"ACTIVATED": len(activated)}

    plain = project.outputs()
    assert plain["proxyPasswords"] == "[secret]"
    export = project.export()
    assert DEFAULT_ACCESS_KEY_SECRET not in export
    assert not [p for p in passwords.values() if p in export]

    calls = emu.backend.api_call_count()
    destroyed = project.run("destroy", "--yes", "--skip-preview", check=True)
    assert "- 3 deleted" in destroyed.stdout, destroyed.output
    assert emu.backend.api_call_count() == calls  # reading never mutates; delete calls no API
