"""Run the host: ``python -I tools/language_host_go ENGINE_ADDRESS``, as its wrapper does."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path


def run(argv: Sequence[str]) -> int:
    """Load the gRPC stubs without the SDK's package roots, serve, and exit with its status."""
    parent = os.getppid()  # before the imports: the parent may exit while they run
    from language_host import protocol  # noqa: PLC0415 - before anything imports the stubs

    protocol.load_stubs_only()
    from language_host_go.cli import main  # noqa: PLC0415 - needs the stubs loaded first

    status = main(argv, parent=parent)
    # As the Python host: exit now rather than join the RPC worker threads at shutdown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(run(sys.argv[1:]))
