"""Print the JSON stack outputs on stdin readably: scalars whole, long lists summarised."""

from __future__ import annotations

import json
import sys
from typing import Any

SHOWN = 5


def _describe(value: Any) -> str:
    if isinstance(value, list):
        head = ", ".join(json.dumps(v) for v in value[:SHOWN])
        more = f", ... ({len(value)} in all)" if len(value) > SHOWN else ""
        return f"[{head}{more}]"
    if isinstance(value, dict):
        items = list(value.items())[:SHOWN]
        head = ", ".join(f"{k}: {json.dumps(v)}" for k, v in items)
        more = f", ... ({len(value)} in all)" if len(value) > SHOWN else ""
        return f"{{{head}{more}}}"
    return json.dumps(value)


def main() -> int:
    """Read the outputs and print one line per output."""
    outputs: dict[str, Any] = json.load(sys.stdin)
    width = max((len(k) for k in outputs), default=0)
    for name, value in outputs.items():
        print(f"  {name.ljust(width)}  {_describe(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
