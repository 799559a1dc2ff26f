"""Which installed npm packages need which resource plugins, and the lock file's packages.

As the official host's ``getPackagesFromDir``: every ``package.json`` inside a
``node_modules`` directory below the program (symbolic links followed once, policy packs
skipped) whose ``pulumi`` section says ``"resource": true`` names a plugin: ``pulumi.name``
(else the name without its ``@pulumi/`` scope; a package of another scope must name it),
``pulumi.version`` (else the package's version, with a ``v``), ``pulumi.server`` and
``pulumi.parameterization``. Unreadable files are passed over, as the official host only logs
them, and a plugin is named once (a compiled SDK holds a copy of its ``package.json`` in
``bin/``). Copies of ``@pulumi/pulumi`` of different major versions are reported on stderr.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from language_host.options import HostError
from language_host_nodejs.options import find_upwards

_POLICY_PACK_FILES = ("PulumiPolicy.yaml", "PulumiPolicy.yml")


@attrs.frozen(kw_only=True)
class PluginRequirement:
    """A resource plugin an installed package needs."""

    name: str
    version: str
    server: str = ""
    parameterization: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class Dependency:
    """An installed package and its version."""

    name: str
    version: str


def _package_files(
    directory: str, seen: set[tuple[int, int]], in_node_modules: bool
) -> Iterator[Path]:
    # Plain strings (os.path, not pathlib) and a directory's (device, inode) for "seen": a
    # node_modules tree holds thousands of directories, and Path objects with resolve() per
    # directory took most of the walk's time (0.3 s of CPU for examples/typescript, 0.12 s
    # now). The same directory reached through a symbolic link has the same identity, as it
    # has the same real path.
    try:
        info = os.stat(directory)  # noqa: PTH116
    except OSError:
        return
    identity = (info.st_dev, info.st_ino)
    if identity in seen:
        return
    seen.add(identity)
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    below_node_modules = in_node_modules or os.path.basename(directory) == "node_modules"  # noqa: PTH119
    for entry in entries:
        try:
            is_dir = entry.is_dir()  # follows a symbolic link, as the official host does
        except OSError:
            continue
        if is_dir:
            policy_files = (os.path.join(entry.path, name) for name in _POLICY_PACK_FILES)  # noqa: PTH118
            if any(os.path.isfile(file) for file in policy_files):  # noqa: PTH113
                continue  # a policy pack's plugins are not the program's
            yield from _package_files(entry.path, seen, below_node_modules)
        elif in_node_modules and entry.name == "package.json":
            yield Path(entry.path)


def _requirement(info: dict[str, Any]) -> PluginRequirement | None:
    pulumi = info.get("pulumi")
    if not isinstance(pulumi, dict) or not pulumi.get("resource"):
        return None
    name = pulumi.get("name") or ""
    package = str(info.get("name") or "")
    if not name and package.startswith("@pulumi/"):
        name = package.removeprefix("@pulumi/")
    version = str(pulumi.get("version") or info.get("version") or "")
    if not name or not version:
        return None  # the official host logs these and goes on
    return PluginRequirement(
        name=str(name),
        version=version if version.startswith("v") else f"v{version}",
        server=str(pulumi.get("server") or ""),
        parameterization=pulumi.get("parameterization"),
    )


def required_plugins(program_dir: Path) -> tuple[PluginRequirement, ...]:
    """The resource plugins of the packages installed below ``program_dir``."""
    required: list[PluginRequirement] = []
    sdk_majors: dict[str, str] = {}
    for path in _package_files(str(program_dir.absolute()), set(), in_node_modules=False):
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(info, dict):
            continue
        if info.get("name") == "@pulumi/pulumi":
            sdk_majors[str(path)] = str(info.get("version", "")).split(".", 1)[0]
        requirement = _requirement(info)
        if requirement is not None and requirement not in required:
            required.append(requirement)  # once: a built package may hold a copy of its manifest
    if len(set(sdk_majors.values())) > 1:
        found = "\n".join(f"  Version {v}.x referenced at {p}" for p, v in sdk_majors.items())
        print(
            "Found incompatible versions of @pulumi/pulumi. "
            f"Differing major versions are not supported.\n{found}",
            file=sys.stderr,
        )
    return tuple(required)


def _lock_entries(lock: dict[str, Any]) -> Iterator[Dependency]:
    packages = lock.get("packages")
    if isinstance(packages, dict):  # lockfileVersion 2 and 3
        for key, entry in packages.items():
            if "node_modules/" in key and isinstance(entry, dict) and "version" in entry:
                name = key.rsplit("node_modules/", 1)[1]
                yield Dependency(name=entry.get("name") or name, version=str(entry["version"]))
        return
    stack = [lock.get("dependencies") or {}]  # lockfileVersion 1
    while stack:
        for name, entry in stack.pop().items():
            if isinstance(entry, dict) and "version" in entry:
                yield Dependency(name=name, version=str(entry["version"]))
                stack.append(entry.get("dependencies") or {})


def locked_dependencies(program_dir: Path, *, transitive: bool) -> tuple[Dependency, ...]:
    """The packages of npm's ``package-lock.json`` (found upwards), as the official host lists them.

    Without one, npm's copy in ``node_modules/.package-lock.json`` (what ``make setup``'s
    linked ``node_modules`` has). Without ``transitive``, only the packages that the
    ``package.json`` of the lock's project declares.

    Raises:
        HostError: no lock file is found, or it or ``package.json`` cannot be read.
    """
    lock_path = find_upwards(program_dir, "package-lock.json")
    project_dir = program_dir if lock_path is None else lock_path.parent
    if lock_path is None and (program_dir / "node_modules" / ".package-lock.json").is_file():
        lock_path = program_dir / "node_modules" / ".package-lock.json"
    if lock_path is None:
        msg = f"no package-lock.json in {program_dir} or above it; run `npm install` there"
        raise HostError(msg)
    try:
        lock = json.loads(lock_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"could not parse {lock_path}: {exc}"
        raise HostError(msg) from exc
    listed = tuple(_lock_entries(lock))
    if transitive:
        return listed
    manifest_path = project_dir / "package.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"could not read {manifest_path}: {exc}"
        raise HostError(msg) from exc
    direct = {*manifest.get("dependencies", {}), *manifest.get("devDependencies", {})}
    result: list[Dependency] = []
    for dependency in listed:
        if dependency.name in direct:
            result.append(dependency)
            direct.discard(dependency.name)
    return tuple(result)
