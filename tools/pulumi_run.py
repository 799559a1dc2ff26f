"""Run a `pulumi` command on a Python project, with or without the Python language host.

``pulumi preview``, ``up``, ``refresh`` and ``destroy`` need a language runtime for the
program. An installed Pulumi CLI brings the ``pulumi-language-python`` host and this script
simply runs ``pulumi``. Where the CLI was built from its Go modules and the host could not
be built (see ``tools/pulumi-cli/README.md``), the program's language runtime is served from
this process by the Python SDK's own ``pulumi.automation`` language server, and ``pulumi`` is
pointed at it with ``--client`` — the mechanism Pulumi's Automation API uses for inline
programs. Every other command (``stack output``, ``stack export``, ``config`` ...) runs
``pulumi`` as is. Every command runs with ``PULUMI_SKIP_UPDATE_CHECK`` and
``PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION`` set to ``true`` unless the caller set them.

Usage: ``python tools/pulumi_run.py [-C DIR] COMMAND [ARGS...]``
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from pulumi.automation._server import LanguageServer
from pulumi.runtime.proto import language_pb2_grpc

PROGRAM_COMMANDS = frozenset({"preview", "up", "update", "refresh", "destroy"})


def _split_cwd(argv: Sequence[str]) -> tuple[Path, list[str]]:
    args = list(argv)
    cwd = Path.cwd()
    if len(args) >= 2 and args[0] in {"-C", "--cwd"}:
        cwd = Path(args[1]).resolve()
        args = args[2:]
    return cwd, args


def _program_main(project_dir: Path) -> Path:
    """Find the program's ``__main__.py`` from the ``main`` key of ``Pulumi.yaml``."""
    main = "."
    for line in (project_dir / "Pulumi.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("main:"):
            main = line.split(":", 1)[1].strip().strip("'\"")
    target = (project_dir / main).resolve()
    return target / "__main__.py" if target.is_dir() else target


def _program(main_file: Path) -> Callable[[], None]:
    def run() -> None:
        sys.path.insert(0, str(main_file.parent))
        try:
            runpy.run_path(str(main_file), run_name="__main__")
        finally:
            sys.path.remove(str(main_file.parent))

    return run


class _ProgramServer(LanguageServer):
    """The SDK's inline-program language server, reporting errors the way the host does.

    The server has already logged a program's error through the engine when it returns it;
    answering ``bail`` (as ``pulumi-language-python`` does) stops the engine from printing
    the same message again as "an unhandled error occurred".
    """

    def Run(self, request: Any, context: Any) -> Any:  # noqa: N802 - the gRPC method name
        """Run the program; turn a reported error into a bail."""
        response = super().Run(request, context)  # type: ignore[no-untyped-call]
        if response.error:
            response.bail = True
        return response


def _serve_language_runtime(main_file: Path) -> tuple[grpc.Server, int]:
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(
        _ProgramServer(_program(main_file)), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pulumi`` with ``argv``, hosting the program's runtime when no host is installed."""
    project_dir, args = _split_cwd(sys.argv[1:] if argv is None else argv)
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        print("pulumi_run: no `pulumi` on PATH; run `make setup` first", file=sys.stderr)
        return 127
    env = dict(os.environ)
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    env.setdefault("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
    needs_host = bool(args) and args[0] in PROGRAM_COMMANDS
    if not needs_host or shutil.which("pulumi-language-python"):
        return subprocess.call([pulumi, *args], cwd=project_dir, env=env)
    server, port = _serve_language_runtime(_program_main(project_dir))
    try:
        os.chdir(project_dir)
        return subprocess.call([pulumi, *args, f"--client=127.0.0.1:{port}"], env=env)
    finally:
        server.stop(grace=None)


if __name__ == "__main__":
    sys.exit(main())
