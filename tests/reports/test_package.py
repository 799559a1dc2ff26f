"""The reports package as shipped: its data files, and the layers it may import."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from hbr_clients_provider.reports.json_report import load_schema

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "provider" / "hbr_clients_provider" / "reports"

_LOADED = """
import importlib, json, pkgutil, sys
package = importlib.import_module("hbr_clients_provider.reports")
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_every_data_file_is_package_data() -> None:
    """The schema and the HTML assets are matched by the package-data of a listed package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    files = [
        p.relative_to(PACKAGE)
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    ]
    assert sorted(map(str, files)) == [
        "assets/report.css",
        "assets/report.js",
        "report.schema.json",
    ]
    for path in files:
        package = ".".join(("hbr_clients_provider", "reports", *path.parent.parts))
        assert package in config["packages"], path
        patterns = config["package-data"].get(package, [])
        assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), path


def test_the_schema_is_loaded_from_the_package() -> None:
    """load_schema reads the file shipped next to the module."""
    assert load_schema() == json.loads((PACKAGE / "report.schema.json").read_text())


def test_reports_import_no_adapter_cli_or_pulumi() -> None:
    """Importing every report module loads no Pulumi adapter, CLI or Pulumi."""
    proc = subprocess.run(
        [sys.executable, "-c", _LOADED], capture_output=True, text=True, check=True
    )
    loaded = json.loads(proc.stdout)
    assert "hbr_clients_provider.reports.html" in loaded
    forbidden = ("hbr_clients_provider.adapters", "hbr_clients_provider.cli", "pulumi")
    assert [m for m in loaded if m.startswith(forbidden)] == []
