"""Bounds and out-of-range inputs through the real Pulumi CLI: readable, nothing sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import Emulator
from tests.e2e.pulumi_cli import lookup_project

pytestmark = pytest.mark.e2e


def test_preview_out_of_range_inputs_named_with_values(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """A 100000000w duration, an infinite deadline and max_clients 0 fail preview readably."""
    emu = emulator_factory(fleet=10, seed=1)
    project = lookup_project(
        tmp_path,
        emu,
        {
            "client_type": "ECS_CLIENT",
            "heartbeat_older_than": "100000000w",
            "deadline": "inf",
            "max_clients": 0,
        },
    )
    preview = project.run("preview")
    assert preview.returncode != 0
    assert "must be at most 3650d (got '100000000w'); did you mean 3650d?" in preview.output
    assert "(got 'inf')" in preview.output
    assert "must be between 1 and 2147483647 (got 0); did you mean 1?" in preview.output
    assert "Traceback" not in preview.output
    assert "OverflowError" not in preview.output
    assert emu.backend.api_call_count() == 0


def test_preview_max_clients_refused_after_one_request(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """max_clients below the fleet fails preview naming the count and the bound, one request."""
    emu = emulator_factory(fleet=40, seed=1)
    project = lookup_project(tmp_path, emu, {"client_type": "ECS_CLIENT", "max_clients": 5})
    preview = project.run("preview")
    assert preview.returncode != 0
    assert "more than max_clients 5" in preview.output
    assert "Traceback" not in preview.output
    assert emu.backend.api_call_count() == 1
