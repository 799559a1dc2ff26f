"""Record which Python processes start, and which import ``alibabacloud_tea_openapi``.

``bench/pulumi_overhead.py`` puts this directory on ``PYTHONPATH`` for one untimed run of each
command, with ``BENCH_IMPORT_LOG`` naming a file: every process that imports this module (the
program, the dynamic-provider processes) appends one JSON line when it starts and one when it
first imports the Alibaba Cloud SDK. The language host runs with ``python -I`` and is not seen.
"""

import json
import os
import sys

_LOG = os.environ.get("BENCH_IMPORT_LOG")


def _record(event: str) -> None:
    if _LOG:
        line = {"pid": os.getpid(), "event": event, "argv": sys.orig_argv}
        with open(_LOG, "a", encoding="utf-8") as log:  # noqa: PTH123 - no pathlib at start-up
            log.write(json.dumps(line) + "\n")


class _Watch:
    """A meta-path finder that finds nothing and notes the first SDK import."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        """Note ``alibabacloud_tea_openapi`` once; let the real finders do the work."""
        del path, target
        if name == "alibabacloud_tea_openapi":
            sys.meta_path.remove(_Watch)  # type: ignore[arg-type]
            _record("tea_openapi")


if _LOG:
    sys.meta_path.insert(0, _Watch)  # type: ignore[arg-type]
    _record("start")
