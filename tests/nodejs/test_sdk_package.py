"""The TypeScript SDK compiles, and ``npm pack`` makes a package of compiled JavaScript."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="the SDK is built by npm")

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk" / "nodejs"
#: typescript, @types/node and @pulumi/pulumi as a program has them (make setup installs them;
#: sdk/nodejs/node_modules, its own link, goes whenever the SDK is regenerated).
PACKAGES = ROOT / "examples" / "typescript" / "node_modules"
VERSION = "0.1.0"  # pyproject's version: the plugin's, and so the package's


def _offline_env() -> dict[str, str]:
    return {**os.environ, "npm_config_offline": "true", "npm_config_update_notifier": "false"}


def test_npm_pack_makes_a_compiled_package_at_the_plugin_version(tmp_path: Path) -> None:
    """npm pack (its prepare script runs tsc) packs bin/index.js, its types, no sources."""
    if not (PACKAGES / "typescript").is_dir():
        pytest.fail("examples/typescript/node_modules is not prepared: run `make setup`")
    source = tmp_path / "nodejs"
    shutil.copytree(SDK, source, ignore=shutil.ignore_patterns("bin", "*.tgz", "node_modules"))
    (source / "node_modules").symlink_to(PACKAGES.resolve())
    packed = tmp_path / "packed"
    packed.mkdir()
    subprocess.run(
        ["npm", "pack", "--pack-destination", str(packed), "--loglevel=error"],
        cwd=source,
        env=_offline_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    tarball = packed / f"pulumi-hbr-clients-hbr-{VERSION}.tgz"
    assert [p.name for p in packed.iterdir()] == [tarball.name]
    example = json.loads((ROOT / "examples" / "typescript" / "package.json").read_text())
    assert (
        example["dependencies"]["@pulumi-hbr-clients/hbr"]
        == f"file:../../sdk/nodejs/{tarball.name}"
    )
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        archive.extractall(tmp_path / "extracted", filter="data")
    assert {"package/bin/index.js", "package/bin/index.d.ts", "package/package.json"} <= names
    assert "package/README.md" in names
    assert not [n for n in names if n.endswith(".ts") and not n.endswith(".d.ts")]

    package = tmp_path / "extracted" / "package"
    manifest = json.loads((package / "package.json").read_text())
    assert manifest["version"] == VERSION
    assert manifest["main"] == "bin/index.js"
    assert manifest["types"] == "bin/index.d.ts"
    assert manifest["pulumi"] == {"resource": True, "name": "hbr", "version": VERSION}

    # The package loads with its dependencies, and reads its own version as its resources do.
    (package / "node_modules").symlink_to(PACKAGES.resolve())
    loaded = subprocess.run(
        [
            "node",
            "-e",
            "const hbr = require('.'); const u = require('./bin/utilities');"
            "console.log(JSON.stringify({version: u.getVersion(),"
            " resource: typeof hbr.BackupClients, lookup: typeof hbr.getBackupClientsOutput,"
            " audit: typeof hbr.auditBackupCoverageOutput}))",
        ],
        cwd=package,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(loaded.stdout) == {
        "version": VERSION,
        "resource": "function",
        "lookup": "function",
        "audit": "function",
    }
