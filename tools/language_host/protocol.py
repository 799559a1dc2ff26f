"""Load the Python SDK's generated gRPC stubs without running ``pulumi/__init__.py``.

Importing ``pulumi.runtime.proto`` imports the whole SDK first (``pulumi/__init__.py`` pulls in
the runtime, outputs, resources and their dependencies): 0.7 s against 0.3 s for the stubs alone,
measured on a shared 2-core machine. The engine starts a language host for each phase of a
command (three for ``pulumi up``), so the host loads only the generated modules it serves.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

_PACKAGES = (
    ("pulumi", ""),
    ("pulumi.runtime", "runtime"),
    ("pulumi.runtime.proto", "runtime/proto"),
)


class SdkNotInstalledError(RuntimeError):
    """The ``pulumi`` package is not installed for the host's interpreter."""

    def __init__(self, interpreter: str) -> None:
        self.interpreter = interpreter
        super().__init__(
            f"pulumi-language-python: the `pulumi` package is not installed for {interpreter}; "
            "run `make setup` in the pulumi-hbr-clients checkout"
        )


def load_stubs_only() -> None:
    """Make ``pulumi.runtime.proto.*`` importable without importing the SDK's package roots.

    Does nothing when ``pulumi`` is already imported (a test process, for instance).
    """
    if "pulumi" in sys.modules:
        return
    spec = importlib.util.find_spec("pulumi")
    if spec is None or not spec.submodule_search_locations:
        raise SdkNotInstalledError(sys.executable)
    base = Path(next(iter(spec.submodule_search_locations)))
    for name, relative in _PACKAGES:
        package = types.ModuleType(name)
        package.__path__ = [str(base / relative)]
        sys.modules[name] = package
