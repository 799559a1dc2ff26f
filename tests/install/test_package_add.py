"""``pulumi package add <checkout>/provider`` from YAML, Python, TypeScript and Go projects.

The checkout is a copy of this working tree's distribution sources (``provider/`` with its
``PulumiPlugin.yaml``, ``sdk/``, ``emulator/``, ``pyproject.toml``...), as a user's clone is,
kept between runs in pytest's cache with the ``provider/venv`` that ``package add`` installs
(every ``package add`` reinstalls the plugin from the sources into it; keeping it saves
installing the dependencies again). Each project lives in a temporary directory outside the
checkout and runs plain ``pulumi`` with no plugin on ``PATH``: ``package add`` runs the plugin
through the Python host, asks it for its schema, has the project's host generate and link an
SDK, and records the package in ``Pulumi.yaml``.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from hbr_emulator import Emulator
from tests.emulator.helpers import list_all, sdk_client
from tests.install._support import (
    ROOT,
    UserProject,
    archive_path,
    copy_checkout,
    unpack_wheels,
    user_environment,
)

pytestmark = pytest.mark.e2e

DISTRIBUTION = ("pyproject.toml", "README.md", "LICENSE", "provider", "sdk", "emulator")

YAML_PROGRAM = """\
name: hbr-yaml-package
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

PYTHON_PROJECT = """\
name: hbr-python-package
runtime:
  name: python
  options:
    virtualenv: venv
"""

PYTHON_PROGRAM = """\
import pulumi
import pulumi_hbr as hbr

clients = hbr.get_backup_clients(client_type="ECS_CLIENT")
pulumi.export("clientIds", clients.client_ids)
"""

TYPESCRIPT_PROJECT = """\
name: hbr-typescript-package
runtime:
  name: nodejs
  options:
    packagemanager: npm
"""

TYPESCRIPT_PACKAGE = {
    "name": "hbr-typescript-package",
    "private": True,
    "main": "index.ts",
    "devDependencies": {"@types/node": "^20", "typescript": "^5.0.0"},
    "dependencies": {"@pulumi/pulumi": "3.270.0"},
}

TYPESCRIPT_PROGRAM = """\
import * as hbr from "@pulumi-hbr-clients/hbr";

const clients = hbr.getBackupClientsOutput({ clientType: "ECS_CLIENT" });
export const clientIds = clients.clientIds;
"""

GO_PROJECT = """\
name: hbr-go-package
runtime:
  name: go
  options:
    buildTarget: bin/hbr-go-package
"""

GO_MOD = """\
module example.com/hbr-go-package

go 1.26

require github.com/pulumi/pulumi/sdk/v3 v3.274.1
"""

GO_PROGRAM = """\
package main

import (
	"github.com/pulumi-hbr-clients/pulumi-hbr-clients/sdk/go/hbr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		args := &hbr.LookupBackupClientsArgs{ClientType: "ECS_CLIENT"}
		clients, err := hbr.LookupBackupClients(ctx, args)
		if err != nil {
			return err
		}
		ctx.Export("clientIds", pulumi.ToStringArray(clients.ClientIds))
		return nil
	})
}
"""

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "outDir": "bin",
        "target": "es2020",
        "module": "commonjs",
        "moduleResolution": "node",
    },
    "files": ["index.ts"],
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """The emulated fleet every project of this module lists."""
    with Emulator(fleet=30, seed=12) as emu:
        yield emu


@pytest.fixture(scope="module")
def expected(emulator: Emulator) -> list[str]:
    """The IDs of the fleet's ECS clients, listed by the official SDK."""
    return sorted(c.client_id for c in list_all(sdk_client(emulator.endpoint)))


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheels of the plugin archive: pip's only package source in these tests."""
    return unpack_wheels(archive_path(), tmp_path_factory.mktemp("wheels"))


