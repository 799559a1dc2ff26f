"""Child processes whose stdout and stderr are relayed, chunk by chunk, as they are written."""

from __future__ import annotations

import queue
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Literal

import attrs

from language_host.options import HostError

Stream = Literal["stdout", "stderr"]
_CHUNK = 64 * 1024
_REAP_TIMEOUT_S = 10.0


@attrs.frozen
class Chunk:
    """Bytes one stream of the child wrote."""

    stream: Stream
    data: bytes


def _pump(name: Stream, pipe: IO[bytes], sink: queue.SimpleQueue[Chunk | Stream]) -> None:
    with pipe:
        while data := pipe.read1(_CHUNK):  # type: ignore[attr-defined]
            sink.put(Chunk(name, data))
    sink.put(name)  # this stream is closed


class StreamedProcess:
    """A started child process; iterate :meth:`chunks`, then read :attr:`returncode`."""

    def __init__(
        self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path | str | None = None
    ) -> None:
        """Start ``argv`` with its stdout and stderr piped (``OSError`` if it cannot start)."""
        self.argv = tuple(argv)
        self._proc = subprocess.Popen(
            self.argv,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._sink: queue.SimpleQueue[Chunk | Stream] = queue.SimpleQueue()
        assert self._proc.stdout is not None
        assert self._proc.stderr is not None
        for name, pipe in (("stdout", self._proc.stdout), ("stderr", self._proc.stderr)):
            threading.Thread(
                target=_pump, args=(name, pipe, self._sink), daemon=True, name=f"pump-{name}"
            ).start()

    def chunks(self) -> Iterator[Chunk]:
        """Yield output as it arrives until both streams close, then wait for the exit."""
        open_streams = 2
        while open_streams:
            item = self._sink.get()
            if isinstance(item, Chunk):
                yield item
            else:
                open_streams -= 1
        self._proc.wait()

    @property
    def returncode(self) -> int | None:
        """The exit status once the child has exited (negative: killed by that signal)."""
        return self._proc.poll()

    def kill(self) -> None:
        """Kill the child if it still runs (the engine cancelled the call), and reap it."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=_REAP_TIMEOUT_S)


def output_of(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None,
    timeout_s: float,
    what: str,
    error: type[HostError] = HostError,
) -> str:
    """Run ``argv`` to its end and return its stdout (text).

    ``error`` (a :class:`HostError`) is raised, its message starting ``{what} failed``, when
    the child cannot start, runs past ``timeout_s`` or exits non-zero (with its stderr).
    """
    try:
        proc = subprocess.run(
            argv,
            env=dict(env),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise error(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        msg = f"{what} failed (exit code {proc.returncode}): {proc.stderr.strip()}"
        raise error(msg)
    return proc.stdout
