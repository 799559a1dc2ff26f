"""The network edges through ``BackupClients`` in the real engine: a refused endpoint is quick."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.servers import FakeHbr
from tests.hostile.test_pulumi_hostile import ECS, project

pytestmark = pytest.mark.e2e


def test_resource_refused_connection_fails_preview_quickly(
    tmp_path: Path, fake_hbr: Callable[..., FakeHbr]
) -> None:
    """Nothing listening fails the preview, named, within a second of a preview that succeeds."""
    server = fake_hbr()
    started = time.monotonic()
    ok = project(tmp_path / "ok", server.endpoint, ECS).run("preview")
    baseline = time.monotonic() - started
    assert ok.returncode == 0, ok.output
    started = time.monotonic()
    refused = project(tmp_path / "refused", "127.0.0.1:1", ECS).run("preview")
    elapsed = time.monotonic() - started
    # A parallel run on two cores slows previews unevenly: the slower of two baselines counts.
    started = time.monotonic()
    project(tmp_path / "ok-again", server.endpoint, ECS).run("preview")
    baseline = max(baseline, time.monotonic() - started)
    assert refused.returncode != 0
    assert "(127.0.0.1:1): the connection was refused: nothing listens there" in refused.output
    assert "Traceback" not in refused.output
    assert elapsed < baseline + 1.0  # eight attempts with backoff took 15 s
