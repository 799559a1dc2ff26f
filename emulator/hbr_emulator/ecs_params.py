"""Validation of ECS ``DescribeInstances`` parameters into an ``InstanceQuery``.

As the official SDK sends them: ``PageNumber``/``PageSize`` (1-100, default 10), or
``NextToken``/``MaxResults`` (either one selects token paging, where ``MaxResults``
below 10 counts as 10 and above 100 as 100, as the SDK's documentation says);
``InstanceIds`` a JSON array of up to 100 strings (``[]`` matches nothing, as in ECS);
``Tag.N.Key``/``Tag.N.Value`` (N 1-20, all must match; a key alone matches any value);
``Status``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from hbr_emulator.ecs_models import InstanceQuery
from hbr_emulator.ecs_wire import INSTANCE_STATUSES, decode_token
from hbr_emulator.exceptions import (
    InvalidInstanceIdsMalformed,
    InvalidInstanceIdsValueNotSupported,
    InvalidParameter,
    InvalidStatusValueNotSupported,
    InvalidTagMismatch,
)
from hbr_emulator.params import MAX_PAGE_NUMBER, integer_param, parse_tags

MAX_PAGE_SIZE = 100
"""Largest ``PageSize`` and ``MaxResults``."""

MIN_MAX_RESULTS = 10
"""``MaxResults`` below this counts as this."""

MAX_INSTANCE_IDS = 100
"""Most IDs ``InstanceIds`` may hold."""


def _instance_ids(params: Mapping[str, str]) -> frozenset[str] | None:
    raw = params.get("InstanceIds")
    if raw is None or raw == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"The parameter InstanceIds must be a JSON array of strings, got {raw!r}."
        raise InvalidInstanceIdsMalformed(msg)
    if len(value) > MAX_INSTANCE_IDS:
        msg = f"InstanceIds holds {len(value)} IDs; at most {MAX_INSTANCE_IDS} are allowed."
        raise InvalidInstanceIdsValueNotSupported(msg)
    return frozenset(value)


def _status(params: Mapping[str, str]) -> str | None:
    status = params.get("Status") or None
    if status is not None and status not in INSTANCE_STATUSES:
        msg = f"Status must be one of {', '.join(INSTANCE_STATUSES)}, got {status!r}."
        raise InvalidStatusValueNotSupported(msg)
    return status


def _token_window(params: Mapping[str, str]) -> tuple[int, int]:
    limit = integer_param(params, "MaxResults", MIN_MAX_RESULTS, -(2**31), 2**31 - 1)
    limit = min(MAX_PAGE_SIZE, max(MIN_MAX_RESULTS, limit))
    token = params.get("NextToken") or ""
    if not token:
        return 0, limit
    try:
        return decode_token(token), limit
    except ValueError:
        msg = f"The specified NextToken {token!r} is not valid."
        raise InvalidParameter(msg) from None


def parse_instances_query(params: Mapping[str, str], *, region_id: str) -> InstanceQuery:
    """Validate the parameters of a ``DescribeInstances`` call in ``region_id``.

    Raises ``InvalidParameter``, ``InvalidInstanceIds.Malformed``,
    ``InvalidInstanceIds.ValueNotSupported``, ``InvalidStatus.ValueNotSupported`` or
    ``InvalidTag.Mismatch``.
    """
    page_number = integer_param(params, "PageNumber", 1, 1, MAX_PAGE_NUMBER)
    page_size = integer_param(params, "PageSize", 10, 1, MAX_PAGE_SIZE)
    by_token = bool(params.get("NextToken")) or bool(params.get("MaxResults"))
    if by_token:
        offset, limit = _token_window(params)
    else:
        offset, limit = (page_number - 1) * page_size, page_size
    return InstanceQuery(
        region_id=region_id,
        page_number=page_number,
        page_size=page_size,
        by_token=by_token,
        offset=offset,
        limit=limit,
        instance_ids=_instance_ids(params),
        tags=parse_tags(params, missing_key=InvalidTagMismatch),
        status=_status(params),
    )
