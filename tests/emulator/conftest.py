"""Fixtures of the emulator tests."""

from __future__ import annotations

import pytest
from alibabacloud_hbr20170908.client import Client

from hbr_emulator import Emulator

from .helpers import sdk_client


@pytest.fixture
def sdk(emulator: Emulator) -> Client:
    """The official SDK client for the ``emulator`` fixture."""
    return sdk_client(emulator.endpoint)
