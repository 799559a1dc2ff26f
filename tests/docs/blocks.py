"""The shell blocks of Markdown documents, how each is marked, and how its output is compared.

A shell block is a fenced block whose info string is ``bash``, ``sh``, ``shell`` or
``console``. The HTML comment on the line before it says what the docs test does with it:

``<!-- docs-test: run -->``
    run it, in order with the document's other runnable blocks, in one ``bash -euo pipefail``
    session (so ``export`` and ``cd`` carry over, as when a user types them in one terminal).
``<!-- docs-test: real-cloud -->``
    it needs an Alibaba Cloud account; the document says so in its text.
``<!-- docs-test: covered-by PATH... -->``
    another test or script runs exactly these commands; each PATH must exist.
``<!-- docs-test: manual REASON -->``
    run by hand only, for the reason given (benchmarks that take minutes).

A block without a marker fails the docs test.

Quoted output is compared with what the run printed (stdout and stderr together). In a
``console`` block, a line starting with ``$ `` is a command (a line ending in ``\\``
continues it) and the lines up to the next command are its output. A ``bash`` block's output
is a fenced ``output`` block right after it. Volatile parts are normalised on both sides
before comparing (see :func:`normalise`): ``127.0.0.1:<port>`` becomes ``127.0.0.1:PORT``,
timestamps become ``TIME``, durations such as ``2s`` or ``1.25s`` become ``Ns``, trailing
spaces and blank lines are dropped. In quoted output, a line ``...`` stands for any number
of lines, and ``...`` inside a line for any text. A command with no quoted output is run but
its output is not compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

__all__ = [
    "SHELL_LANGUAGES",
    "Block",
    "Command",
    "matches",
    "normalise",
    "parse_blocks",
]

SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "console"})
"""Info strings of the fenced blocks the docs test accounts for."""

MARKER = re.compile(r"^<!--\s*docs-test:\s*(?P<kind>[a-z-]+)(?P<arg>[^>]*?)\s*-->$")
FENCE = re.compile(r"^(?P<fence>```+)\s*(?P<info>[\w-]*)")


@attrs.frozen(kw_only=True)
class Command:
    """One command of a block and the output the document quotes for it (``None``: none)."""

    text: str
    expected: str | None


@attrs.frozen(kw_only=True)
class Block:
    """A fenced shell block: where it is, its marker and its commands."""

    path: Path
    line: int
    language: str
    marker: str | None
    marker_arg: str
    commands: tuple[Command, ...]

    @property
    def where(self) -> str:
        """``path:line`` of the opening fence."""
        return f"{self.path}:{self.line}"


def _console_commands(lines: list[str]) -> tuple[Command, ...]:
    commands: list[Command] = []
    text: list[str] = []
    output: list[str] = []
    continued = False

    def flush() -> None:
        if text:
            quoted = "\n".join(output).strip("\n")
            commands.append(Command(text="\n".join(text), expected=quoted or None))

    for line in lines:
        if continued:
            text.append(line)
            continued = line.endswith("\\")
        elif line.startswith("$ "):
            flush()
            text, output = [line[2:]], []
            continued = line.endswith("\\")
        elif text:
            output.append(line)
    flush()
    return tuple(commands)


def parse_blocks(path: Path) -> list[Block]:
    """Return the shell blocks of the Markdown document at ``path``."""
    lines = path.read_text().splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        end = next(
            (i for i in range(index + 1, len(lines)) if lines[i].startswith(fence["fence"])),
            len(lines),
        )
        body = lines[index + 1 : end]
        language = fence["info"]
        if language in SHELL_LANGUAGES:
            previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
            marker = MARKER.match(previous.strip())
            if language == "console":
                commands = _console_commands(body)
            else:
                commands = (Command(text="\n".join(body), expected=_output_after(lines, end)),)
            blocks.append(
                Block(
                    path=path,
                    line=index + 1,
                    language=language,
                    marker=marker["kind"] if marker else None,
                    marker_arg=marker["arg"].strip() if marker else "",
                    commands=commands,
                )
            )
        index = end + 1
    return blocks


def _output_after(lines: list[str], end: int) -> str | None:
    """The body of an ``output`` block that follows the block closing at ``end``, if any."""
    after = end + 1
    while after < len(lines) and not lines[after].strip():
        after += 1
    if after >= len(lines) or not re.match(r"^```+\s*output\s*$", lines[after]):
        return None
    close = next(
        (i for i in range(after + 1, len(lines)) if lines[i].startswith("```")), len(lines)
    )
    return "\n".join(lines[after + 1 : close]).strip("\n") or None


_VOLATILE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\x1b\[[0-9;]*m"), ""),
    (re.compile(r"\b(127\.0\.0\.1|localhost):\d+"), r"\1:PORT"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?"), "TIME"),
    (re.compile(r"\b\d+(?:\.\d+)?(?:ms|s)\b"), "Ns"),
)


def normalise(text: str) -> list[str]:
    """Return ``text``'s lines with the volatile parts replaced and blank lines dropped."""
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _line_pattern(line: str) -> str:
    return ".*?".join(re.escape(part) for part in line.split("..."))


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` output is what the document quotes as ``expected``."""
    parts = [
        r"(?:[^\n]*\n)*?" if line.strip() == "..." else _line_pattern(line) + r"\n"
        for line in normalise(expected)
    ]
    text = "".join(f"{line}\n" for line in normalise(actual))
    return re.fullmatch("".join(parts), text) is not None
