"""The command line the engine starts: ``pulumi-language-nodejs [FLAGS] ENGINE_ADDRESS``.

The flags, the printed port and the shutdown are those of ``language_host.cli.serve``; this
module only builds the Node.js host for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from language_host.cli import Arguments, serve
from language_host_nodejs.server import NodeLanguageHost

NAME = "pulumi-language-nodejs"


def main(argv: Sequence[str], *, parent: int | None = None) -> int:
    """Serve the Node.js language host until told to stop (or ``parent`` exits); the exit status.

    Unlike the Python host it needs no file beside it: ``node`` and the program's
    ``@pulumi/pulumi`` are looked up when a program runs, as the official host does.
    """

    def node_host(arguments: Arguments) -> NodeLanguageHost:
        return NodeLanguageHost(
            engine_address=arguments.engine_address,
            tracing=arguments.tracing,
            verbose=arguments.verbose,
        )

    return serve(argv, name=NAME, make_host=node_host, parent=parent)
