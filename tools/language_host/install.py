"""``pulumi install`` for the pip toolchain: create the virtual environment, install requirements.

The steps and messages are the official pip toolchain's (``InstallDependencies`` in
``sdk/python/toolchain/pip.go``): ``python -m venv DIR`` when a virtual environment is named,
``pip install --upgrade pip setuptools wheel``, then ``pip install -r requirements.txt`` when the
program directory has one. Output is relayed as it is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from language_host.options import HostError, PythonOptions, activate
from language_host.processes import Chunk, StreamedProcess


class InstallError(HostError):
    """A step of the installation failed; the message names the command and its exit code."""

    def __init__(self, what: str, argv: tuple[str, ...], returncode: int | None) -> None:
        self.argv = argv
        self.returncode = returncode
        super().__init__(f"{what} via '{' '.join(argv)}': exit status {returncode}")


def _say(message: str) -> Chunk:
    return Chunk("stdout", f"{message}\n".encode())


def _run(what: str, argv: list[str], *, env: Mapping[str, str], cwd: Path) -> Iterator[Chunk]:
    try:
        process = StreamedProcess(argv, env=env, cwd=cwd)
    except OSError as exc:
        msg = f"{what}: cannot run {argv[0]}: {exc}"
        raise HostError(msg) from exc
    yield from process.chunks()
    if process.returncode != 0:
        raise InstallError(what, process.argv, process.returncode)


def install_dependencies(
    options: PythonOptions, *, environ: Mapping[str, str], program_dir: Path
) -> Iterator[Chunk]:
    """Yield the output of installing the project's dependencies; raise :class:`HostError`."""
    venv = options.virtualenv_path
    if venv is not None:
        yield _say("Creating virtual environment...")
        base = PythonOptions(root=options.root, program_dir=options.program_dir)
        python = base.interpreter(environ)
        yield from _run(
            f"creating virtual environment at '{venv}'",
            [python, "-m", "venv", str(venv)],
            env=environ,
            cwd=program_dir,
        )
        yield _say("Finished creating virtual environment")
        python = str(venv / "bin" / "python")
        env = activate(environ, venv)
    else:
        python = options.interpreter(environ)
        env = dict(environ)
    yield _say("Updating pip, setuptools, and wheel in virtual environment...")
    yield from _run(
        "updating pip, setuptools, and wheel",
        [python, "-m", "pip", "install", "--upgrade", "pip", "setuptools", "wheel"],
        env=env,
        cwd=program_dir,
    )
    yield _say("Finished updating")
    if not (program_dir / "requirements.txt").is_file():
        return
    yield _say("Installing dependencies in virtual environment...")
    yield from _run(
        "installing dependencies",
        [python, "-m", "pip", "install", "-r", "requirements.txt"],
        env=env,
        cwd=program_dir,
    )
    yield _say("Finished installing dependencies")
