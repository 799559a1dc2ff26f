"""Starting a host process: the gRPC stubs first, then serve, then exit at once.

Shared by the ``__main__`` of every host of this build (Python, Node.js, Go).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

__all__ = ["run_host"]


def run_host(cli_module: str, argv: Sequence[str], **options: Any) -> NoReturn:
    """Serve with ``cli_module``'s ``main(argv, parent=..., **options)``; exit with its status.

    The generated gRPC stubs are loaded without the Pulumi SDK's package roots before
    ``cli_module`` is imported. The process exits as soon as the server stops, as the
    official hosts do: the interpreter's own shutdown would join the RPC worker threads (one
    may still wait on a program the engine is stopping) and gRPC's threads, and under load
    that outlived the engine's patience.
    """
    parent = os.getppid()  # before the imports: the parent may exit while they run
    from language_host import protocol  # noqa: PLC0415 - before anything imports the stubs

    protocol.load_stubs_only()
    main = importlib.import_module(cli_module).main
    status = main(argv, parent=parent, **options)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
