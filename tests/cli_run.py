"""``hbr-clients`` run for a test: as a process of its own, or as that process would run it here.

Starting the console script costs about 0.6 s of CPU, most of it importing the network stack,
and the suite ran it some 150 times. :func:`run_in_process` calls the same entry point
(:func:`hbr_clients_provider.cli.main`) in the test's process, with what a fresh process would
have: only the given environment, stdout and stderr that are UTF-8 pipes rather than terminals
(read back as ``subprocess.run(text=True)`` reads them), and none of the state a process keeps
between calls (``DescribeRegions`` answers, ``darabonba``'s pooled connections). An exception
that escapes ``main`` fails the test as the traceback it would have printed.

:func:`run_process` starts the console script. Tests keep it where the process is the point:
the entry point itself, signals and pipes, a terminal, peak memory, ``DEBUG=sdk`` logs (which
``darabonba`` writes to the stderr it found at import), and timings whose slack is measured in
process start-ups.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

#: The ``hbr-clients`` console script of this interpreter's environment.
HBR_CLIENTS = Path(sys.executable).parent / "hbr-clients"


@attrs.frozen
class Run:
    """One finished ``hbr-clients`` run: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_process(args: Sequence[str], *, env: Mapping[str, str], timeout: float = 120) -> Run:
    """Run ``hbr-clients ARGS`` as a process with exactly ``env``; wait at most ``timeout`` s."""
    done = subprocess.run(
        [str(HBR_CLIENTS), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def run_in_process(args: Sequence[str], *, env: Mapping[str, str], timeout: float = 120) -> Run:
    """Run ``hbr-clients ARGS`` here, as :func:`run_process` would; at most ``timeout`` s.

    :raises AssertionError: the run did not end within ``timeout`` (it is left running, as
        ``subprocess.run`` would have killed it, and the test fails).
    """
    from hbr_clients_provider.cli import main  # noqa: PLC0415

    stdout, stderr = _pipe(), _pipe()
    outcome: list[int | BaseException] = []

    def run() -> None:
        try:
            outcome.append(main(list(args)))
        except BaseException as exc:  # re-raised in the test's thread
            outcome.append(exc)

    redirected = contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr)
    with _process_state(env), redirected[0], redirected[1]:
        # A thread of its own, so that a run that hangs fails the test instead.
        worker = threading.Thread(target=run, name="hbr-clients", daemon=True)
        worker.start()
        worker.join(timeout)
    if not outcome:
        msg = f"hbr-clients {' '.join(args)} did not end within {timeout} s"
        raise AssertionError(msg)
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return Run(outcome[0], _read(stdout), _read(stderr))


def _pipe() -> io.TextIOWrapper:
    """A text stream like a process's stdout on a pipe: UTF-8, strict, not a terminal."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _read(stream: io.TextIOWrapper) -> str:
    """What was written, decoded with universal newlines as ``subprocess`` text mode does."""
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    text = buffer.getvalue().decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _process_state(env: Mapping[str, str]) -> Iterator[None]:
    """Exactly ``env`` as the environment, and no state from earlier runs."""
    from darabonba.core import DaraCore  # noqa: PLC0415

    from hbr_clients_provider.api import regions  # noqa: PLC0415

    saved_env = dict(os.environ)
    sessions = dict(DaraCore._sessions)
    regions._ASKED.clear()
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        for key, session in list(DaraCore._sessions.items()):
            if sessions.get(key) is not session:
                session.close()
        DaraCore._sessions.clear()
        DaraCore._sessions.update(sessions)
        regions._ASKED.clear()
