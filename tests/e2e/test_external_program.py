"""A program written by someone else, against `hbr-emulator serve`, configured by env only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_hbr20170908 import models as hbr_models
from alibabacloud_hbr20170908.client import Client as HbrClient
from alibabacloud_tea_openapi import models as open_api_models

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from tests.e2e.pulumi_cli import PulumiProject

pytestmark = pytest.mark.e2e

PROGRAM = Path(__file__).parent / "programs" / "external"


@pytest.fixture
def served_endpoint() -> Iterator[str]:
    """`hbr-emulator serve` as its own process; yields its endpoint."""
    command = Path(sys.executable).parent / "hbr-emulator"
    process = subprocess.Popen(
        [str(command), "serve", "--port", "0", "--fleet", "230", "--seed", "9"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("HBR_ENDPOINT=")
    yield line.removeprefix("HBR_ENDPOINT=")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def _official_listing(endpoint: str) -> list[Any]:
    """Every ECS client, page by page, through the official SDK."""
    client = HbrClient(
        open_api_models.Config(
            access_key_id=DEFAULT_ACCESS_KEY_ID,
            access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
            endpoint=endpoint,
            protocol="HTTP",
            region_id="cn-hangzhou",
        )
    )
    clients: list[Any] = []
    page = 1
    while True:
        body = client.describe_backup_clients(
            hbr_models.DescribeBackupClientsRequest(
                client_type="ECS_CLIENT", page_number=page, page_size=99
            )
        ).body
        clients.extend(body.clients)
        if len(clients) >= body.total_count:
            return clients
        page += 1


class TestExternalProgram:
    """Only the README's setup and the standard environment variables are needed."""

    def test_up_outputs_match_the_api(self, tmp_path: Path, served_endpoint: str) -> None:
        """Outputs equal what the official SDK lists, and an output drives a second lookup."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
        env.update(
            HBR_ENDPOINT=served_endpoint,
            HBR_PROTOCOL="http",
            ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET,
        )
        project = PulumiProject.create(PROGRAM, tmp_path, env=env)
        project.run("up", "--yes", "--skip-preview", check=True)
        outputs = project.outputs()

        expected = _official_listing(served_endpoint)
        assert outputs["client_ids"] == [c.client_id for c in expected]
        assert outputs["instance_ids"] == [c.instance_id for c in expected]
        assert outputs["total_count"] == len(expected)
        for mine, theirs in zip(outputs["clients"], expected, strict=True):
            assert mine["client_id"] == theirs.client_id
            assert mine["status"] == theirs.status
            assert mine["client_version"] == theirs.client_version
            assert mine["last_heartbeat_time"] == theirs.last_heart_beat_time
            assert mine["settings"]["max_worker"] == int(theirs.settings.max_worker)
        assert outputs["first_five_client_ids"] == outputs["client_ids"][:5]
