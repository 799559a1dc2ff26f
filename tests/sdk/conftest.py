"""Fixtures of the SDK tests."""

from __future__ import annotations

import pytest

from hbr_emulator import Emulator
from tests.provider._support import point_env_at


@pytest.fixture
def emulator_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The environment a program would have against the emulator."""
    point_env_at(monkeypatch, emulator.endpoint)
    return emulator
