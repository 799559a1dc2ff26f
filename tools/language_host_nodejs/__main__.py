"""Run the host: ``python -I tools/language_host_nodejs ENGINE_ADDRESS``, as its wrapper does."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def run(argv: Sequence[str]) -> int:
    """Serve (see ``cli.main``) and exit the process with the server's status."""
    from language_host.entry import run_host  # noqa: PLC0415 - after sys.path names tools/

    run_host("language_host_nodejs.cli", argv)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(run(sys.argv[1:]))
