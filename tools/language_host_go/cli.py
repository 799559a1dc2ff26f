"""The command line the engine starts: ``pulumi-language-go [FLAGS] ENGINE_ADDRESS``.

The flags, the printed port and the shutdown are those of ``language_host.cli.serve``; this
module only builds the Go host for them. (The official host's obsolete ``-binary``,
``-buildTarget`` and ``-root`` flags are runtime options in ``Pulumi.yaml`` now.)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from language_host.cli import Arguments, serve
from language_host_go.server import GoLanguageHost

NAME = "pulumi-language-go"


def main(argv: Sequence[str], *, parent: int | None = None) -> int:
    """Serve the Go language host until told to stop (or ``parent`` exits); the exit status.

    ``go`` is looked up on ``PATH`` when an RPC needs it, as the official host does.
    """

    def go_host(arguments: Arguments) -> GoLanguageHost:
        return GoLanguageHost(
            engine_address=arguments.engine_address,
            cwd=Path.cwd(),
            verbose=arguments.verbose,
        )

    return serve(argv, name=NAME, make_host=go_host, parent=parent)
