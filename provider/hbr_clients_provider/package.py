"""What this package is: its distribution name and installed version."""

from __future__ import annotations

from importlib import metadata

__all__ = ["DISTRIBUTION", "UNKNOWN_VERSION", "package_version"]

DISTRIBUTION = "pulumi-hbr-clients"
"""The name this project is installed under (``pip install pulumi-hbr-clients``)."""

UNKNOWN_VERSION = "0+unknown"
"""The version reported when the modules run without being installed (a bare checkout)."""


def package_version() -> str:
    """Return the installed version of :data:`DISTRIBUTION`, from its metadata."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION
