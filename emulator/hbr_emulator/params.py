"""Validation of ``DescribeBackupClients`` parameters into a ``ListQuery``.

:func:`integer_param` and :func:`parse_tags` serve ECS's parameters too
(:mod:`hbr_emulator.ecs_params`): both APIs page by number and filter by ``Tag.N``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from hbr_emulator.defaults import CLIENT_TYPES, SELF_ACCOUNT, cross_account_key
from hbr_emulator.exceptions import (
    HbrApiError,
    InvalidParameter,
    MissingClientType,
    MissingParameter,
)
from hbr_emulator.models import ListQuery

MAX_PAGE_SIZE = 99
MAX_PAGE_NUMBER = 2**31 - 1
MAX_TAGS = 20
_TAG = re.compile(r"^Tag\.(\d+)\.(Key|Value)$")
_FILTER = re.compile(r"^Filters\.(\d+)\.(?:Key|Values\.(\d+))$")


def integer_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """Return integer parameter ``name`` (``default`` if absent); ``InvalidParameter`` if bad."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        msg = f"The parameter {name} must be an integer, got {raw!r}."
        raise InvalidParameter(msg) from None
    if not low <= value <= high:
        msg = f"The parameter {name} must be between {low} and {high}, got {value}."
        raise InvalidParameter(msg)
    return value


def _id_list(params: Mapping[str, str], name: str) -> frozenset[str] | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"The parameter {name} must be a JSON array of strings, got {raw!r}."
        raise InvalidParameter(msg)
    return frozenset(value) if value else None


def _check_tag_text(kind: str, text: str) -> None:
    lowered = text.lower()
    if (
        not text
        or lowered.startswith(("aliyun", "acs:"))
        or "http://" in lowered
        or "https://" in lowered
    ):
        msg = f"The tag {kind} {text!r} is not valid."
        raise InvalidParameter(msg)


def parse_tags(
    params: Mapping[str, str],
    *,
    missing_key: Callable[[str], HbrApiError] = MissingParameter,
) -> tuple[tuple[str, str | None], ...]:
    """Return the ``Tag.N.Key``/``Tag.N.Value`` pairs in ``N`` order (value None: any value).

    A ``Tag.N.Value`` without its key raises ``missing_key(message)``; more than
    :data:`MAX_TAGS` tags, a bad ``N`` or a bad text raise ``InvalidParameter``.
    """
    entries: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        match = _TAG.match(name)
        if match:
            entries.setdefault(int(match[1]), {})[match[2]] = value
        elif name.startswith("Tag."):
            msg = f"The parameter {name} is not valid."
            raise InvalidParameter(msg)
    if not entries:
        return ()
    if len(entries) > MAX_TAGS or not all(1 <= n <= MAX_TAGS for n in entries):
        msg = f"At most {MAX_TAGS} tags, numbered from 1, may be given."
        raise InvalidParameter(msg)
    tags: list[tuple[str, str | None]] = []
    for _, entry in sorted(entries.items()):
        if "Key" not in entry:
            msg = "Every Tag.N.Value needs a Tag.N.Key."
            raise missing_key(msg)
        _check_tag_text("key", entry["Key"])
        if "Value" in entry:
            _check_tag_text("value", entry["Value"])
        tags.append((entry["Key"], entry.get("Value")))
    return tuple(tags)


def _filters(params: Mapping[str, str]) -> tuple[tuple[str, frozenset[str]], ...]:
    keys: dict[int, str] = {}
    values: dict[int, set[str]] = {}
    for name, value in params.items():
        match = _FILTER.match(name)
        if match is None:
            continue
        index = int(match[1])
        if match[2] is None:
            keys[index] = value
        else:
            values.setdefault(index, set()).add(value)
    return tuple(
        (keys[index], frozenset(values.get(index, ()))) for index in sorted(keys) if index in values
    )


def _account(params: Mapping[str, str]) -> str:
    kind = params.get("CrossAccountType") or "SELF_ACCOUNT"
    if kind == "SELF_ACCOUNT":
        return SELF_ACCOUNT
    if kind != "CROSS_ACCOUNT":
        msg = f"CrossAccountType must be SELF_ACCOUNT or CROSS_ACCOUNT, got {kind!r}."
        raise InvalidParameter(msg)
    for name in ("CrossAccountUserId", "CrossAccountRoleName"):
        if not params.get(name):
            msg = f"{name} is mandatory when CrossAccountType is CROSS_ACCOUNT."
            raise MissingParameter(msg)
    user_id = params["CrossAccountUserId"]
    if not user_id.isdigit():
        msg = f"CrossAccountUserId must be a number, got {user_id!r}."
        raise InvalidParameter(msg)
    return cross_account_key(int(user_id), params["CrossAccountRoleName"])


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """Validate the parameters of a ``DescribeBackupClients`` call.

    Raises ``MissingClientType``, ``MissingParameter`` or ``InvalidParameter``.
    """
    client_type = params.get("ClientType")
    if not client_type:
        raise MissingClientType
    if client_type not in CLIENT_TYPES:
        msg = f"ClientType must be one of {', '.join(CLIENT_TYPES)}, got {client_type!r}."
        raise InvalidParameter(msg)
    return ListQuery(
        client_type=client_type,
        page_number=integer_param(params, "PageNumber", 1, 1, MAX_PAGE_NUMBER),
        page_size=integer_param(params, "PageSize", 10, 1, MAX_PAGE_SIZE),
        account=_account(params),
        client_ids=_id_list(params, "ClientIds"),
        instance_ids=_id_list(params, "InstanceIds"),
        tags=parse_tags(params),
        cluster_id=params.get("ClusterId") or None,
        filters=_filters(params),
    )
