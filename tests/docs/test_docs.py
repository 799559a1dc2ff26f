"""The documents' shell blocks: every one is accounted for, and the runnable ones run as typed.

Each document's runnable blocks run in order in one ``bash -euo pipefail`` session, in a copy
of the working tree (with ``.venv`` linked in), with the user's PATH minus the project's
``.venv/bin`` (a document must ``source .venv/bin/activate`` itself), no Alibaba Cloud, HBR
or Pulumi variables, no ``PYTHONPATH``, and a fresh ``PULUMI_HOME``. The blocks start their
own emulator and set their own keys and backend, as a reader would. See
:mod:`tests.docs.blocks` for the markers and how quoted output is compared. Running a
document may leave files behind only where git ignores them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.docs.blocks import Block, Command, matches, normalise, parse_blocks

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = (ROOT / "README.md", *sorted(ROOT.glob("examples/*/README.md")))
KINDS = frozenset({"run", "real-cloud", "covered-by", "manual"})
DELIMITER = "@@docs-test-command-{}@@"
#: The bound on one document's session (a few pulumi commands take seconds each).
SESSION_TIMEOUT_S = 540
#: Not copied into the temp project: caches, state, and what the run must create itself.
_IGNORE_NAMES = shutil.ignore_patterns(
    ".git", ".venv-examples", ".pulumi-state", "__pycache__", "*.egg-info",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "Pulumi.*.yaml",
)  # fmt: skip
#: Not copied from the root either: the venv (linked in instead) and the build output
#: (``dist/`` holds the 25 MB plugin archive), which no document's session uses.
_IGNORE_AT_ROOT = frozenset({".venv", "dist", "build"})


def _ignore(directory: str, names: list[str]) -> set[str]:
    """What not to copy: caches and state, and at the root ``.venv`` (linked in) and build output.

    Links that ``make setup`` makes to it elsewhere (``examples/quickstart/.venv``) are
    copied as the links they are.
    """
    ignored = set(_IGNORE_NAMES(directory, names))
    if Path(directory) == ROOT:
        ignored.update(_IGNORE_AT_ROOT.intersection(names))
    return ignored


def _blocks() -> list[Block]:
    return [block for document in DOCUMENTS for block in parse_blocks(document)]


def _runnable(document: Path) -> list[Block]:
    return [b for b in parse_blocks(document) if b.marker == "run"]


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


class TestMarkers:
    """Every shell block says whether the suite runs it, and why not when it does not."""

    def test_every_shell_block_is_marked(self) -> None:
        """A shell block without a docs-test marker, or with an unknown one, fails."""
        unmarked = [
            f"{_relative(b.path)}:{b.line} ({b.language})"
            for b in _blocks()
            if b.marker not in KINDS
        ]
        assert unmarked == [], "mark each block with <!-- docs-test: run|real-cloud|... -->"

    def test_covered_by_names_existing_files(self) -> None:
        """A ``covered-by`` marker names files that exist."""
        for block in _blocks():
            if block.marker == "covered-by":
                paths = block.marker_arg.split()
                assert paths, f"{block.where}: covered-by names no file"
                missing = [p for p in paths if not (ROOT / p).exists()]
                assert missing == [], f"{block.where}: no such file {missing}"

    def test_manual_and_real_cloud_blocks_say_why(self) -> None:
        """A ``manual`` block gives its reason; a document with real-cloud blocks says so."""
        for block in _blocks():
            if block.marker == "manual":
                assert block.marker_arg, f"{block.where}: manual needs a reason"
            if block.marker == "real-cloud":
                assert "real" in block.path.read_text().lower()

    def test_every_document_has_a_runnable_block(self) -> None:
        """The README and each example's README run at least one block against the emulator."""
        without = [_relative(d) for d in DOCUMENTS if not _runnable(d)]
        assert without == ["examples/ecs-backup-plan/README.md"]  # it needs pulumi-alicloud


def _script(blocks: list[Block]) -> tuple[str, list[Command]]:
    """The bash script of the blocks' commands, each followed by a numbered delimiter."""
    commands = [command for block in blocks for command in block.commands]
    lines = ["trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT"]
    for number, command in enumerate(commands):
        lines.append(command.text)
        lines.append(f"printf '\\n%s\\n' {shlex.quote(DELIMITER.format(number))}")
    return "\n".join(lines) + "\n", commands


def _environment(home: Path) -> dict[str, str]:
    venv_bin = str(ROOT / ".venv" / "bin")
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALIBABA_CLOUD_", "HBR_", "PULUMI_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    return {
        **env,
        "PATH": path,
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "NO_COLOR": "1",
    }


def _files(root: Path) -> set[str]:
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != ".venv"
    }


def _tracked_leftovers(paths: set[str]) -> list[str]:
    """The ``paths`` (relative to the project) that git would not ignore, asked in one call."""
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", "--stdin", "-z"],
        input="\0".join(sorted(paths)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in {0, 1}, f"git check-ignore failed: {proc.stderr}"  # 1: none ignored
    return sorted(paths - set(proc.stdout.split("\0")))


def _run_session(script: Path, cwd: Path, home: Path) -> tuple[int, str]:
    """Run ``script`` in ``bash -euo pipefail``; on timeout, stop it and what it started."""
    with subprocess.Popen(
        ["bash", "-euo", "pipefail", str(script)],
        cwd=cwd,
        env=_environment(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so a timeout ends the emulator too
    ) as process:
        try:
            output, _ = process.communicate(timeout=SESSION_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            return -1, output + f"\n(timed out after {SESSION_TIMEOUT_S} s)"
    return process.returncode, output


def _split(output: str, count: int) -> tuple[list[str], int]:
    """The output of each command, by the delimiters, and how many commands completed."""
    chunks: list[str] = []
    rest = output
    for number in range(count):
        head, found, rest = rest.partition(f"\n{DELIMITER.format(number)}\n")
        chunks.append(head)
        if not found:
            return chunks, number
    return chunks, count


@pytest.mark.e2e
@pytest.mark.parametrize("document", [d for d in DOCUMENTS if _runnable(d)], ids=_relative)
def test_runnable_blocks_run_and_print_what_is_quoted(document: Path, tmp_path: Path) -> None:
    """The document's runnable blocks succeed, print what it quotes, no traceback, and leave no
    tracked file."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=_ignore, symlinks=True)
    (project / ".venv").symlink_to(ROOT / ".venv")
    before = _files(project)
    script, commands = _script(_runnable(document))
    (tmp_path / "doc.sh").write_text(script)
    returncode, output = _run_session(tmp_path / "doc.sh", project, tmp_path / "pulumi-home")
    chunks, completed = _split(output, len(commands))
    if returncode != 0 or completed < len(commands):
        failed = commands[min(completed, len(commands) - 1)].text
        pytest.fail(f"{_relative(document)}: `{failed}` failed (exit {returncode}):\n{chunks[-1]}")
    leftovers = _tracked_leftovers(_files(project) - before)
    assert leftovers == [], "running the document leaves files git would track"
    # What a reader sees between the quoted lines too: no command, and not the emulator the
    # session runs in the background, ends anything in a Python traceback.
    assert "Traceback (most recent call last)" not in output, output
    for command, chunk in zip(commands, chunks, strict=True):
        if command.expected is not None:
            assert matches(command.expected, chunk), (
                f"{_relative(document)}: `{command.text}` printed\n"
                + "\n".join(normalise(chunk))
                + "\n\nwhere the document quotes\n"
                + "\n".join(normalise(command.expected))
            )
