"""`pulumi refresh` through the real CLI: a changed fleet shows as updated, with its outputs."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hbr_emulator import Emulator
from tests.e2e.pulumi_cli import lookup_project

pytestmark = pytest.mark.e2e


def _admin(emu: Emulator, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the emulator's control API (``/_emulator/PATH``) as an operator would."""
    request = urllib.request.Request(
        f"{emu.url}/_emulator/{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _summary(output: str) -> dict[str, int]:
    """The ``Resources:`` counts of a CLI run (``{"updated": 2, "unchanged": 1}``)."""
    tail = output.rsplit("Resources:", 1)[-1]
    counts = re.findall(r"^\s+(?:[~+-] )?(\d+) (updated|unchanged|created|deleted)", tail, re.M)
    return {name: int(number) for number, name in counts}


class TestRefresh:
    """What ``pulumi preview`` and ``pulumi refresh`` show after the fleet changed, or did not.

    One deployed stack goes through every step: each command leaves the state it asserts on.
    """

    def test_unchanged_then_changed_fleet_through_preview_refresh_and_destroy(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """An unchanged fleet previews and refreshes as no change; a changed one shows, in a
        few lines, and refresh takes it into the state; destroy sends no request."""
        emu = emulator_factory(fleet=60, seed=5)
        project = lookup_project(tmp_path, emu, {"client_type": "ECS_CLIENT"})
        project.run("up", "--yes", "--skip-preview", check=True)
        before = project.outputs()
        project.run("preview", "--expect-no-changes", check=True)
        unchanged = project.run("refresh", "--yes", "--skip-preview", check=True)
        assert _summary(unchanged.stdout) == {"unchanged": 3}

        stopped, removed = before["client_ids"][:2]
        _admin(emu, "PATCH", f"clients/{stopped}", {"Status": "STOPPED"})
        changed = project.run("preview", "--expect-no-changes")
        assert changed.returncode != 0
        assert "hbr:BackupClients clients update" in changed.stdout
        assert "~ 2 to update" in changed.stdout  # both lookups list the changed client

        emu.backend.remove_client(removed)
        refreshed = project.run("refresh", "--yes", "--diff", check=True)
        assert _summary(refreshed.stdout) == {"updated": 2, "unchanged": 1}
        # A person reads the change in a few lines: what moved, not the fleet restated. (The
        # program's own stack outputs, printed after the diff, are its author's choice.)
        diff = refreshed.stdout.split("Resources:", 1)[0]
        assert len(diff.splitlines()) < 70, diff
        assert "clients_json (hidden)" in diff
        assert "hostname" not in diff
        assert re.search(rf'~ removed\s*: \[\s*\+\s*\[0\]: "{removed}"', diff), diff
        total = before["total_count"]
        assert re.search(rf"~ total_count\s*: {total} => {total - 1}$", refreshed.stdout, re.M), (
            refreshed.stdout
        )
        assert "~ fingerprint" in refreshed.stdout
        state_clients = json.loads(project.resource_outputs("clients")["clients_json"])
        statuses = {c["client_id"]: c["status"] for c in state_clients}
        assert statuses[stopped] == "STOPPED"
        assert removed not in statuses

        # The state took the new fleet: the next refresh finds nothing new.
        again = project.run("refresh", "--yes", "--skip-preview", check=True)
        assert _summary(again.stdout) == {"unchanged": 3}

        calls = emu.backend.api_call_count()
        destroyed = project.run("destroy", "--yes", "--skip-preview", check=True)
        assert _summary(destroyed.stdout) == {"deleted": 3}
        assert emu.backend.api_call_count() == calls
        assert project.outputs() == {}
