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
    """Nothing listening fails the preview, named, well inside the 15 s that eight attempts with
    backoff took: the retry itself is bounded to about a second by the CLI's test."""
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
    # A failed preview's shutdown (the engine stopping the program and the provider) adds a few
    # seconds in a busy parallel run that a successful one does not; eight attempts added 15.
    assert elapsed < baseline + 6.0
