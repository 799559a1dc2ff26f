"""Which installed Python packages need a Pulumi resource plugin, as the official host decides.

A package is a Pulumi package when it ships ``<module>/pulumi-plugin.json`` or its name starts
with ``pulumi-``/``pulumi_``; ``pulumi-policy`` and ``pulumi-esc-sdk`` never have plugins. A
``pulumi-plugin.json`` with ``"resource": false`` opts out; its ``name``/``version``/``server``
win over the ones derived from the distribution (``pulumi-aws`` 6.1 → ``aws`` ``v6.1.0``).
Unlike the official host, an editable install's ``pulumi-plugin.json`` is found too (in the
module's directory, wherever the install's finder puts it).

The official host lists packages with ``pip list`` and ``pip show``; this one asks the project's
interpreter once through ``importlib.metadata`` (the same distributions, one process instead of
several, which matters because the engine asks on every preview and update).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from language_host.options import HostError
from language_host.processes import output_of

PACKAGES_WITHOUT_PLUGINS = frozenset({"pulumi-policy", "pulumi-esc-sdk"})

# The listing script: its docstring says what it prints and why it reads METADATA as it does.
_LIST_DISTRIBUTIONS = (Path(__file__).parent / "list_distributions.py").read_text(encoding="utf-8")
_NORMALIZE = re.compile(r"[-_.]+")
_TIMEOUT = 120.0


def normalize_name(name: str) -> str:
    """A distribution name as pip normalises it (``Pulumi_AWS`` → ``pulumi-aws``)."""
    return _NORMALIZE.sub("-", name.lower())


class PackageListingError(HostError):
    """The project's interpreter could not list its installed packages."""


@attrs.frozen(kw_only=True)
class InstalledPackage:
    """One distribution installed for the project's interpreter."""

    name: str
    version: str
    module_dir: Path

    @property
    def normalized_name(self) -> str:
        """The name as pip normalises it (``Pulumi_AWS`` → ``pulumi-aws``)."""
        return normalize_name(self.name)

    def plugin_json(self) -> dict[str, Any] | None:
        """The package's ``pulumi-plugin.json``, or ``None`` when it ships none."""
        path = self.module_dir / "pulumi-plugin.json"
        try:
            value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            msg = f"cannot read {path}: {exc}"
            raise PackageListingError(msg) from exc
        return value


@attrs.frozen(kw_only=True)
class PluginRequirement:
    """A resource plugin a program needs, as ``GetRequiredPackages`` reports it."""

    name: str
    version: str
    server: str = ""
    parameterization: Mapping[str, Any] | None = None


def list_installed(
    interpreter: str, *, env: Mapping[str, str], cwd: Path
) -> tuple[InstalledPackage, ...]:
    """The distributions ``interpreter`` sees, listed by one child process."""
    listed = output_of(
        [interpreter, "-c", _LIST_DISTRIBUTIONS],
        env=env,
        cwd=cwd,
        timeout_s=_TIMEOUT,
        what=f"listing the packages installed for {interpreter}",
        error=PackageListingError,
    )
    return tuple(
        InstalledPackage(
            name=item["name"], version=item["version"], module_dir=Path(item["module_dir"])
        )
        for item in json.loads(listed)
    )


def plugin_version(package_version: str) -> str | None:
    """A PEP 440 version as a plugin's semver, or ``None`` when it cannot be translated.

    ``1.0`` → ``1.0.0``; ``1.2.3a4`` → ``1.2.3-alpha.4``; ``1.2.3rc4`` → ``1.2.3-rc.4``;
    ``1.2.3.post4`` → ``1.2.3+post4``; ``1.2.3.dev5`` → ``1.2.3+dev5`` (the official host's rules).
    """
    match = re.fullmatch(
        r"(?P<release>\d+(?:\.\d+)*)"
        r"(?:(?P<pre>a|b|rc)(?P<pre_n>\d*))?"
        r"(?:\.post(?P<post>\d*))?"
        r"(?:\.dev(?P<dev>\d*))?",
        package_version,
    )
    if match is None:
        return None
    segments = match["release"].split(".")
    segments += ["0"] * (3 - len(segments))
    version = ".".join(segments)
    if match["pre"] is not None:
        label = {"a": "alpha", "b": "beta", "rc": "rc"}[match["pre"]]
        version += f"-{label}.{match['pre_n']}"
    if match["post"] is not None:
        version += f"+post{match['post']}"
    if match["dev"] is not None:
        version += ("dev" if match["post"] is not None else "+dev") + match["dev"]
    return version


def required_plugins(packages: Sequence[InstalledPackage]) -> tuple[PluginRequirement, ...]:
    """The resource plugins ``packages`` need (``GetRequiredPackages``' answer)."""
    required: list[PluginRequirement] = []
    for package in packages:
        plugin = package.plugin_json()
        name = package.normalized_name
        if plugin is None and not name.startswith("pulumi-"):
            continue
        if name in PACKAGES_WITHOUT_PLUGINS:
            continue
        if plugin is not None and not plugin.get("resource", False):
            continue  # the package says it has no plugin
        plugin = plugin or {}
        version = plugin.get("version") or plugin_version(package.version)
        if not version:
            continue
        required.append(
            PluginRequirement(
                name=plugin.get("name") or name.removeprefix("pulumi-"),
                version=version if version.startswith("v") else f"v{version}",
                server=plugin.get("server") or "",
                parameterization=plugin.get("parameterization"),
            )
        )
    return tuple(required)
