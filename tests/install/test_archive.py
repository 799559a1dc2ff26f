"""The plugin archive of ``make plugin``, installed and used by a project outside the checkout."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import Emulator
from tests.emulator.helpers import list_all, sdk_client
from tests.install._support import (
    ROOT,
    UserProject,
    archive_path,
    user_environment,
)

pytestmark = pytest.mark.e2e

PROGRAM = """\
name: hbr-from-archive
runtime: yaml
variables:
  clients:
    fn::invoke:
      function: hbr:index:getBackupClients
      arguments:
        clientType: ECS_CLIENT
outputs:
  clientIds: ${clients.clientIds}
"""


def test_archive_installs_and_serves_a_yaml_program_without_the_checkout(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """The archive installs from its own wheels; a YAML program then lists the fleet, no PATH."""
    emu = emulator_factory(fleet=40, seed=11)
    started = time.monotonic()
    archive = archive_path()
    built = time.monotonic()
    version = archive.name.removeprefix("pulumi-resource-hbr-v").split("-")[0]
    home = tmp_path / "pulumi-home"
    plugin_dir = home / "plugins" / f"resource-hbr-v{version}"
    env = user_environment(tmp_path, wheels=plugin_dir / "wheels", pulumi_home=home)
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "Pulumi.yaml").write_text(PROGRAM)
    project = UserProject(directory=project_dir, env=env)

    project.pulumi("plugin", "install", "resource", "hbr", version, "--file", str(archive))
    installed = time.monotonic()
    assert (plugin_dir / "PulumiPlugin.yaml").is_file()
    # The plugin runs from its own virtual environment, which holds a copy of the provider,
    # not a pointer into this checkout.
    located = subprocess.run(
        [
            str(plugin_dir / "venv" / "bin" / "python"),
            "-c",
            "import hbr_clients_provider, sys; print(hbr_clients_provider.__file__)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(located).is_relative_to(plugin_dir / "venv"), located
    assert not Path(located).is_relative_to(ROOT)
    listed = json.loads(project.pulumi("plugin", "ls", "--json"))
    assert {(p["name"], p["kind"], p["version"]) for p in listed} >= {("hbr", "resource", version)}

    project.use_emulator(emu)
    project.pulumi("up", "--yes", "--skip-preview")
    outputs = json.loads(project.pulumi("stack", "output", "--json"))
    expected = sorted(c.client_id for c in list_all(sdk_client(emu.endpoint)))
    assert sorted(outputs["clientIds"]) == expected
    assert project.path_warnings() == []
    finished = time.monotonic()
    print(  # the wall times a user sees, for the docs (pytest -s)
        f"make plugin {built - started:.1f}s, plugin install {installed - built:.1f}s, "
        f"up {finished - installed:.1f}s"
    )
