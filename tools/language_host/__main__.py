"""Run the host: ``python -I tools/language_host ENGINE_ADDRESS``, as the installed wrapper does."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def run(argv: Sequence[str], *, executable: str) -> int:
    """Serve (see ``cli.main``) and exit the process with the server's status (``entry``)."""
    from language_host.entry import run_host  # noqa: PLC0415 - keeps this module's imports light

    run_host("language_host.cli", argv, executable=Path(executable))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(run(sys.argv[1:], executable=sys.argv[0]))