@pytest.fixture(scope="module")
def plugin(request: pytest.FixtureRequest) -> Iterator[Path]:
    """``provider/`` of a fresh copy of the checkout (its ``venv`` kept from earlier runs)."""
    cache = request.config.cache
    assert cache is not None
    directory = cache.mkdir("install-checkout")
    with (directory.parent / "install-checkout.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run of this module waits for this one
        copy_checkout(directory, DISTRIBUTION, keep=["provider/venv"])
        yield directory / "provider"


def _project(tmp_path: Path, wheels: Path, name: str, files: dict[str, str]) -> UserProject:
    directory = tmp_path / f"{name}-project"
    directory.mkdir()
    for file_name, text in files.items():
        (directory / file_name).write_text(text)
    # npm installs what its cache holds without asking the registry (make setup filled it).
    env = user_environment(tmp_path, wheels=wheels, extra={"npm_config_prefer_offline": "true"})
    return UserProject(directory=directory, env=env)


def _install_typescript_dependencies(directory: Path) -> None:
    """The project's dependencies installed, as ``pulumi new`` leaves a TypeScript project.

    They are those of examples/typescript (the same ``package.json`` dependencies, which
    ``make setup`` installed from the same npm cache), copied without this project's SDK. The
    ``npm install`` that ``package add`` runs took 18 s of CPU on 2 cores without them, 4 s
    with them; the copy takes 2 s.
    """
    installed = ROOT / "examples" / "typescript" / "node_modules"
    if not (installed / "@pulumi" / "pulumi").is_dir():
        pytest.fail("examples/typescript/node_modules is not prepared: run `make setup`")
    modules = directory / "node_modules"
    subprocess.run(["cp", "-a", f"{installed.resolve()}/", str(modules)], check=True)
    shutil.rmtree(modules / "@pulumi-hbr-clients")


def _add(project: UserProject, plugin: Path) -> str:
    started = time.monotonic()
    added = project.pulumi("package", "add", str(plugin))
    print(f"{project.directory.name}: package add {time.monotonic() - started:.1f}s")
    assert "Added package" in added
    assert yaml.safe_load((project.directory / "Pulumi.yaml").read_text())["packages"] == {
        "hbr": str(plugin)
    }
    return added


def _run(project: UserProject, emulator: Emulator, *, preview: bool = False) -> list[str]:
    project.use_emulator(emulator)
    started = time.monotonic()
    if preview:
        project.pulumi("preview")
    project.pulumi("up", "--yes", "--skip-preview")
    print(
        f"{project.directory.name}: {'preview and ' * preview}up {time.monotonic() - started:.1f}s"
    )
    assert project.path_warnings() == []
    ids: list[str] = json.loads(project.pulumi("stack", "output", "--json"))["clientIds"]
    return sorted(ids)


def test_package_add_in_a_yaml_project(
    tmp_path: Path, wheels: Path, plugin: Path, emulator: Emulator, expected: list[str]
) -> None:
    """A YAML project records the package and invokes its functions by name."""
    project = _project(tmp_path, wheels, "yaml", {"Pulumi.yaml": YAML_PROGRAM})
    _add(project, plugin)
    assert _run(project, emulator) == expected


def test_package_add_in_a_python_project(
    tmp_path: Path, wheels: Path, plugin: Path, emulator: Emulator, expected: list[str]
) -> None:
    """A Python project gets ``pulumi_hbr`` in sdks/, in requirements.txt and in its venv."""
    project = _project(
        tmp_path,
        wheels,
        "python",
        {
            "Pulumi.yaml": PYTHON_PROJECT,
            "requirements.txt": "pulumi>=3.272,<4\n",
            "__main__.py": PYTHON_PROGRAM,
        },
    )
    added = _add(project, plugin)
    assert "import pulumi_hbr as hbr" in added
    assert (project.directory / "requirements.txt").read_text().splitlines() == [
        "pulumi>=3.272,<4",
        "sdks/hbr",
    ]
    assert (project.directory / "sdks/hbr/pulumi_hbr/pulumi-plugin.json").is_file()
    assert _run(project, emulator, preview=True) == expected


def test_package_add_in_a_typescript_project(
    tmp_path: Path, wheels: Path, plugin: Path, emulator: Emulator, expected: list[str]
) -> None:
    """A TypeScript project gets the npm package in sdks/, linked as a file: dependency."""
    project = _project(
        tmp_path,
        wheels,
        "typescript",
        {
            "Pulumi.yaml": TYPESCRIPT_PROJECT,
            "package.json": json.dumps(TYPESCRIPT_PACKAGE, indent=4),
            "tsconfig.json": json.dumps(TSCONFIG, indent=4),
            "index.ts": TYPESCRIPT_PROGRAM,
        },
    )
    _install_typescript_dependencies(project.directory)
    added = _add(project, plugin)
    assert 'import * as hbr from "@pulumi-hbr-clients/hbr";' in added
    manifest = json.loads((project.directory / "package.json").read_text())
    assert manifest["dependencies"]["@pulumi-hbr-clients/hbr"] == "file:sdks/hbr"
    assert (project.directory / "node_modules/@pulumi-hbr-clients/hbr/bin/index.js").is_file()
    assert _run(project, emulator) == expected


def test_package_add_in_a_go_project(
    tmp_path: Path, wheels: Path, plugin: Path, emulator: Emulator, expected: list[str]
) -> None:
    """A Go project gets the SDK module in sdks/, required and replaced in go.mod."""
    project = _project(
        tmp_path,
        wheels,
        "go",
        {
            "Pulumi.yaml": GO_PROJECT,
            "go.mod": GO_MOD,
            # The sums of the Pulumi Go SDK's dependencies, so nothing is downloaded.
            "go.sum": (ROOT / "examples/go/go.sum").read_text(),
            "main.go": GO_PROGRAM,
        },
    )
    added = _add(project, plugin)
    module = "github.com/pulumi-hbr-clients/pulumi-hbr-clients/sdk/go"
    assert f'import "{module}/hbr"' in added
    go_mod = (project.directory / "go.mod").read_text()
    assert f"replace {module} => ./sdks/hbr" in go_mod
    assert (project.directory / "sdks/hbr/go.mod").read_text().startswith(f"module {module}\n")
    assert _run(project, emulator) == expected
