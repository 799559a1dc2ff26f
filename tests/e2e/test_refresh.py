"""`pulumi refresh` through the real CLI: a changed fleet shows as updated, with its outputs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import Emulator
from tests.e2e.pulumi_cli import lookup_project

pytestmark = pytest.mark.e2e


def _summary(output: str) -> dict[str, int]:
    """The ``Resources:`` counts of a CLI run (``{"updated": 2, "unchanged": 1}``)."""
    tail = output.rsplit("Resources:", 1)[-1]
    counts = re.findall(r"^\s+(?:[~+-] )?(\d+) (updated|unchanged|created|deleted)", tail, re.M)
    return {name: int(number) for number, name in counts}


class TestRefresh:
    """What `pulumi refresh` shows after the fleet changed, and after it did not."""

    def test_refresh_shows_changed_fleet_as_updated_with_the_changed_outputs(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """A removed client makes refresh report the lookups updated and print what changed."""
        emu = emulator_factory(fleet=60, seed=5)
        project = lookup_project(tmp_path, emu, {"client_type": "ECS_CLIENT"})
        project.run("up", "--yes", "--skip-preview", check=True)
        before = project.outputs()["total_count"]

        unchanged = project.run("refresh", "--yes", check=True)
        assert _summary(unchanged.stdout) == {"unchanged": 3}

        removed = project.outputs()["client_ids"][0]
        emu.backend.remove_client(removed)
        refreshed = project.run("refresh", "--yes", "--diff", check=True)
        assert _summary(refreshed.stdout) == {"updated": 2, "unchanged": 1}
        # A person reads the change in a few lines: what moved, not the fleet restated. (The
        # program's own stack outputs, printed after the diff, are its author's choice.)
        diff = refreshed.stdout.split("Resources:", 1)[0]
        assert len(diff.splitlines()) < 60, diff
        assert "clients_json (hidden)" in diff
        assert "hostname" not in diff
        assert re.search(rf'~ removed\s*: \[\s*\+\s*\[0\]: "{removed}"', diff), diff
        assert re.search(rf"~ total_count\s*: {before} => {before - 1}$", refreshed.stdout, re.M), (
            refreshed.stdout
        )
        assert "~ fingerprint" in refreshed.stdout

        # The state took the new fleet: the next refresh finds nothing new.
        again = project.run("refresh", "--yes", check=True)
        assert _summary(again.stdout) == {"unchanged": 3}
