"""The provider package's subpackages import one way: api, then audit, then the adapters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_LOADED = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def _loaded_by(package: str) -> list[str]:
    """The modules a fresh interpreter holds after importing every module of ``package``."""
    proc = subprocess.run(
        [sys.executable, "-c", _LOADED, package], capture_output=True, text=True, check=True
    )
    modules: list[str] = json.loads(proc.stdout)
    return modules


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (
            "hbr_clients_provider.api",
            ("hbr_clients_provider.audit", "hbr_clients_provider.adapters", "pulumi"),
        ),
        ("hbr_clients_provider.audit", ("hbr_clients_provider.adapters", "pulumi")),
    ],
)
def test_lower_layer_never_imports_a_higher_one(package: str, forbidden: tuple[str, ...]) -> None:
    """Importing all of the API client (or the audit) loads no audit, adapter, CLI or Pulumi."""
    loaded = _loaded_by(package)
    assert f"{package}.paging" in loaded or f"{package}.rules" in loaded
    assert "hbr_clients_provider.cli" not in loaded
    assert [m for m in loaded if m.startswith(forbidden)] == []
