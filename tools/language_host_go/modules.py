"""The program's Go module: its ``go.mod``, its modules' sources and the plugins they name.

As the official host (``GetRequiredPackages``): the modules the program's ``go.mod`` requires
(direct and indirect) are located with ``go list -m -json`` (the ``vendor`` directory when
there is one, ``go mod download -json`` for those not in the module cache); a module is a
Pulumi package when it carries a ``pulumi-plugin.json`` with ``"resource": true`` (in its root,
``go/``, ``go/*/`` or ``*/``) or, without one, when its path starts with
``github.com/pulumi/pulumi-``. The plugin's version is the file's ``version``, else the
module's, with a pseudo-version taken back to the release before it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from language_host.options import HostError
from language_host_go.toolchain import go_output, json_stream

#: ``golang.org/x/mod/module.IsPseudoVersion``: vX.0.0-yyyymmddhhmmss-abcdef123456 and the
#: forms that follow a release (vX.Y.(Z+1)-0.yyyy...) or a pre-release (vX.Y.Z-pre.0.yyyy...).
_PSEUDO_VERSION = re.compile(
    r"^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
_CORE = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?P<rest>[-+].*)?$")


@attrs.frozen(kw_only=True)
class Requirement:
    """One ``require`` line of ``go.mod``."""

    path: str
    version: str
    indirect: bool


@attrs.frozen(kw_only=True)
class GoMod:
    """The program's ``go.mod``: where it is, what it requires, which modules it replaces."""

    file: Path
    requires: tuple[Requirement, ...]
    replaced: frozenset[str]

    @property
    def directory(self) -> Path:
        """The module's root directory (it may be above the program's)."""
        return self.file.parent


@attrs.frozen(kw_only=True)
class Module:
    """A module of the build list and the directory that holds its source."""

    path: str
    version: str
    dir: Path | None  # None: not in the module cache (nor vendored)


@attrs.frozen(kw_only=True)
class Package:
    """A resource plugin a module asks the engine for."""

    name: str
    version: str
    server: str = ""
    parameterization: Mapping[str, Any] | None = None


def load_gomod(go: str, program_dir: Path, environ: Mapping[str, str]) -> GoMod:
    """The ``go.mod`` that ``go`` finds for ``program_dir`` (workspaces off, as officially)."""
    found = go_output(
        go, ["list", "-m", "-f", "{{.GoMod}}"], cwd=program_dir, environ=environ, GOWORK="off"
    ).strip()
    if not found:
        msg = f"no go.mod file found: {program_dir}"
        raise HostError(msg)
    edited = json.loads(
        go_output(go, ["mod", "edit", "-json", found], cwd=program_dir, environ=environ)
    )
    return GoMod(
        file=Path(found),
        requires=tuple(
            Requirement(
                path=r["Path"], version=r.get("Version", ""), indirect=bool(r.get("Indirect"))
            )
            for r in edited.get("Require") or ()
        ),
        replaced=frozenset(
            r["Old"]["Path"].rstrip("/") for r in edited.get("Replace") or () if r.get("Old")
        ),
    )


def find_module_sources(
    go: str, module_dir: Path, paths: Sequence[str], environ: Mapping[str, str]
) -> tuple[Module, ...]:
    """The modules ``paths`` with their source directories; those without one are left out."""
    if not paths:
        return ()
    listed = _modules(go, ["list", "-m", "-json", *paths], module_dir, environ)
    vendor = module_dir / "vendor"
    if vendor.is_dir():  # vendor mode: only what is vendored, and nothing can be downloaded
        listed = [
            m if m.dir is not None else attrs.evolve(m, dir=vendor / m.path)
            for m in listed
            if m.dir is not None or (vendor / m.path).exists()
        ]
    elif missing := [m.path for m in listed if m.dir is None]:
        downloaded = {
            m.path: m.dir
            for m in _modules(go, ["mod", "download", "-json", *missing], module_dir, environ)
        }
        listed = [
            m if m.dir is not None else attrs.evolve(m, dir=downloaded.get(m.path)) for m in listed
        ]
    return tuple(m for m in listed if m.dir is not None)


def _modules(
    go: str, args: Sequence[str], module_dir: Path, environ: Mapping[str, str]
) -> list[Module]:
    return [
        Module(
            path=m.get("Path", ""),
            version=m.get("Version", ""),
            dir=Path(m["Dir"]) if m.get("Dir") else None,
        )
        for m in json_stream(go_output(go, args, cwd=module_dir, environ=environ))
    ]


