"""The project's interpreter lists its distributions: ``python -c`` runs this file's text.

Prints a JSON list of ``{"name", "version", "module_dir"}``: each distribution's name, version
and the directory of its module (``<location>/<name with underscores>``, or where an editable
install's finder puts it). Only the headers of each METADATA are parsed, once:
``dist.metadata`` parses the whole file, long description included, on every access, which
took about a third of the listing's CPU. Run by the Python host (``packages.list_installed``)
and by its Go front (``tools/pulumi-language-python``).
"""

from __future__ import annotations  # the project's interpreter may be older than this one

import email.parser
import importlib.metadata
import importlib.util
import json
import os
import re
import sys

sys.path[:] = [p for p in sys.path if p]
headers = email.parser.HeaderParser()
seen: set[str] = set()
found: list[dict[str, str]] = []
for dist in importlib.metadata.distributions():
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    metadata = headers.parsestr(text.split("\n\n", 1)[0])
    name = metadata["Name"]
    if not name or name.lower() in seen:
        continue
    seen.add(name.lower())
    module = re.sub(r"[-_.]+", "_", name.lower())
    # os.path, not pathlib: the engine asks for this listing on every preview and update.
    module_dir = os.path.join(str(dist.locate_file("")), module)  # noqa: PTH118
    if not os.path.isdir(module_dir):  # noqa: PTH112
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            module_dir = next(iter(spec.submodule_search_locations))
    found.append({"name": name, "version": metadata["Version"], "module_dir": module_dir})
json.dump(found, sys.stdout)
