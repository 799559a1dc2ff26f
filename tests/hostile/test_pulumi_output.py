"""Hostile server text through ``pulumi preview``: the engine prints it as text, never runs it.

The Pulumi CLI writes a provider's error message to the terminal as it gets it, so the
message must already be safe: :class:`~hbr_clients_provider.errors.HbrError` shows control
and bidi characters as escapes in its text, on every surface (resource and lookup here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.servers import Reply, ScriptedHbr
from tests.hostile.test_pulumi_hostile import ECS, project

pytestmark = pytest.mark.e2e

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"
SHOWN = r"\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"


def _unsafe(text: str) -> list[str]:
    """ESC, BEL, C1 and bidi override characters in ``text``."""
    return [
        hex(ord(c))
        for c in text
        if c in "\x1b\x07" or 0x80 <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E
    ]


@pytest.fixture
def hostile_error() -> Iterator[ScriptedHbr]:
    """An endpoint that answers Success:false with escapes in the code and message."""
    server = ScriptedHbr(
        script=lambda _n, _p: Reply.json(
            {
                "Success": False,
                "Code": "Denied" + ESCAPES,
                "Message": "boom" + ESCAPES,
                "RequestId": "REQ-ESC",
            }
        )
    ).start()
    yield server
    server.stop()


@pytest.mark.parametrize("kind", ["resource", "lookup"])
def test_preview_prints_api_error_escapes_as_text(
    tmp_path: Path, hostile_error: ScriptedHbr, kind: str
) -> None:
    """The preview fails with the code and message, escapes shown as \\x1b, none raw."""
    preview = project(tmp_path, hostile_error.endpoint, ECS, kind=kind).run("preview")
    assert preview.returncode != 0
    assert _unsafe(preview.output) == []
    assert f"DescribeBackupClients failed: Denied{SHOWN}" in preview.output
    assert f"boom{SHOWN}" in preview.output
    assert "Traceback" not in preview.output
