"""Run the host: ``python -I tools/language_host ENGINE_ADDRESS``, as the installed wrapper does."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path


def run(argv: Sequence[str], *, executable: str) -> int:
    """Load the gRPC stubs without the SDK's package roots, serve (see ``cli.main``), exit.

    The process exits with the server's status as soon as it stops (``os._exit``).
    """
    parent = os.getppid()  # before the imports: the parent may exit while they run
    from language_host import protocol  # noqa: PLC0415 - before anything imports the stubs

    protocol.load_stubs_only()
    from language_host.cli import main  # noqa: PLC0415 - needs the stubs loaded first

    status = main(argv, executable=Path(executable), parent=parent)
    # Exit now, as the official host does: the interpreter's own shutdown would join the RPC
    # worker threads (one may still wait on a program the engine is stopping) and gRPC's
    # threads, and under load that outlived the engine's patience.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(run(sys.argv[1:], executable=sys.argv[0]))
