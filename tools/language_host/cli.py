"""The command line the engine starts: ``pulumi-language-python [FLAGS] ENGINE_ADDRESS``.

Flags are parsed as Go's ``flag`` package does (``-name``, ``--name``, ``-name=value``,
``-name value``): ``--tracing``, ``--use-executor``, the logging flags the engine passes
(``--logtostderr``, ``-v=N``) and the official host's obsolete ``-virtualenv``, ``-root``,
``-typechecker`` and ``-toolchain``. The host serves on ``127.0.0.1`` at a free port, prints
the port and a newline, and exits on SIGINT or SIGTERM, when its parent process goes away, or
when the engine stops answering (the official host's health check).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent import futures
from pathlib import Path
from types import FrameType

import attrs
import grpc
from pulumi.runtime.proto import language_pb2_grpc

from language_host.server import LanguageHost

EXECUTOR = "pulumi-language-python-exec"
_STRING_FLAGS = frozenset(
    {
        "tracing",
        "use-executor",
        "virtualenv",
        "root",
        "typechecker",
        "toolchain",
        "log_dir",
        "vmodule",
        "stderrthreshold",
        "log_backtrace_at",
    }
)
_BOOL_FLAGS = frozenset({"logtostderr", "alsologtostderr", "logflow", "h", "help"})
_INT_FLAGS = frozenset({"v"})
_PARENT_POLL_SECONDS = 1.0
#: How long the main thread sleeps between looks at ``stop``. A signal can land on any thread
#: (gRPC's own threads do not block them), and Python runs its handler only when the main
#: thread next runs bytecode: an untimed wait there would never see SIGTERM.
_SIGNAL_POLL_SECONDS = 0.2
_ENGINE_CHECK_SECONDS = 60.0
_MAX_MESSAGE_BYTES = 400 * 1024 * 1024  # the engine's own limit for plugin messages


class UsageError(Exception):
    """The command line is not one the host understands."""


@attrs.frozen(kw_only=True)
class Arguments:
    """The parsed command line."""

    engine_address: str = ""
    tracing: str = ""
    use_executor: str = ""
    verbose: int = 0


def parse_arguments(argv: Sequence[str]) -> Arguments:
    """Parse ``argv`` (without the program name) the way Go's ``flag`` package would."""
    values: dict[str, str] = {}
    args = list(argv)
    while args and args[0].startswith("-") and args[0] not in {"-", "--"}:
        name, has_value, value = args.pop(0).lstrip("-").partition("=")
        if name in _BOOL_FLAGS:
            values[name] = value if has_value else "true"
        elif name in _STRING_FLAGS | _INT_FLAGS:
            if not has_value:
                if not args:
                    msg = f"flag needs an argument: -{name}"
                    raise UsageError(msg)
                value = args.pop(0)
            values[name] = value
        else:
            msg = f"flag provided but not defined: -{name}"
            raise UsageError(msg)
    if args and args[0] == "--":
        args.pop(0)
    if "h" in values or "help" in values:
        raise UsageError(__doc__.strip().splitlines()[0] if __doc__ else "usage")
    try:
        verbose = int(values.get("v", "0"))
    except ValueError:
        msg = f"invalid value {values['v']!r} for flag -v: it must be an integer"
        raise UsageError(msg) from None
    return Arguments(
        engine_address=args[0] if args else "",
        tracing=values.get("tracing", ""),
        use_executor=values.get("use-executor", ""),
        verbose=verbose,
    )


def find_executor(executable: Path, given: str = "") -> Path | None:
    """The exec script: ``given``, else beside the host as invoked or as resolved, else on PATH."""
    if given:
        return Path(given)
    for directory in (executable.absolute().parent, executable.resolve().parent):
        candidate = directory / EXECUTOR
        if candidate.is_file():
            return candidate
    found = shutil.which(EXECUTOR)
    return Path(found) if found else None


def _engine_alive(channel: grpc.Channel) -> bool:
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    try:
        check(b"", timeout=10)
    except grpc.RpcError as exc:
        return bool(exc.code() == grpc.StatusCode.UNIMPLEMENTED)
    return True


def _watch(stop: threading.Event, engine_address: str, parent: int) -> None:
    """Set ``stop`` when the parent process exits or the engine stops answering."""
    channel = grpc.insecure_channel(engine_address) if engine_address else None
    waited = 0.0
    while not stop.wait(_PARENT_POLL_SECONDS):
        if os.getppid() != parent:
            break
        waited += _PARENT_POLL_SECONDS
        if channel is not None and waited >= _ENGINE_CHECK_SECONDS:
            waited = 0.0
            if not _engine_alive(channel):
                break
    stop.set()


def main(argv: Sequence[str], *, executable: Path, parent: int | None = None) -> int:
    """Serve the Python language host until told to stop (or ``parent`` exits); the exit status."""

    def python_host(arguments: Arguments) -> LanguageHost | str:
        executor = find_executor(executable, arguments.use_executor)
        if executor is None:
            return (
                f"missing executor {executable.parent / EXECUTOR}; "
                "run `make setup` in the pulumi-hbr-clients checkout"
            )
        return LanguageHost(
            executor=executor,
            engine_address=arguments.engine_address,
            tracing=arguments.tracing,
            verbose=arguments.verbose,
        )

    return serve(argv, name="pulumi-language-python", make_host=python_host, parent=parent)


def serve(
    argv: Sequence[str],
    *,
    name: str,
    make_host: Callable[[Arguments], language_pb2_grpc.LanguageRuntimeServicer | str],
    parent: int | None = None,
) -> int:
    """Serve the host ``make_host`` builds (or print the reason it gives) until told to stop.

    Shared by every runtime's host: the command line, the printed port, the signals and the
    watch on the parent process and the engine. ``name`` prefixes the messages.
    """
    parent = os.getppid() if parent is None else parent
    try:
        arguments = parse_arguments(argv)
    except UsageError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    host = make_host(arguments)
    if isinstance(host, str):
        print(f"{name}: {host}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="rpc"),
        options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
        ],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    threading.Thread(
        target=_watch, args=(stop, arguments.engine_address, parent), daemon=True, name="watch"
    ).start()
    while not stop.wait(_SIGNAL_POLL_SECONDS):
        pass
    server.stop(grace=None)
    return 0
