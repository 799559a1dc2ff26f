"""The committed TypeScript and Go SDKs are what the schema generates today."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    # The code generators are Go; a machine set up with an installed Pulumi CLI may lack Go.
    pytest.mark.skipif(shutil.which("go") is None, reason="building sdk-gen needs Go"),
]

ROOT = Path(__file__).resolve().parents[2]
GENERATE = ROOT / "tools" / "pulumi-codegen" / "gen-sdks.sh"


def _tree(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _committed(directory: Path) -> dict[str, bytes]:
    """The SDK's files in the checkout, without those git ignores (what npm and tsc write)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "."],
        cwd=directory,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        name: (directory / name).read_bytes() for name in sorted(filter(None, listed.split("\0")))
    }


@pytest.mark.parametrize("language", ["nodejs", "go"])
def test_committed_sdk_is_up_to_date(tmp_path: Path, language: str) -> None:
    """Regenerating from `pulumi package get-schema` reproduces sdk/<language> exactly."""
    subprocess.run(
        [str(GENERATE), str(tmp_path)],
        env={**os.environ, "BIN_DIR": str(Path(sys.executable).parent)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    generated, committed = _tree(tmp_path / language), _committed(ROOT / "sdk" / language)
    assert set(generated) == set(committed), "run tools/pulumi-codegen/gen-sdks.sh"
    stale = [name for name in generated if generated[name] != committed[name]]
    assert stale == [], "run tools/pulumi-codegen/gen-sdks.sh"