def read_plugin_json(module_dir: Path) -> dict[str, Any] | None:
    """The module's ``pulumi-plugin.json``, looked for where the official host looks."""
    candidates = [
        module_dir / "pulumi-plugin.json",
        module_dir / "go" / "pulumi-plugin.json",
        *sorted(module_dir.glob("go/*/pulumi-plugin.json")),
        *sorted(module_dir.glob("*/pulumi-plugin.json")),
    ]
    for candidate in candidates:
        try:
            text = candidate.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            msg = f"failed to load pulumi-plugin.json: {exc}"
            raise ValueError(msg) from exc
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"failed to load pulumi-plugin.json: {candidate}: {exc}"
            raise ValueError(msg) from exc
        if isinstance(value, dict):
            return value
        msg = f"failed to load pulumi-plugin.json: {candidate}: not a JSON object"
        raise ValueError(msg)
    return None


def normalize_version(version: str) -> str:
    """``version`` as the engine should ask for it: a pseudo-version's release before it.

    ``v1.29.1-0.20200403140640-efb5e2a48a86`` (the first commit after 1.29.0) becomes
    ``v1.29.0``; any other semver-compatible version is returned as it is.
    """
    match = _CORE.match(version.strip().removeprefix("v"))
    if match is None:
        msg = "module does not have semver compatible version"
        raise ValueError(msg)
    major, minor, patch = (int(part or 0) for part in match.groups()[:3])
    if _PSEUDO_VERSION.match(version):
        if (major, minor, patch) == (0, 0, 0):
            msg = "invalid pseudoversion with no prior tag"
            raise ValueError(msg)
        return f"v{major}.{minor}.{max(patch - 1, 0)}"
    return version


def package_of(module: Module) -> Package:
    """The plugin ``module`` names (``ValueError`` when it is not a Pulumi package)."""
    if module.dir is None:
        msg = "module source not found"
        raise ValueError(msg)
    plugin = read_plugin_json(module.dir)
    if (plugin is None and not module.path.startswith("github.com/pulumi/pulumi-")) or (
        plugin is not None and not plugin.get("resource")
    ):
        msg = "module is not a pulumi provider"
        raise ValueError(msg)
    name = (plugin or {}).get("name") or module.path.split("/")[2].split("-", 1)[1]
    version = normalize_version((plugin or {}).get("version") or module.version)
    parameterization = (plugin or {}).get("parameterization")
    if parameterization is not None:
        try:
            value = base64.b64decode(parameterization.get("value") or "", validate=True)
        except (binascii.Error, AttributeError) as exc:
            msg = f"failed to load pulumi-plugin.json: parameterization.value: {exc}"
            raise ValueError(msg) from exc
        parameterization = {
            "name": parameterization.get("name", ""),
            "version": parameterization.get("version", ""),
            "value": value,
        }
    return Package(
        name=str(name),
        version=version,
        server=str((plugin or {}).get("server") or ""),
        parameterization=parameterization,
    )


def required_packages(
    go: str, program_dir: Path, environ: Mapping[str, str], log: Callable[[str], None]
) -> tuple[Package, ...]:
    """The plugins of the modules the program's ``go.mod`` requires.

    Lenient, as the official host: no ``go.mod``, or a module listing that fails, is logged and
    answers no packages (the program's build then says what is wrong).
    """
    try:
        gomod = load_gomod(go, program_dir, environ)
        modules = find_module_sources(
            go, gomod.directory, [r.path for r in gomod.requires], environ
        )
    except HostError as exc:
        log(f"GetRequiredPackages: {exc}")
        return ()
    packages = []
    for module in modules:
        try:
            packages.append(package_of(module))
        except ValueError as exc:
            log(f"GetRequiredPackages: Ignoring dependency: {module.path}, error: {exc}")
    return tuple(packages)


def program_dependencies(gomod: GoMod, *, transitive: bool) -> tuple[tuple[str, str], ...]:
    """``(module, version)`` of each requirement (direct ones unless ``transitive``).

    A replaced module has no version of its own: its version is empty, as officially.
    """
    return tuple(
        (r.path, "" if r.path.rstrip("/") in gomod.replaced else r.version)
        for r in gomod.requires
        if transitive or not r.indirect
    )
