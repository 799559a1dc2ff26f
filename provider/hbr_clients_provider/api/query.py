"""The validated query model of ``DescribeBackupClients`` and its client-side filters.

Build a :class:`ClientQuery` from plain JSON-ish inputs (the shape Pulumi inputs and CLI
flags arrive in) with :meth:`ClientQuery.from_inputs`; it raises one
:class:`~hbr_clients_provider.errors.InvalidQuery` listing every violation. Use
:func:`validate_inputs` to get the violations without raising (Pulumi ``check()``).

The rules are the API reference's: ``client_type`` is one of ``ECS_CLIENT``,
``CONTAINER_CLIENT``, ``LOCAL_CLIENT``; ``page_size`` 1-99; ``page_number`` 1 to 2**31-1; 1-20
tags whose keys and values are non-empty, do not start with ``aliyun`` or ``acs:`` and
contain no ``http://`` or ``https://``; cross-account needs a positive user ID *and* a
role name (the user ID in ASCII digits, 1 to 2**63-1); IDs are never empty or blank.
Client-side filters (``statuses``, ``backup_statuses``, ``name_regex``, ``outdated_only``,
``heartbeat_older_than``) are checked too and applied after listing by
:meth:`ClientQuery.matches`; ``name_regex`` is an RE2 pattern (:mod:`.name_regex`) and
``heartbeat_older_than`` at most :data:`~.durations.MAX_DURATION`.

Every violation carries the value given and, for a list of choices, the closest one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from hbr_clients_provider.api.coerce import (
    BadInputError,
    Converter,
    closest,
    coerce_inputs,
    int_in,
    to_bool,
    to_duration,
    to_str,
    to_str_list,
)
from hbr_clients_provider.api.constants import (
    BACKUP_STATUSES,
    CLIENT_STATUSES,
    CLIENT_TYPES,
    CROSS_ACCOUNT_TYPES,
    MAX_PAGE_SIZE,
    MAX_TAGS,
)
from hbr_clients_provider.api.name_regex import compile_name_regex, regex_problem
from hbr_clients_provider.errors import InvalidQuery, Violation

if TYPE_CHECKING:
    from hbr_clients_provider.api.models import BackupClient

__all__ = [
    "INPUT_NAMES",
    "ClientQuery",
    "Filter",
    "TagFilter",
    "validate_inputs",
]

#: The largest ``PageNumber`` (a 32-bit integer on the wire).
MAX_PAGE_NUMBER = 2**31 - 1

#: The largest ``CrossAccountUserId`` (a long on the wire).
MAX_USER_ID = 2**63 - 1

_RESERVED_TAG_PREFIXES = ("aliyun", "acs:")
_FORBIDDEN_TAG_SUBSTRINGS = ("http://", "https://")


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class TagFilter:
    """A ``Tag`` request condition: clients carrying tag ``key`` with ``value``."""

    key: str
    value: str


@attrs.frozen(kw_only=True)
class Filter:
    """A ``Filters`` request condition (keys are undocumented; passed through as given)."""

    key: str
    values: tuple[str, ...] = attrs.field(converter=_str_tuple)


def _tag_problems(text: str) -> str | None:
    if not text:
        return "must not be empty"
    if text.lower().startswith(_RESERVED_TAG_PREFIXES):
        return "must not start with 'aliyun' or 'acs:'"
    if any(s in text.lower() for s in _FORBIDDEN_TAG_SUBSTRINGS):
        return "must not contain 'http://' or 'https://'"
    return None


def _choice(field: str, value: Any, allowed: Sequence[str]) -> Violation:
    """The violation of ``value`` that is not one of ``allowed``, with the closest choice."""
    return Violation(
        field=field,
        rule=f"must be one of {', '.join(allowed)}",
        value=value,
        suggestion=closest(value, allowed),
    )


def _semantic_violations(q: Mapping[str, Any]) -> list[Violation]:
    """Check already-typed fields against the documented rules."""
    out: list[Violation] = []
    add = out.append
    if q.get("client_type") is None:
        add(Violation(field="client_type", rule="is required"))
    elif q["client_type"] not in CLIENT_TYPES:
        add(_choice("client_type", q["client_type"], CLIENT_TYPES))
    cluster_id = q.get("cluster_id")
    if cluster_id is not None and not cluster_id.strip():
        add(Violation(field="cluster_id", rule="must not be empty or blank", value=cluster_id))
    for name in ("client_ids", "instance_ids"):
        for i, value in enumerate(q.get(name) or ()):
            if not value.strip():
                add(Violation(field=f"{name}[{i}]", rule="must not be empty or blank", value=value))
    out.extend(_tag_violations(q.get("tags") or ()))
    out.extend(_cross_account_violations(q))
    out.extend(_filter_violations(q.get("filters") or ()))
    for name, high in (("page_number", MAX_PAGE_NUMBER), ("page_size", MAX_PAGE_SIZE)):
        number = q.get(name)
        if number is not None and not 1 <= number <= high:
            nearest = str(min(max(number, 1), high))
            rule = f"must be between 1 and {high}"
            add(Violation(field=name, rule=rule, value=number, suggestion=nearest))
    out.extend(_client_side_violations(q))
    return out


def _client_side_violations(q: Mapping[str, Any]) -> list[Violation]:
    out: list[Violation] = []
    for name, allowed in (("statuses", CLIENT_STATUSES), ("backup_statuses", BACKUP_STATUSES)):
        for i, value in enumerate(q.get(name) or ()):
            if value not in allowed:
                out.append(_choice(f"{name}[{i}]", value, allowed))
    name_regex = q.get("name_regex")
    problem = None if name_regex is None else regex_problem(name_regex)
    if problem is not None:
        rule = f"must be an RE2 regular expression, without backreferences or lookaround: {problem}"
        out.append(Violation(field="name_regex", rule=rule, value=name_regex))
    older = q.get("heartbeat_older_than")
    if older is not None and older <= timedelta(0):
        rule = "must be a positive duration"
        out.append(Violation(field="heartbeat_older_than", rule=rule, value=older))
    return out


def _tag_violations(tags: Sequence[TagFilter]) -> list[Violation]:
    out: list[Violation] = []
    if len(tags) > MAX_TAGS:
        rule = f"must have at most {MAX_TAGS} entries"
        out.append(Violation(field="tags", rule=rule, value=f"{len(tags)} entries"))
    for i, tag in enumerate(tags):
        for part in ("key", "value"):
            text = getattr(tag, part)
            problem = _tag_problems(text)
            if problem:
                out.append(Violation(field=f"tags[{i}].{part}", rule=problem, value=text))
    return out


def _filter_violations(filters: Sequence[Filter]) -> list[Violation]:
    out: list[Violation] = []
    for i, f in enumerate(filters):
        if not f.key.strip():
            rule = "must not be empty or blank"
            out.append(Violation(field=f"filters[{i}].key", rule=rule, value=f.key))
        if not f.values:
            rule = "must have at least one value"
            out.append(Violation(field=f"filters[{i}].values", rule=rule, value=list(f.values)))
        for j, v in enumerate(f.values):
            if not v.strip():
                field = f"filters[{i}].values[{j}]"
                out.append(Violation(field=field, rule="must not be empty", value=v))
    return out


def _cross_account_violations(q: Mapping[str, Any]) -> list[Violation]:
    out: list[Violation] = []
    kind = q.get("cross_account_type")
    user_id = q.get("cross_account_user_id")
    role = q.get("cross_account_role_name")
    if kind is not None and kind not in CROSS_ACCOUNT_TYPES:
        out.append(_choice("cross_account_type", kind, CROSS_ACCOUNT_TYPES))
    if user_id is not None and not 1 <= user_id <= MAX_USER_ID:
        rule = f"must be an account UID between 1 and {MAX_USER_ID}"
        out.append(Violation(field="cross_account_user_id", rule=rule, value=user_id))
    if role is not None and not role.strip():
        rule = "must not be empty or blank"
        out.append(Violation(field="cross_account_role_name", rule=rule, value=role))
    if kind == "SELF_ACCOUNT":
        for name, value in (("cross_account_user_id", user_id), ("cross_account_role_name", role)):
            if value is not None:
                rule = "is only allowed with cross_account_type CROSS_ACCOUNT"
                out.append(Violation(field=name, rule=rule, value=value))
    elif kind == "CROSS_ACCOUNT" or user_id is not None or role is not None:
        if user_id is None:
            rule = "is required for cross-account access (with cross_account_role_name)"
            out.append(Violation(field="cross_account_user_id", rule=rule))
        if role is None:
            rule = "is required for cross-account access (with cross_account_user_id)"
            out.append(Violation(field="cross_account_role_name", rule=rule))
    return out


@attrs.frozen(kw_only=True)
class ClientQuery:
    """A validated ``DescribeBackupClients`` query plus client-side filters.

    Construction checks every rule and raises :class:`InvalidQuery` listing all violations.
    Setting ``page_number`` or ``page_size`` asks for that single page; otherwise every
    page is listed. When ``cross_account_user_id`` and ``cross_account_role_name`` are given
    without ``cross_account_type``, the type is ``CROSS_ACCOUNT``.
    """

    client_type: str
    cluster_id: str | None = None
    client_ids: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    instance_ids: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    tags: tuple[TagFilter, ...] = attrs.field(default=(), converter=tuple)
    cross_account_type: str | None = None
    cross_account_user_id: int | None = None
    cross_account_role_name: str | None = None
    filters: tuple[Filter, ...] = attrs.field(default=(), converter=tuple)
    page_number: int | None = None
    page_size: int | None = None
    statuses: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    backup_statuses: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    name_regex: str | None = None
    outdated_only: bool = False
    heartbeat_older_than: timedelta | None = None

    def __attrs_post_init__(self) -> None:
        violations = _semantic_violations(attrs.asdict(self, recurse=False))
        if violations:
            raise InvalidQuery(tuple(violations))
        if self.cross_account_type is None and self.cross_account_user_id is not None:
            object.__setattr__(self, "cross_account_type", "CROSS_ACCOUNT")

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> ClientQuery:
        """Build a query from snake_case JSON-ish inputs; raise one :class:`InvalidQuery`.

        Accepted shapes: lists (or a single string) for ID and status lists; tags as
        ``{"env": "prod"}``, ``[{"key": "env", "value": "prod"}]`` or ``["env=prod"]``;
        filters as ``[{"key": k, "values": [...]}]`` or ``{k: [...]}``; integers as numbers
        or digit strings; ``heartbeat_older_than`` as seconds or ``"15m"``/``"2h"``/``"1d"``.
        ``None`` means "not set".
        """
        fields, violations = _normalize(inputs)
        if violations:
            raise InvalidQuery(tuple(violations))
        return cls(**fields)

    @property
    def single_page(self) -> bool:
        """Whether the query asks for one page (``page_number`` or ``page_size`` set)."""
        return self.page_number is not None or self.page_size is not None

    @property
    def has_client_side_filters(self) -> bool:
        """Whether any filter applies after listing."""
        return bool(
            self.statuses
            or self.backup_statuses
            or self.name_regex is not None
            or self.outdated_only
            or self.heartbeat_older_than is not None
        )

    def request_params(
        self,
        *,
        page_number: int,
        page_size: int,
        client_ids: Sequence[str] | None = None,
        instance_ids: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Return the snake_case request parameters of one page (for :mod:`.wire`).

        ``client_ids``/``instance_ids`` override the query's lists (used for chunking).
        """
        return {
            "client_type": self.client_type,
            "cluster_id": self.cluster_id,
            "client_ids": tuple(self.client_ids if client_ids is None else client_ids),
            "instance_ids": tuple(self.instance_ids if instance_ids is None else instance_ids),
            "tags": tuple((t.key, t.value) for t in self.tags),
            "cross_account_type": self.cross_account_type,
            "cross_account_user_id": self.cross_account_user_id,
            "cross_account_role_name": self.cross_account_role_name,
            "filters": tuple((f.key, f.values) for f in self.filters),
            "page_number": page_number,
            "page_size": page_size,
        }

    def matcher(self, *, now: datetime | None = None) -> Callable[[BackupClient], bool]:
        """Return a predicate applying the client-side filters, evaluated at ``now``."""
        statuses = frozenset(self.statuses)
        backup_statuses = frozenset(self.backup_statuses)
        pattern = compile_name_regex(self.name_regex) if self.name_regex is not None else None
        cutoff: int | None = None
        if self.heartbeat_older_than is not None:
            moment = now or datetime.now(tz=UTC)
            cutoff = int((moment - self.heartbeat_older_than).timestamp())

        def match(client: BackupClient) -> bool:
            if statuses and client.status not in statuses:
                return False
            if backup_statuses and client.backup_status not in backup_statuses:
                return False
            if pattern is not None and not any(
                text is not None and pattern.search(text)
                for text in (client.instance_name, client.hostname)
            ):
                return False
            if self.outdated_only and not client.is_outdated:
                return False
            return cutoff is None or client.last_heartbeat_time < cutoff

        return match

    def matches(self, client: BackupClient, *, now: datetime | None = None) -> bool:
        """Whether ``client`` passes the client-side filters at ``now`` (default: now)."""
        return self.matcher(now=now)(client)


