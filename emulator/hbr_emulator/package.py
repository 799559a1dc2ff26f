"""The installed version of the distribution the emulator ships in."""

from __future__ import annotations

from importlib import metadata

__all__ = ["package_version"]

_DISTRIBUTION = "pulumi-hbr-clients"


def package_version() -> str:
    """Return the installed version of ``pulumi-hbr-clients`` (``0+unknown`` if not installed)."""
    try:
        return metadata.version(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"
