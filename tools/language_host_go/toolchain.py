"""Finding ``go`` and running its queries (``go list``, ``go mod``) for the host.

A query's failure is a :class:`~language_host.options.HostError` whose message names the
command, its directory and what ``go`` printed, so the engine shows the user the cause.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from language_host.options import HostError
from language_host.processes import output_of

#: How long one ``go`` query may take: a cold ``go mod download`` fetches modules.
QUERY_TIMEOUT_S = 300.0
_GO_HINT = "install Go 1.21 or newer (https://go.dev/dl/) and put `go` on PATH"


class GoNotFoundError(HostError):
    """``go`` is not on ``PATH``."""

    def __init__(self) -> None:
        super().__init__(f"unable to find 'go' executable on PATH: {_GO_HINT}")


def find_go(environ: Mapping[str, str]) -> str:
    """The ``go`` on the host's ``PATH``."""
    found = shutil.which("go", path=environ.get("PATH", os.defpath))
    if found is None:
        raise GoNotFoundError
    return found


def find_executable(name: str, *, cwd: Path, environ: Mapping[str, str]) -> str | None:
    """``name`` in ``cwd``, else on ``PATH`` (the official ``executable.FindExecutable`` order)."""
    candidate = cwd / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name, path=environ.get("PATH", os.defpath))


def go_output(
    go: str, args: Sequence[str], *, cwd: Path, environ: Mapping[str, str], **env: str
) -> str:
    """The stdout of ``go ARGS`` run in ``cwd`` (``env`` added to the environment)."""
    return output_of(
        [go, *args],
        env={**environ, **env},
        cwd=cwd,
        timeout_s=QUERY_TIMEOUT_S,
        what=f"`go {' '.join(args)}` in {cwd}",
    )


def json_stream(text: str) -> Iterator[Any]:
    """The JSON values of ``go ... -json`` output, which prints one object after another."""
    decoder = json.JSONDecoder()
    index = 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return
        value, index = decoder.raw_decode(text, index)
        yield value
