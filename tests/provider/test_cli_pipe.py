"""`hbr-clients` writing into a pipe whose reader stops early (`hbr-clients list | head`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hbr_emulator import Emulator

from ._support import endpoint_env

COMMAND = str(Path(sys.executable).with_name("hbr-clients"))


def test_list_into_closed_pipe_ends_quietly(emulator: Emulator) -> None:
    """A reader that stops after one line gets no traceback; the command exits 141."""
    env = {
        "PATH": str(Path(sys.executable).parent),
        **endpoint_env(emulator.endpoint),
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
    }
    with subprocess.Popen(
        [COMMAND, "list", "--client-type", "ECS_CLIENT", "--format", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == b"[\n"
        process.stdout.close()  # the reader goes away, as `head -1` does
        stderr = process.stderr.read() if process.stderr else b""
        returncode = process.wait(timeout=30)
    assert stderr == b""
    assert returncode == 141
