"""``hbr-emulator serve`` in its own process, for the benchmarks (so it has its own GIL).

Only the standard library is imported here: ``cli_memory.py`` must stay small itself, because
a child's peak memory starts from its parent's.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def serve_emulator(
    *, fleet: int | None, seed: int, extra: tuple[str, ...] = (), quiet: bool = True
) -> Iterator[str]:
    """Serve ``fleet`` clients (with ``extra`` serve flags); yield its ``host:port``.

    ``fleet=None`` sends no ``--fleet`` (an estate, ``--regions`` in ``extra``, makes its own).
    ``quiet`` drops the emulator's log lines (stderr); otherwise they reach this terminal.
    """
    command = [sys.executable, "-m", "hbr_emulator", "serve", "--seed", str(seed)]
    if fleet is not None:
        command += ["--fleet", str(fleet)]
    command += extra
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        if not line.startswith("HBR_ENDPOINT="):
            msg = f"hbr-emulator printed {line!r}, not HBR_ENDPOINT=host:port"
            raise RuntimeError(msg)
        yield line.removeprefix("HBR_ENDPOINT=")
    finally:
        server.terminate()
        server.wait(timeout=30)
