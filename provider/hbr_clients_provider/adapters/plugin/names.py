"""Names across the edge: the query engine's snake_case and the schema's camelCase.

Every name of the ``hbr`` package is the camelCase form of a model's snake_case name
(``cross_account_user_id`` -> ``crossAccountUserId``), so one function converts them and no
table of names is kept by hand.
"""

from __future__ import annotations

import re

__all__ = ["camel", "camel_path", "snake"]

_PATH_HEAD = re.compile(r"^[a-z0-9_]+")


def camel(name: str) -> str:
    """``cross_account_user_id`` -> ``crossAccountUserId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """``crossAccountUserId`` -> ``cross_account_user_id``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def camel_path(path: str) -> str:
    """A violation's field path in camelCase: ``backup_statuses[1]`` -> ``backupStatuses[1]``."""
    return _PATH_HEAD.sub(lambda m: camel(m.group(0)), path)
