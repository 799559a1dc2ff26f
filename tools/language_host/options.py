"""A project's Python runtime options, and the interpreter and environment they select.

Follows the official host's pip toolchain (``sdk/python/toolchain/pip.go`` in pulumi/pulumi):
the ``virtualenv`` option is a directory relative to the project's root directory (or absolute);
its ``bin/python`` runs the program with the environment activated (``bin`` first on ``PATH``,
``VIRTUAL_ENV`` set, ``PYTHONHOME`` removed). Without the option, ``PULUMI_PYTHON_CMD`` names
the interpreter, else the first ``python3`` or ``python`` on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import attrs
from pulumi.runtime.proto import language_pb2

SUPPORTED_TOOLCHAINS = ("pip",)
KNOWN_TOOLCHAINS = ("pip", "poetry", "uv")
_LOCK_FILES = {"uv.lock": "uv", "poetry.lock": "poetry"}


class HostError(Exception):
    """An error the host returns to the engine; its message is what the user reads."""


class OptionError(HostError):
    """A runtime option in ``Pulumi.yaml`` has a value the host cannot use."""

    def __init__(self, option: str, value: object, rule: str) -> None:
        self.option = option
        self.value = value
        self.rule = rule
        super().__init__(f"runtime option '{option}' in Pulumi.yaml is {value!r}: {rule}")


class UnsupportedToolchainError(HostError):
    """The project asks for a toolchain this host does not run (poetry, uv)."""

    def __init__(self, toolchain: str, reason: str) -> None:
        self.toolchain = toolchain
        super().__init__(
            f"this build's pulumi-language-python runs the pip toolchain only, and {reason} "
            f"selects '{toolchain}'; set `toolchain: pip` and `virtualenv: <dir>` under "
            "runtime.options in Pulumi.yaml, or install the Pulumi CLI "
            "(https://www.pulumi.com/docs/install/), whose host supports poetry and uv"
        )


class VirtualEnvError(HostError):
    """The ``virtualenv`` option names a directory that is not a virtual environment."""

    def __init__(self, option: str, path: Path) -> None:
        self.option = option
        self.path = path
        state = (
            "doesn't exist" if not path.exists() else "doesn't appear to be a virtual environment"
        )
        python = path / "bin" / "python"
        super().__init__(
            f"The 'virtualenv' option in Pulumi.yaml is set to {option!r}, but '{path}' {state}; "
            "run `pulumi install`, or run the following commands to create the virtual "
            "environment and install dependencies into it:\n\n"
            f"    1. python3 -m venv {path}\n"
            f"    2. {python} -m pip install --upgrade pip setuptools wheel\n"
            f"    3. {python} -m pip install -r requirements.txt\n"
        )


class InterpreterNotFoundError(HostError):
    """No Python interpreter was found for a project without a virtual environment."""

    def __init__(self, candidates: tuple[str, ...]) -> None:
        self.candidates = candidates
        names = " ".join(f'"{c}"' for c in candidates)
        super().__init__(
            f"failed to locate any of [{names}] on your PATH. Have you installed Python 3.11 "
            "or greater? Or set `virtualenv` under runtime.options in Pulumi.yaml"
        )


def _string_option(info: language_pb2.ProgramInfo, name: str) -> str | None:
    if name not in info.options.fields:
        return None
    value = info.options.fields[name]
    if value.WhichOneof("kind") != "string_value":
        raise OptionError(name, value.WhichOneof("kind"), "it must be a string")
    return str(value.string_value)


def _lock_file_toolchain(program_dir: Path) -> tuple[str, Path] | None:
    for directory in (program_dir, *program_dir.parents):
        for lock, toolchain in _LOCK_FILES.items():
            if (directory / lock).is_file():
                return toolchain, directory / lock
    return None


def activate(environ: Mapping[str, str], virtualenv: Path) -> dict[str, str]:
    """``environ`` with ``virtualenv`` activated, as the official host's ``ActivateVirtualEnv``."""
    bin_dir = str(virtualenv / "bin")
    result: dict[str, str] = {}
    has_path = False
    for key, value in environ.items():
        upper = key.upper()
        if upper == "PATH":
            has_path = True
            result[key] = f"{bin_dir}{os.pathsep}{value}"
        elif upper not in {"PYTHONHOME", "VIRTUAL_ENV"}:
            result[key] = value
    if not has_path:
        result["PATH"] = bin_dir
    result["VIRTUAL_ENV"] = str(virtualenv)
    return result


@attrs.frozen(kw_only=True)
class PythonOptions:
    """How to run Python for one project (or plugin): its directories and runtime options."""

    root: Path
    program_dir: Path
    virtualenv: str = ""
    toolchain: str = "pip"

    @classmethod
    def from_info(cls, info: language_pb2.ProgramInfo) -> PythonOptions:
        """Read the runtime options the engine sends with every request.

        Raises:
            OptionError: ``virtualenv`` or ``toolchain`` is not a string, or an unknown toolchain.
            UnsupportedToolchainError: the project selects poetry or uv.
        """
        root = Path(info.root_directory or ".").absolute()
        program_dir = Path(info.program_directory or root).absolute()
        virtualenv = _string_option(info, "virtualenv") or ""
        toolchain = _string_option(info, "toolchain")
        if toolchain is None:
            found = _lock_file_toolchain(program_dir)
            if found is not None:
                raise UnsupportedToolchainError(found[0], f"the lock file {found[1]}")
            toolchain = "pip"
        elif toolchain not in KNOWN_TOOLCHAINS:
            raise OptionError(
                "toolchain", toolchain, f"it must be one of {', '.join(KNOWN_TOOLCHAINS)}"
            )
        elif toolchain not in SUPPORTED_TOOLCHAINS:
            raise UnsupportedToolchainError(toolchain, "the `toolchain` option")
        return cls(root=root, program_dir=program_dir, virtualenv=virtualenv, toolchain=toolchain)

    def with_default_virtualenv(self, name: str = "venv") -> PythonOptions:
        """These options, with ``virtualenv: name`` when none is set (plugins never run ambient)."""
        return self if self.virtualenv else attrs.evolve(self, virtualenv=name)

    @property
    def virtualenv_path(self) -> Path | None:
        """The virtual environment's directory, or ``None`` when the project names none."""
        if not self.virtualenv:
            return None
        path = Path(self.virtualenv)
        return path if path.is_absolute() else self.root / path

    def is_virtualenv_ready(self) -> bool:
        """Whether the named virtual environment has its ``bin/python``."""
        path = self.virtualenv_path
        return path is None or (path / "bin" / "python").is_file()

    def validate_virtualenv(self) -> None:
        """Raise :class:`VirtualEnvError` when the named virtual environment is not usable."""
        path = self.virtualenv_path
        if path is not None and not self.is_virtualenv_ready():
            raise VirtualEnvError(self.virtualenv, path)

    def interpreter(self, environ: Mapping[str, str]) -> str:
        """The Python executable for this project.

        Raises:
            InterpreterNotFoundError: no virtual environment, and no interpreter on ``PATH``.
        """
        path = self.virtualenv_path
        if path is not None:
            return str(path / "bin" / "python")
        configured = environ.get("PULUMI_PYTHON_CMD")
        candidates = (configured,) if configured else ("python3", "python")
        for candidate in candidates:
            found = shutil.which(candidate, path=environ.get("PATH"))
            if found:
                return found
        raise InterpreterNotFoundError(candidates)

    def environment(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The child's environment: ``environ``, activated when a virtual environment is named."""
        path = self.virtualenv_path
        return dict(environ) if path is None else activate(environ, path)
