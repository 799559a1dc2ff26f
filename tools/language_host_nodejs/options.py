"""A project's Node.js runtime options, and the package manager they select.

The options are the official host's (``parseOptions`` in ``pulumi-language-nodejs/main.go``):
``typescript`` (default true: the SDK loads ``.ts`` sources through ts-node), ``tsconfig`` (a
path), ``nodeargs`` (arguments for ``node``, split as a shell would) and ``packagemanager``
(``auto``, ``npm``, ``yarn``, ``pnpm`` or ``bun``). ``auto`` picks as the official
``npm.ResolvePackageManager`` does: yarn when ``PULUMI_PREFER_YARN`` is set or a ``yarn.lock``
is found upwards, else pnpm for ``pnpm-lock.yaml``, else bun for ``bun.lock``/``bun.lockb``,
else npm; a lock file's manager that is not on ``PATH`` is passed over.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

import attrs
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime.proto import language_pb2

from language_host.options import HostError, OptionError

PACKAGE_MANAGERS = ("auto", "npm", "yarn", "pnpm", "bun")
_LOCK_FILES = (
    ("yarn", ("yarn.lock",)),
    ("pnpm", ("pnpm-lock.yaml",)),
    ("bun", ("bun.lock", "bun.lockb")),
)
_TRUTHY = frozenset({"1", "true", "yes", "on"})


class ToolNotFoundError(HostError):
    """An executable the project needs (``node``, a package manager) is not on ``PATH``."""

    def __init__(self, tool: str, hint: str) -> None:
        self.tool = tool
        super().__init__(f"could not find {tool} on the $PATH; {hint}")


def _option(info: language_pb2.ProgramInfo, name: str, kind: str) -> bool | str | None:
    if name not in info.options.fields:
        return None
    value = info.options.fields[name]
    if value.WhichOneof("kind") != kind:
        given = json_format.MessageToDict(info.options)[name]
        expected = {"bool_value": "a boolean", "string_value": "a string"}[kind]
        raise OptionError(name, given, f"it must be {expected}")
    return bool(value.bool_value) if kind == "bool_value" else str(value.string_value)


def find_upwards(start: Path, *names: str) -> Path | None:
    """The first of ``names`` in ``start`` or the nearest parent that has one."""
    for directory in (start, *start.parents):
        for name in names:
            if (directory / name).is_file():
                return directory / name
    return None


@attrs.frozen(kw_only=True)
class NodeOptions:
    """How to run Node.js for one project: its directories and runtime options."""

    root: Path
    program_dir: Path
    entry_point: str = "."
    typescript: bool = True
    tsconfig: str = ""
    nodeargs: tuple[str, ...] = ()
    packagemanager: str = "auto"

    @classmethod
    def from_info(cls, info: language_pb2.ProgramInfo) -> NodeOptions:
        """Read the runtime options the engine sends with every request.

        Raises:
            OptionError: an option has the wrong type, ``nodeargs`` does not split, or
                ``packagemanager`` is not one of :data:`PACKAGE_MANAGERS`.
        """
        root = Path(info.root_directory or ".").absolute()
        program_dir = Path(info.program_directory or root).absolute()
        typescript = _option(info, "typescript", "bool_value")
        tsconfig = _option(info, "tsconfig", "string_value")
        nodeargs = str(_option(info, "nodeargs", "string_value") or "")
        try:
            split = tuple(shlex.split(nodeargs))
        except ValueError as exc:
            rule = f"it must split as shell words ({exc})"
            raise OptionError("nodeargs", nodeargs, rule) from None
        manager = str(_option(info, "packagemanager", "string_value") or "auto")
        if manager not in PACKAGE_MANAGERS:
            raise OptionError(
                "packagemanager", manager, f"it must be one of {', '.join(PACKAGE_MANAGERS)}"
            )
        return cls(
            root=root,
            program_dir=program_dir,
            entry_point=info.entry_point or ".",
            typescript=True if typescript is None else bool(typescript),
            tsconfig=str(tsconfig or ""),
            nodeargs=split,
            packagemanager=manager,
        )

    def package_manager(self, environ: Mapping[str, str]) -> tuple[str, str]:
        """The package manager's name and executable for this project.

        Raises:
            ToolNotFoundError: the chosen manager (or, for ``auto``, npm) is not on ``PATH``.
        """
        path = environ.get("PATH")
        if self.packagemanager != "auto":
            found = shutil.which(self.packagemanager, path=path)
            if found is None:
                raise ToolNotFoundError(
                    self.packagemanager,
                    "it is the `packagemanager` runtime option in Pulumi.yaml; install it or "
                    "set `packagemanager: npm`",
                )
            return self.packagemanager, found
        prefer_yarn = environ.get("PULUMI_PREFER_YARN", "").lower() in _TRUTHY
        for name, locks in _LOCK_FILES:
            wanted = (name == "yarn" and prefer_yarn) or find_upwards(self.program_dir, *locks)
            found = shutil.which(name, path=path) if wanted else None
            if found is not None:
                return name, found
        npm = shutil.which("npm", path=path)
        if npm is None:
            raise ToolNotFoundError("npm", "npm is installed with Node.js (https://nodejs.org/)")
        return "npm", npm

    def environment(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The variables the official host adds for the SDK's TypeScript support."""
        env = dict(environ)
        if self.typescript:
            env["PULUMI_NODEJS_TYPESCRIPT"] = "true"
        if self.tsconfig:
            env["PULUMI_NODEJS_TSCONFIG_PATH"] = self.tsconfig
        return env
