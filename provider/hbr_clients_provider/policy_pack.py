"""``hbr-clients policy-pack init DIR``: write a ready HBR policy pack into ``DIR``.

The pack's files ship in the wheel as templates (``pulumi_hbr_clients/policy/pack-template/*.tmpl``)
and are written with this installation's version:

* ``PulumiPolicy.yaml``: the Python runtime and its ``virtualenv`` (``venv`` in the pack,
  or the ``--virtualenv`` given, relative to the pack or absolute);
* ``requirements.txt``: ``pulumi-hbr-clients[policy]==<this version>``;
* ``__main__.py``: ``PolicyPack(name, policies=hbr_policies(enforcement_level=...))``.

``pulumi preview --policy-pack DIR`` then runs the pack from any Pulumi project, once the
virtual environment holds the requirements. Writing the pack needs neither pulumi-policy nor
a network; nothing is overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from string import Template
from typing import Final

import attrs

from hbr_clients_provider.package import DISTRIBUTION, package_version

__all__ = [
    "COMMAND",
    "DEFAULT_LEVEL",
    "DEFAULT_NAME",
    "DEFAULT_VIRTUALENV",
    "LEVELS",
    "PACK_FILES",
    "PackError",
    "PackSpec",
    "render_pack",
    "write_pack",
]

#: The files of a pack, in the order they are written.
PACK_FILES: Final = ("PulumiPolicy.yaml", "requirements.txt", "__main__.py")

#: The enforcement levels ``--enforcement-level`` takes (pulumi-policy's, but ``remediate``).
LEVELS: Final = ("advisory", "mandatory", "disabled")

DEFAULT_NAME: Final = "hbr-backup-clients"
DEFAULT_LEVEL: Final = "mandatory"
#: The official Python host's default for a pack without a ``virtualenv`` option.
DEFAULT_VIRTUALENV: Final = "venv"

#: Pulumi's rule for a policy pack name (``pulumi policy new`` and the service refuse others).
_PACK_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
#: A path YAML reads as a plain string; anything else is written quoted.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_./~+-]+")
_EXIT_OK = 0
_EXIT_INVALID = 2


class PackError(ValueError):
    """A pack cannot be written as asked; the message names the flag or file and the fix."""


def _check_name(_: object, __: object, value: str) -> None:
    if not _PACK_NAME.fullmatch(value):
        msg = (
            f"--name {value!r}: a policy pack name is 1 to 100 letters, digits, '-', '_' or '.' "
            f"(for example {DEFAULT_NAME!r})"
        )
        raise PackError(msg)


def _check_level(_: object, __: object, value: str) -> None:
    if value not in LEVELS:
        msg = f"--enforcement-level {value!r}: must be one of {', '.join(LEVELS)}"
        raise PackError(msg)


@attrs.frozen(kw_only=True)
class PackSpec:
    """What a pack is written with."""

    name: str = attrs.field(default=DEFAULT_NAME, validator=_check_name)
    enforcement_level: str = attrs.field(default=DEFAULT_LEVEL, validator=_check_level)
    virtualenv: str = DEFAULT_VIRTUALENV
    """``PulumiPolicy.yaml``'s ``virtualenv``: relative to the pack directory, or absolute."""
    version: str = attrs.field(factory=package_version)
    """The version ``requirements.txt`` pins and the pack carries."""


def _template(filename: str) -> Template:
    source = resources.files("pulumi_hbr_clients").joinpath(f"policy/pack-template/{filename}.tmpl")
    return Template(source.read_text(encoding="utf-8"))


def render_pack(spec: PackSpec) -> dict[str, str]:
    """The text of each of :data:`PACK_FILES` for ``spec``."""
    virtualenv = spec.virtualenv
    values: Mapping[str, str] = {
        "name": spec.name,
        "level": spec.enforcement_level,
        "level_member": spec.enforcement_level.upper(),
        "virtualenv": virtualenv if _PLAIN_PATH.fullmatch(virtualenv) else json.dumps(virtualenv),
        "version": spec.version,
        "distribution": DISTRIBUTION,
    }
    return {name: _template(name).substitute(values) for name in PACK_FILES}


