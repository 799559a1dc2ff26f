"""examples/go through plain ``pulumi``: the Go host, ``go build``, the engine and the hbr plugin.

The program is the example as a user copies it, with its ``replace`` pointed at this
checkout's ``sdk/go``; ``GOPROXY=off`` proves that after ``make setup`` nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_SECRET, Emulator
from tests.e2e.pulumi_cli import PulumiProject, emulator_env
from tests.emulator.helpers import list_all, sdk_client

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("go") is None, reason="a Go program needs Go to build"),
]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "go"
SDK = ROOT / "sdk" / "go"
MODULE = "github.com/pulumi-hbr-clients/pulumi-hbr-clients/sdk/go"
#: Offline, and no module graph edits: what `make setup` prepared is all there is.
GO_ENV = {
    "GOPROXY": "off",
    "GOFLAGS": f"{os.environ.get('GOFLAGS', '')} -mod=readonly".strip(),
    "GOWORK": "off",
}


def _go(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["go", *args],
        cwd=cwd,
        env={**os.environ, **GO_ENV},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"go {' '.join(args)} in {cwd}:\n{proc.stdout}{proc.stderr}"
    return proc


def _copy_example(destination: Path) -> Path:
    """The example as a user's project: its own directory, the SDK replaced by this checkout.

    With the commands sdk/go/README.md gives for using the SDK from a checkout.
    """
    shutil.copytree(EXAMPLE, destination, ignore=shutil.ignore_patterns("bin"))
    _go(
        "mod",
        "edit",
        f"-require={MODULE}@v0.1.0",
        f"-replace={MODULE}={SDK}",
        cwd=destination,
    )
    _go("mod", "tidy", cwd=destination)
    assert f"{MODULE} => {SDK}" in (destination / "go.mod").read_text(encoding="utf-8")
    return destination


def test_sdk_builds_and_vets_offline() -> None:
    """`go build ./...` and `go vet ./...` pass in sdk/go, and `go vet` in examples/go."""
    _go("build", "./...", cwd=SDK)
    _go("vet", "./...", cwd=SDK)
    _go("vet", ".", cwd=EXAMPLE)
    plugin = json.loads((SDK / "hbr" / "pulumi-plugin.json").read_text(encoding="utf-8"))
    assert plugin == {"resource": True, "name": "hbr", "version": "0.1.0"}


def test_example_preview_up_destroy_match_the_official_sdk(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """Preview plans 3 creates, up's outputs are the official SDK's listing, destroy is quiet."""
    emu = emulator_factory(fleet=60, seed=7)
    source = _copy_example(tmp_path / "source")
    # The connection as examples/go/README.md gives it: the environment.
    project = PulumiProject.create(source, tmp_path / "work", env={**GO_ENV, **emulator_env(emu)})
    preview = project.run("preview", check=True)
    assert re.search(r"\+ 3 to create", preview.stdout), preview.output
    up = project.run("up", "--yes", "--skip-preview", check=True)
    assert "+ 3 created" in up.stdout, up.output
    for result in (preview, up):  # the host sits beside `pulumi`: no warning about PATH
        assert "pulumi-language-go from $PATH" not in result.output
        assert "Traceback" not in result.output

    official = list_all(sdk_client(emu.endpoint))
    activated = [c for c in official if c.status == "ACTIVATED"]
    outputs = project.outputs(show_secrets=True)
    assert outputs["activatedClientIds"] == [c.client_id for c in activated]
    assert outputs["ecsTotalCount"] == len(activated)
    assert outputs["ecsInstanceIds"] == [c.instance_id for c in activated if c.instance_id]
    assert outputs["instanceClientMap"] == {
        c.instance_id: c.client_id for c in activated if c.instance_id
    }
    protected = [c.client_id for c in activated if c.backup_status == "PROTECTED"]
    assert protected  # the seeded fleet protects some of them
    assert outputs["protectedClientIds"] == protected
    passwords = {
        c.client_id: c.settings.proxy_password
        for c in activated
        if c.settings and c.settings.proxy_password
    }
    assert passwords
    assert outputs["proxyPasswords"] == passwords
    assert project.outputs()["proxyPasswords"] == "[secret]"
    export = project.export()
    assert DEFAULT_ACCESS_KEY_SECRET not in export
    assert not [p for p in passwords.values() if p in export]

    calls = emu.backend.api_call_count()
    destroyed = project.run("destroy", "--yes", "--skip-preview", check=True)
    assert "3 deleted" in destroyed.stdout, destroyed.output
    assert emu.backend.api_call_count() == calls
