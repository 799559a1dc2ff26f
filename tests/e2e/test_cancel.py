"""Cancelling ``pulumi up`` while a lookup is still retrying stops quietly.

Ctrl-C reaches the whole foreground process group (the CLI, the language host, the program
and the dynamic provider); a CI runner's cancel reaches the CLI alone, as SIGINT or SIGTERM.
Each way, the run ends with the engine's own messages and no Python traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import Emulator, Faults
from tests.e2e.pulumi_cli import lookup_project

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("group", "signum"),
    [(True, signal.SIGINT), (False, signal.SIGINT), (False, signal.SIGTERM)],
    ids=["ctrl-c", "cli-sigint", "cli-sigterm"],
)
def test_cancel_while_retrying_prints_no_traceback(
    tmp_path: Path, emulator_factory: Callable[..., Emulator], group: bool, signum: int
) -> None:
    """Every call answers 503, so the lookup is retrying when the signal arrives."""
    emu = emulator_factory(fleet=20, seed=1, faults=Faults(error_rate=1.0))
    project = lookup_project(tmp_path, emu, {"client_type": "ECS_CLIENT"})
    proc = subprocess.Popen(
        ["pulumi", "up", "--yes", "--non-interactive"],
        cwd=project.directory,
        env=project.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(emu.backend.request_log()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert emu.backend.request_log(), "the lookup never reached the emulator"
    if group:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    output, _ = proc.communicate(timeout=90)
    assert proc.returncode != 0
    assert "Traceback" not in output, output
    assert "KeyboardInterrupt" not in output, output