def _is_virtualenv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "bin" / "python").exists()


def write_pack(directory: Path, spec: PackSpec, *, force: bool = False) -> tuple[Path, ...]:
    """Write the pack into ``directory`` (created if missing); return the files written.

    :raises PackError: a file of the pack exists and ``force`` is false, ``directory`` is a
        file, or a given ``virtualenv`` other than the default is no virtual environment.
    """
    if directory.exists() and not directory.is_dir():
        msg = f"DIR {str(directory)!r} is a file; name a directory for the pack"
        raise PackError(msg)
    paths = tuple(directory / name for name in PACK_FILES)
    existing = [str(p) for p in paths if p.exists()]
    if existing and not force:
        msg = f"{', '.join(existing)} already exist(s); pass --force to overwrite"
        raise PackError(msg)
    if spec.virtualenv != DEFAULT_VIRTUALENV:
        venv = directory / spec.virtualenv  # an absolute virtualenv stays as it is
        if not _is_virtualenv(venv):
            msg = (
                f"--virtualenv {spec.virtualenv!r}: {str(venv)!r} is not a virtual environment "
                "(no pyvenv.cfg); create it with `python3 -m venv` and install "
                f"'{DISTRIBUTION}[policy]' into it, or leave --virtualenv out"
            )
            raise PackError(msg)
    directory.mkdir(parents=True, exist_ok=True)
    for path, text in zip(paths, render_pack(spec).values(), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="pack_command", required=True, metavar="ACTION")
    init = sub.add_parser(
        "init",
        help="write a ready policy pack into DIR",
        description=(
            "Write PulumiPolicy.yaml, requirements.txt (pinned to this version) and "
            "__main__.py into DIR: a pack `pulumi preview --policy-pack DIR` runs."
        ),
    )
    init.add_argument("directory", metavar="DIR", type=Path, help="the pack's directory")
    init.add_argument("--name", default=DEFAULT_NAME, help=f"the pack's name ({DEFAULT_NAME})")
    init.add_argument(
        "--enforcement-level",
        default=DEFAULT_LEVEL,
        metavar="LEVEL",
        help=f"every policy's level unless the pack config says otherwise: "
        f"{', '.join(LEVELS)} (default {DEFAULT_LEVEL})",
    )
    init.add_argument(
        "--virtualenv",
        default=DEFAULT_VIRTUALENV,
        metavar="PATH",
        help=(
            "an existing virtual environment with pulumi-hbr-clients[policy] for the pack to "
            "run in, relative to DIR or absolute (default: venv in DIR, to be created from "
            "requirements.txt)"
        ),
    )
    init.add_argument("--force", action="store_true", help="overwrite the pack's files in DIR")


def _run(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    try:
        spec = PackSpec(
            name=args.name, enforcement_level=args.enforcement_level, virtualenv=args.virtualenv
        )
        written = write_pack(directory, spec, force=args.force)
    except PackError as error:
        sys.stderr.write(f"hbr-clients: error: {error}\n")
        return _EXIT_INVALID
    except OSError as error:
        sys.stderr.write(f"hbr-clients: error: cannot write the pack into {directory}: {error}\n")
        return _EXIT_INVALID
    lines = [
        f"wrote policy pack {spec.name} {spec.version} (every policy {spec.enforcement_level}): "
        + ", ".join(str(p) for p in written)
    ]
    if spec.virtualenv == DEFAULT_VIRTUALENV:
        venv = directory / DEFAULT_VIRTUALENV
        lines.append(
            f"next: python3 -m venv {venv} && {venv}/bin/pip install -r "
            f"{directory / 'requirements.txt'}"
        )
    lines.append(f"then, in a Pulumi project: pulumi preview --policy-pack {directory.resolve()}")
    sys.stdout.write("\n".join(lines) + "\n")
    return _EXIT_OK


#: ``hbr-clients policy-pack``: (help, add the arguments, run) as ``cli.COMMANDS`` holds them.
COMMAND: Final = ("write a ready HBR policy pack (policy-pack init DIR)", _add_arguments, _run)
