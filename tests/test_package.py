"""The things an installed package has: versions, a license, a changelog, ignored state."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import pulumi_hbr_clients

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _pyproject() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def _check_ignore(path: str) -> int:
    """``git check-ignore``'s exit status for ``path``: 0 ignored, 1 not ignored."""
    return subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", "-q", path], check=False
    ).returncode


@pytest.mark.parametrize("command", ["hbr-clients", "hbr-emulator"])
def test_version_flag_prints_installed_version(command: str) -> None:
    """`--version` prints the command's name and the installed version, and exits 0."""
    proc = subprocess.run(
        [str(BIN / command), "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{command} {metadata.version('pulumi-hbr-clients')}\n"


def test_dunder_version_matches_metadata_and_pyproject() -> None:
    """`pulumi_hbr_clients.__version__` is the installed version, which pyproject declares."""
    assert pulumi_hbr_clients.__version__ == metadata.version("pulumi-hbr-clients")
    assert pulumi_hbr_clients.__version__ == _pyproject()["version"]


def test_license_is_the_apache_text_pyproject_declares() -> None:
    """LICENSE holds the full Apache License 2.0 that pyproject names."""
    assert _pyproject()["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text.splitlines()) == 202


def test_changelog_follows_keep_a_changelog() -> None:
    """CHANGELOG.md has an Unreleased section, then a section for the current version."""
    text = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert _pyproject()["version"] in headings[1:]
    assert "keepachangelog.com" in text
    sections = set(re.findall(r"^### (\w+)", text, flags=re.MULTILINE))
    assert sections <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


@pytest.mark.parametrize(
    "path",
    [
        "examples/audit-during-deploy/Pulumi.dev.yaml",
        "examples/quickstart/Pulumi.dev.yaml",
        "Pulumi.dev.yaml",
        ".pulumi-state/stacks/dev.json",
    ],
)
def test_stack_files_of_examples_are_ignored(path: str) -> None:
    """The stack settings and state a run leaves behind are ignored by git."""
    assert _check_ignore(path) == 0, f"{path} is not ignored"


def test_project_files_of_examples_are_not_ignored() -> None:
    """The examples' Pulumi.yaml project files stay tracked."""
    assert _check_ignore("examples/quickstart/Pulumi.yaml") == 1


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    """pyproject lists every folder with an ``__init__.py`` of each package, so wheels hold it."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {
        ".".join((name, *init.parent.relative_to(ROOT / source).parts))
        for name, source in setuptools["package-dir"].items()
        for init in (ROOT / source).rglob("__init__.py")
    }
    assert "pulumi_hbr_clients.policy" in folders
    assert sorted(folders - set(setuptools["packages"])) == []


def test_build_system_requires_what_the_metadata_needs() -> None:
    """An SPDX ``license`` string needs setuptools 77 (PEP 639): build-system asks for it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(project["project"]["license"], str)
    (setuptools,) = [r for r in project["build-system"]["requires"] if r.startswith("setuptools")]
    assert setuptools == "setuptools>=77"
