"""A user's own project: the wheel in a fresh venv, a project outside the checkout, plain pulumi."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import Emulator
from tests.e2e.pulumi_cli import BIN, ROOT, emulator_env, local_backend_env
from tests.install._support import archive_path, unpack_wheels

pytestmark = pytest.mark.e2e

PROJECT_FILE = """\
name: my-fleet
description: A user's project, outside the pulumi-hbr-clients checkout.
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: venv
"""

PROGRAM = """\
import sys

import pulumi
import pulumi_hbr_clients as hbr

clients = hbr.BackupClients("ecs", client_type="ECS_CLIENT", statuses=["ACTIVATED"])
pulumi.export("client_ids", clients.client_ids)
pulumi.export("total_count", clients.total_count)
pulumi.export("sdk_file", hbr.__file__)
pulumi.export("python", sys.executable)
pulumi.export("sys_path", sys.path)
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheels of the plugin archive (``make plugin``): this project's own, built by
    ``pip wheel`` from its sources as a user would build it, and those of its dependencies.

    The install tests build and use the same archive (its build resolves against PyPI, once
    per run). Installing from it with ``--no-index`` took 9.6 s of CPU here; this install
    resolving the same versions against PyPI took 15.6 s.
    """
    found = unpack_wheels(archive_path(), tmp_path_factory.mktemp("wheels"))
    (built,) = found.glob("pulumi_hbr_clients-*.whl")
    with zipfile.ZipFile(built) as archive:  # so the engine installs no plugin for it
        plugin = json.loads(archive.read("pulumi_hbr_clients/pulumi-plugin.json"))
    assert plugin == {"resource": False}
    return found


@pytest.fixture
def own_project(tmp_path: Path, wheels: Path) -> Path:
    """A project dir outside the checkout, with ``venv`` holding the wheel and its deps."""
    project = tmp_path / "my-fleet"
    project.mkdir()
    venv = project / "venv"
    # A venv without its own pip, filled by this pip (``--python``): the same packages as
    # ``venv/bin/pip install``, without bootstrapping pip into every test venv. Byte-compiled
    # as pip does by default: where PYTHONDONTWRITEBYTECODE is set, a venv without .pyc files
    # compiles its imports again in every process (2.7 s of CPU each here, 1.1 s with them).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(wheels),
            "-c",
            str(ROOT / "constraints.txt"),
            "pulumi-hbr-clients",
        ],
        check=True,
        timeout=600,
    )
    (project / "Pulumi.yaml").write_text(PROJECT_FILE, encoding="utf-8")
    (project / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    return project


class TestOwnProject:
    """``pulumi`` as typed, in a project whose venv has the package from its wheel."""

    def test_lifecycle_with_the_installed_wheel(
        self, own_project: Path, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """up, an unchanged preview, refresh and destroy run on the project's venv alone."""
        emu = emulator_factory(fleet=150, seed=3)
        state = tmp_path / "state"
        state.mkdir()
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}},
            # Nothing of the checkout on PATH: `pulumi` is called by its path, as an
            # installed CLI would be, and finds its language host beside itself.
            "PATH": f"/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
            **local_backend_env(state, tmp_path / "pulumi-home"),
            **emulator_env(emu),
        }

        def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
            proc = subprocess.run(
                [str(BIN / "pulumi"), *args, "--non-interactive"],
                cwd=own_project,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert proc.returncode == 0, f"pulumi {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
            assert "from $PATH" not in proc.stdout + proc.stderr
            return proc

        pulumi("stack", "init", "dev")
        up = pulumi("up", "--yes", "--skip-preview")
        assert "+ 2 created" in up.stdout
        outputs = json.loads(pulumi("stack", "output", "--json").stdout)
        venv = own_project / "venv"
        assert Path(outputs["sdk_file"]).is_relative_to(venv / "lib")
        assert Path(outputs["python"]).parent == venv / "bin"
        assert not [p for p in outputs["sys_path"] if p and Path(p).is_relative_to(ROOT)]
        assert outputs["total_count"] == len(outputs["client_ids"]) > 0

        pulumi("preview", "--expect-no-changes")
        refresh = pulumi("refresh", "--yes", "--skip-preview")
        assert "error" not in refresh.stdout.lower()
        destroy = pulumi("destroy", "--yes", "--skip-preview")
        assert "- 2 deleted" in destroy.stdout