#: Every input name :meth:`ClientQuery.from_inputs` accepts.
INPUT_NAMES: tuple[str, ...] = tuple(f.name for f in attrs.fields(ClientQuery))


def validate_inputs(inputs: Mapping[str, Any]) -> tuple[Violation, ...]:
    """Return every violation of ``inputs`` (empty when valid); never raises for bad input."""
    _, violations = _normalize(inputs)
    return tuple(violations)


# --- input normalisation: JSON-ish values -> typed fields -------------------------------


def _tag_list(field: str, value: Any) -> tuple[TagFilter, ...]:
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
        for i, item in enumerate(value):
            if isinstance(item, TagFilter):
                pairs.append((item.key, item.value))
            elif isinstance(item, Mapping):
                extra = set(item) - {"key", "value"}
                if extra:
                    rule = "must have only 'key' and 'value'"
                    raise BadInputError(f"{field}[{i}]", rule, dict(item))
                pairs.append((item.get("key"), item.get("value")))
            elif isinstance(item, str) and "=" in item:
                key, _, val = item.partition("=")
                pairs.append((key, val))
            else:
                raise BadInputError(
                    f"{field}[{i}]",
                    "must be KEY=VALUE or {'key': ..., 'value': ...}",
                    item,
                    _tag_suggestion(item),
                )
    else:
        rule = "must be a mapping or a list of {'key', 'value'} entries"
        raise BadInputError(field, rule, value)
    tags = []
    for i, (key, val) in enumerate(pairs):
        if key is None or val is None:
            missing = "key" if key is None else "value"
            raise BadInputError(f"{field}[{i}].{missing}", "must not be empty", None)
        tags.append(
            TagFilter(
                key=to_str(f"{field}[{i}].key", key), value=to_str(f"{field}[{i}].value", val)
            )
        )
    return tuple(tags)


def _tag_suggestion(item: Any) -> str | None:
    """``env:prod`` -> ``env=prod``: the ``KEY=VALUE`` a tag written another way meant."""
    if not isinstance(item, str):
        return None
    for separator in (":", " "):
        key, found, val = item.strip().partition(separator)
        if found and key.strip() and val.strip():
            return f"{key.strip()}={val.strip()}"
    return None


def _filter_list(field: str, value: Any) -> tuple[Filter, ...]:
    entries: list[tuple[Any, Any]] = []
    if isinstance(value, Mapping):
        entries = list(value.items())
    elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
        for i, item in enumerate(value):
            if isinstance(item, Filter):
                entries.append((item.key, item.values))
            elif isinstance(item, Mapping) and not set(item) - {"key", "values"}:
                entries.append((item.get("key"), item.get("values")))
            else:
                rule = "must be {'key': ..., 'values': [...]}"
                raise BadInputError(f"{field}[{i}]", rule, item)
    else:
        raise BadInputError(field, "must be a list of {'key', 'values'} entries", value)
    return tuple(
        Filter(
            key=to_str(f"{field}[{i}].key", key),
            values=to_str_list(f"{field}[{i}].values", values if values is not None else ()),
        )
        for i, (key, values) in enumerate(entries)
    )


_COERCE: Mapping[str, Converter] = {
    "client_type": to_str,
    "cluster_id": to_str,
    "client_ids": to_str_list,
    "instance_ids": to_str_list,
    "tags": _tag_list,
    "cross_account_type": to_str,
    "cross_account_user_id": int_in(1, MAX_USER_ID),
    "cross_account_role_name": to_str,
    "filters": _filter_list,
    "page_number": int_in(1, MAX_PAGE_NUMBER),
    "page_size": int_in(1, MAX_PAGE_SIZE),
    "statuses": to_str_list,
    "backup_statuses": to_str_list,
    "name_regex": to_str,
    "outdated_only": to_bool,
    "heartbeat_older_than": to_duration,
}


def _normalize(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], list[Violation]]:
    """Coerce every input, then check the rules; return the fields and all violations."""
    if not isinstance(inputs, Mapping):
        rule = "must be a mapping of input names"
        return {}, [Violation(field="inputs", rule=rule, value=inputs)]
    fields, violations, bad_fields = coerce_inputs(inputs, _COERCE)
    if "client_type" not in fields and "client_type" not in bad_fields:
        violations.append(Violation(field="client_type", rule="is required"))
    checkable = dict(fields)
    checkable.setdefault("client_type", "ECS_CLIENT")  # already reported when missing
    violations.extend(
        v for v in _semantic_violations(checkable) if v.field.split("[")[0] not in bad_fields
    )
    return fields, violations
