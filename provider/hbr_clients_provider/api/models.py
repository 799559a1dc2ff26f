"""Typed, frozen result models: a backup client, its settings and tags, pages and listings.

Models are built from wire dicts with ``from_wire`` (which tolerates missing fields and
ignores unknown ones; names come from :mod:`hbr_clients_provider.api.wire`) and rendered
with ``to_dict`` into stable, JSON-safe snake_case dicts. ``ProxyPassword`` is a secret:
it is excluded from ``repr`` and masked as ``"******"`` by ``to_dict`` unless
``reveal_secrets=True``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from operator import call, itemgetter
from typing import Any, Final

import attrs

from hbr_clients_provider.api import wire
from hbr_clients_provider.api.versions import compare_versions

__all__ = [
    "MASK",
    "BackupClient",
    "ClientListing",
    "ClientSettings",
    "ClientsPage",
    "Tag",
    "check_answer",
    "check_envelope",
    "wire_count",
]

#: What a secret looks like in output unless it is revealed on purpose.
MASK = "******"


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _opt_int(value: Any) -> int | None:
    """``"4"`` -> 4, ``4`` -> 4, ``""``/``None``/junk -> None (wire strings mean integers)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            return int(float(str(value).strip()))
        except (ValueError, OverflowError):
            return None


def _opt_bool(value: Any) -> bool | None:
    """``"true"``/``"false"`` (any case) and booleans -> bool; anything else -> None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def _id_str(value: Any) -> str:
    return _opt_str(value) or ""


def _int0(value: Any) -> int:
    converted = _opt_int(value)
    return 0 if converted is None else converted


def _to_datetime(seconds: int) -> datetime | None:
    if not seconds:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


@attrs.frozen(kw_only=True)
class Tag:
    """A resource tag on a backup client."""

    key: str = attrs.field(converter=str)
    value: str = attrs.field(converter=str, default="")

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Tag:
        """Build a tag from a wire ``{"Key", "Value"}`` dict."""
        fields = wire.decode_tags([data])
        first = fields[0] if fields else {}
        return cls(key=first.get("key") or "", value=first.get("value") or "")

    def to_dict(self) -> dict[str, str]:
        """Return ``{"key": ..., "value": ...}``."""
        return {"key": self.key, "value": self.value}


@attrs.frozen(kw_only=True)
class ClientSettings:
    """The client's data-plane settings; wire strings converted to ``bool``/``int``."""

    data_network_type: str | None = attrs.field(default=None, converter=_opt_str)
    data_proxy_setting: str | None = attrs.field(default=None, converter=_opt_str)
    proxy_host: str | None = attrs.field(default=None, converter=_opt_str)
    proxy_port: int | None = attrs.field(default=None, converter=_opt_int)
    proxy_user: str | None = attrs.field(default=None, converter=_opt_str)
    proxy_password: str | None = attrs.field(default=None, converter=_opt_str, repr=False)
    use_https: bool | None = attrs.field(default=None, converter=_opt_bool)
    max_cpu_core: int | None = attrs.field(default=None, converter=_opt_int)
    max_worker: int | None = attrs.field(default=None, converter=_opt_int)
    alert_on_partial_complete: bool | None = attrs.field(default=None, converter=_opt_bool)
    max_memory: int | None = attrs.field(default=None, converter=_opt_int)

    @classmethod
    def from_wire(cls, data: Any) -> ClientSettings:
        """Build settings from a wire ``Settings`` object (missing or junk gives defaults)."""
        if cls is ClientSettings:
            return _settings_from_wire(data)
        return cls(**wire.decode_settings(data))

    def to_dict(self, *, reveal_secrets: bool = False) -> dict[str, Any]:
        """Return a JSON-safe snake_case dict; the proxy password is masked unless revealed."""
        out = attrs.asdict(self)
        if not reveal_secrets:
            out["proxy_password"] = MASK if self.proxy_password else None
        return out


def _tags(value: Any) -> tuple[Tag, ...]:
    if isinstance(value, tuple) and all(isinstance(t, Tag) for t in value):
        return value
    out = []
    for item in value or ():
        if isinstance(item, Tag):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(Tag(key=item.get("key") or "", value=item.get("value") or ""))
    return tuple(out)


def _settings(value: Any) -> ClientSettings:
    if isinstance(value, ClientSettings):
        return value
    if isinstance(value, Mapping):
        known = {k: v for k, v in value.items() if k in wire.SETTINGS_FIELDS}
        return ClientSettings(**known)
    return ClientSettings()


@attrs.frozen(kw_only=True)
class BackupClient:
    """One HBR backup client, with every field of the API in snake_case."""

    client_id: str = attrs.field(default="", converter=_id_str)
    client_type: str | None = attrs.field(default=None, converter=_opt_str)
    status: str | None = attrs.field(default=None, converter=_opt_str)
    backup_status: str | None = attrs.field(default=None, converter=_opt_str)
    instance_id: str | None = attrs.field(default=None, converter=_opt_str)
    instance_name: str | None = attrs.field(default=None, converter=_opt_str)
    hostname: str | None = attrs.field(default=None, converter=_opt_str)
    private_ipv4: str | None = attrs.field(default=None, converter=_opt_str)
    zone_id: str | None = attrs.field(default=None, converter=_opt_str)
    os_type: str | None = attrs.field(default=None, converter=_opt_str)
    arch_type: str | None = attrs.field(default=None, converter=_opt_str)
    client_version: str | None = attrs.field(default=None, converter=_opt_str)
    max_client_version: str | None = attrs.field(default=None, converter=_opt_str)
    appliance: bool | None = attrs.field(default=None, converter=_opt_bool)
    created_time: int = attrs.field(default=0, converter=_int0)
    updated_time: int = attrs.field(default=0, converter=_int0)
    last_heartbeat_time: int = attrs.field(default=0, converter=_int0)
    tags: tuple[Tag, ...] = attrs.field(default=(), converter=_tags)
    settings: ClientSettings = attrs.field(factory=ClientSettings, converter=_settings)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> BackupClient:
        """Build a client from one wire dict; missing fields get defaults, unknown are ignored."""
        if cls is BackupClient:
            return _client_from_wire(data, {})
        return cls(**wire.decode_client(data))

    @property
    def created_at(self) -> datetime | None:
        """``created_time`` as an aware UTC datetime (``None`` when unset)."""
        return _to_datetime(self.created_time)

    @property
    def updated_at(self) -> datetime | None:
        """``updated_time`` as an aware UTC datetime (``None`` when unset)."""
        return _to_datetime(self.updated_time)

    @property
    def last_heartbeat_at(self) -> datetime | None:
        """``last_heartbeat_time`` as an aware UTC datetime (``None`` when unset)."""
        return _to_datetime(self.last_heartbeat_time)

    @property
    def is_outdated(self) -> bool:
        """Whether a newer client version than the installed one is available."""
        if not self.client_version or not self.max_client_version:
            return False
        return compare_versions(self.client_version, self.max_client_version) < 0

    @property
    def tag_map(self) -> dict[str, str]:
        """The tags as a ``{key: value}`` dict (the last wins on a repeated key)."""
        return {t.key: t.value for t in self.tags}

    def to_dict(self, *, reveal_secrets: bool = False) -> dict[str, Any]:
        """Return a stable JSON-safe snake_case dict with nested ``settings`` and ``tags``."""
        out: dict[str, Any] = {}
        for field in attrs.fields(BackupClient):
            out[field.name] = getattr(self, field.name)
        out["tags"] = [t.to_dict() for t in self.tags]
        out["settings"] = self.settings.to_dict(reveal_secrets=reveal_secrets)
        return out


def _str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(value)


def _clients(value: Any) -> tuple[BackupClient, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ClientsPage:
    """One ``DescribeBackupClients`` response: the envelope and its page of clients."""

    request_id: str | None = None
    page_number: int = attrs.field(default=1, converter=_int0)
    page_size: int = attrs.field(default=0, converter=_int0)
    total_count: int = attrs.field(default=0, converter=_int0)
    clients: tuple[BackupClient, ...] = attrs.field(default=(), converter=_clients)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any], *, endpoint: str = "") -> ClientsPage:
        """Build a page from a response body, after deciding that it is an answer.

        The one place that decides it (:func:`check_answer`): an error envelope raises
        :class:`~.errors.ApiError`, anything else that is not a complete answer raises
        :class:`~.errors.MalformedResponseError`. An empty page comes only from an answer
        that says ``TotalCount: 0`` or holds an empty ``Clients`` array.
        """
        check_answer(data, endpoint=endpoint)
        env = wire.decode_envelope(data)
        request_id = env.get("request_id")
        pool: dict[Any, Any] = {}
        return cls(
            request_id=str(request_id) if request_id is not None else None,
            page_number=env.get("page_number"),
            page_size=env.get("page_size"),
            total_count=env.get("total_count"),
            clients=tuple(
                [_client_from_wire(c, pool) for c in env["clients"] if isinstance(c, Mapping)]
            ),
        )

    @property
    def items(self) -> tuple[BackupClient, ...]:
        """The clients, under the name the paging engine reads (:class:`.operations.Page`)."""
        return self.clients


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def wire_count(value: Any) -> int | None:
    """A wire count: a non-negative ``int`` or a string of ASCII digits; else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def check_envelope(data: Any, *, endpoint: str = "") -> str | None:
    """Raise unless ``data`` (a decoded body) is an HBR answer that reports success.

    Every HBR action shares this envelope: ``Success: false``, or a ``Code`` other than
    ``"200"``, is an :class:`~.errors.ApiError` with the code, the message and the request
    ID; a body that is not a JSON object is a :class:`~.errors.MalformedResponseError`.
    Returns the request ID, or ``None`` when the answer gave none.
    """
    from hbr_clients_provider.errors import ApiError, MalformedResponseError  # noqa: PLC0415

    if not isinstance(data, Mapping):
        msg = f"the body is a JSON {type(data).__name__}, not an object"
        raise MalformedResponseError(msg, endpoint=endpoint)
    request_id = data.get("RequestId")
    rid = str(request_id) if request_id not in (None, "") else None
    code = data.get("Code")
    error_code = None if code in (None, "", "200", 200) else str(code)
    if error_code is not None or _is_false(data.get("Success")):
        raise ApiError(
            code=error_code or "Success=false (no Code given)",
            message=str(data.get("Message") or ""),
            request_id=rid,
            status_code=200,
            recommend=str(data["Recommend"]) if data.get("Recommend") else None,
        )
    return rid


def check_answer(data: Any, *, endpoint: str = "") -> None:
    """Raise unless ``data`` (a decoded body) is a ``DescribeBackupClients`` answer.

    * ``Success: false``, or a ``Code`` other than ``"200"``: :class:`~.errors.ApiError`
      with the code, the message and the request ID;
    * no ``TotalCount``, or one that is not a non-negative integer; ``Clients`` missing
      while ``TotalCount > 0``, or not an array; a client that is not an object or has no
      ``ClientId``: :class:`~.errors.MalformedResponseError` naming what is wrong.
    """
    from hbr_clients_provider.errors import MalformedResponseError  # noqa: PLC0415

    rid = check_envelope(data, endpoint=endpoint)

    def malformed(problem: str) -> MalformedResponseError:
        return MalformedResponseError(problem, endpoint=endpoint, request_id=rid)

    if "TotalCount" not in data:
        raise malformed("TotalCount is missing, so the size of the fleet is unknown")
    total = wire_count(data["TotalCount"])
    if total is None:
        shown = repr(data["TotalCount"])[:40]
        raise malformed(f"TotalCount is {shown}, not a non-negative integer")
    clients = data.get("Clients")
    if clients is None:
        if total > 0:
            raise malformed(f"Clients is missing while TotalCount is {total}")
        return
    if not isinstance(clients, list):
        raise malformed(f"Clients is a {type(clients).__name__}, not an array")
    for index, client in enumerate(clients):
        if not isinstance(client, Mapping):
            raise malformed(f"Clients[{index}] is a {type(client).__name__}, not an object")
        if client.get("ClientId") in (None, ""):
            raise malformed(f"Clients[{index}] has no ClientId")


@attrs.frozen(kw_only=True)
class ClientListing:
    """The result of a listing: the clients in API order, de-duplicated by client ID.

    ``total_count`` is the number of clients returned (after client-side filters);
    ``api_total_count`` is what the API reported as ``TotalCount`` (summed over chunks when a
    long ID list was split into several queries).
    """

    clients: tuple[BackupClient, ...] = attrs.field(converter=_clients)
    total_count: int
    api_total_count: int = 0
    request_ids: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple, repr=False)

    @property
    def client_ids(self) -> tuple[str, ...]:
        """The client IDs, in listing order."""
        return tuple(c.client_id for c in self.clients)

    @property
    def instance_ids(self) -> tuple[str, ...]:
        """The instance IDs of the clients that have one, in listing order."""
        return tuple(c.instance_id for c in self.clients if c.instance_id)

    def to_dicts(self, *, reveal_secrets: bool = False) -> list[dict[str, Any]]:
        """Return every client as a JSON-safe snake_case dict (see :meth:`BackupClient.to_dict`)."""
        return [c.to_dict(reveal_secrets=reveal_secrets) for c in self.clients]

    def __len__(self) -> int:
        return len(self.clients)


# The fast path of ``from_wire``. A listing builds every client once (10,000 for a mid-size
# fleet), and the attrs ``__init__`` with one converter call per field cost about 21 us a
# client: 2.1 ms of CPU per 99-client page, more than the HTTP call and the JSON decoding
# together, all of it under the GIL the page workers share. The fast path works field-wise
# in C (``map`` over precomputed tables built from ``attrs.fields``): it reads every field,
# checks that each value's type is one its converter returns unchanged (``str`` or ``None``
# for ``str | None``, ``int`` for ``int``: the wire's usual case), and sets the slots
# directly, as attrs' own ``__init__`` does. When any value is of another type, every value
# goes through its field's converter. A missing field reads as ``None``, which every
# converter maps to the field's default. The objects are equal to what the constructor
# builds from ``wire.decode_*`` (tests/provider/test_models_fast_path.py checks it with
# hypothesis, type by type);
# input the tables do not cover (not a ``dict``, no ``ClientId``, odd tags) takes the
# constructor path.
#
# Values that repeat across a fleet are shared, not copied (they are immutable): the
# low-cardinality strings of a page (status, zone, versions) are de-duplicated per page,
# and equal settings and tag lists are one object. The settings cache is keyed and filled
# without the proxy password (settings that carry one are copies of a cached entry with the
# password set), so no secret outlives its client in a module-level table; each cache stops
# growing at ``_CACHE_LIMIT`` entries.

_new = object.__new__
_set = object.__setattr__
_exhaust = deque[Any](maxlen=0).extend
_contains = frozenset.__contains__
_CACHE_LIMIT: Final = 4096

#: The types each converter returns unchanged: values of these types skip the call.
_PASS_THROUGH: Final[Mapping[Callable[[Any], Any], frozenset[type]]] = {
    _opt_str: frozenset({str, type(None)}),
    _opt_int: frozenset({int, type(None)}),
    _opt_bool: frozenset({bool, type(None)}),
    _int0: frozenset({int}),
    _id_str: frozenset({str}),
}

#: Client fields with few distinct values, de-duplicated per page (listed first).
_SHARED: Final = (
    "client_type",
    "status",
    "backup_status",
    "zone_id",
    "os_type",
    "arch_type",
    "client_version",
    "max_client_version",
)


@attrs.frozen
class _Table:
    """The scalar fields of one model, in one order: names, wire names, converters."""

    names: tuple[str, ...]
    wire_names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any], ...]
    pass_through: tuple[frozenset[type], ...]

    @classmethod
    def of(cls, model: type, wire_names: Mapping[str, str], order: tuple[str, ...]) -> _Table:
        fields = {f.name: f for f in attrs.fields(model)}
        converters: list[Callable[[Any], Any]] = []
        for name in order:
            convert = fields[name].converter
            default = fields[name].default
            if not callable(convert) or (default is not attrs.NOTHING and convert(None) != default):
                msg = f"{model.__name__}.{name}: needs a converter that maps None to the default"
                raise TypeError(msg)
            converters.append(convert)
        return cls(
            names=order,
            wire_names=tuple(wire_names[name] for name in order),
            converters=tuple(converters),
            pass_through=tuple(_PASS_THROUGH[c] for c in converters),
        )

    def read(self, data: dict[str, Any]) -> list[Any]:
        """The raw wire values of the fields, in table order (``None`` when missing)."""
        return list(map(data.get, self.wire_names))

    def convert(self, values: list[Any]) -> list[Any]:
        """Convert raw values: returned as is when every one already has a converted type."""
        if all(map(_contains, self.pass_through, map(type, values))):
            return values
        return list(map(call, self.converters, values))


_CLIENT_SCALARS: Final = _SHARED + tuple(
    name for name in wire.CLIENT_FIELDS if name not in _SHARED and name not in ("tags", "settings")
)
_CLIENT: Final = _Table.of(BackupClient, wire.CLIENT_FIELDS, _CLIENT_SCALARS)
_SETTINGS: Final = _Table.of(ClientSettings, wire.SETTINGS_FIELDS, tuple(wire.SETTINGS_FIELDS))
_CLIENT_SLOTS: Final = (*_CLIENT.names, "tags", "settings")
_PASSWORD_AT: Final = _SETTINGS.names.index("proxy_password")
_SHARED_COUNT: Final = len(_SHARED)
_CLIENT_ID_WIRE: Final = wire.CLIENT_FIELDS["client_id"]
_TAGS_WIRE: Final = wire.CLIENT_FIELDS["tags"]
_SETTINGS_WIRE: Final = wire.CLIENT_FIELDS["settings"]
_tag_pair: Final = itemgetter(wire.TAG_FIELDS["key"], wire.TAG_FIELDS["value"])
_DEFAULT_SETTINGS: Final = ClientSettings()
_settings_cache: dict[tuple[tuple[Any, ...], tuple[type, ...]], ClientSettings] = {}
_tags_cache: dict[tuple[tuple[Any, Any], ...], tuple[Tag, ...]] = {}


def _build_settings(values: Sequence[Any]) -> ClientSettings:
    settings = _new(ClientSettings)
    _exhaust(map(_set, repeat(settings), _SETTINGS.names, values))
    return settings


def _settings_from_wire(data: Any) -> ClientSettings:
    """``ClientSettings(**wire.decode_settings(data))``, fast and shared."""
    if type(data) is not dict:
        if data is None or not isinstance(data, Mapping):
            return _DEFAULT_SETTINGS
        return ClientSettings(**wire.decode_settings(data))
    raw = _SETTINGS.read(data)
    # The cache never sees a password: settings that carry one are looked up without it
    # and copied with it. The key holds the raw values' types because ``True == 1`` but
    # the two convert differently.
    password = raw[_PASSWORD_AT]
    secret = password is not None and password != ""
    if secret:
        raw[_PASSWORD_AT] = None
    key = (tuple(raw), tuple(map(type, raw)))
    try:
        shared = _settings_cache.get(key)
        hashable = True
    except TypeError:  # an unhashable junk value: nothing to share
        shared, hashable = None, False
    if shared is None:
        shared = _build_settings(_SETTINGS.convert(raw))
        if hashable and len(_settings_cache) < _CACHE_LIMIT:
            _settings_cache[key] = shared
    if not secret:
        return shared
    values = list(map(getattr, repeat(shared), _SETTINGS.names))
    values[_PASSWORD_AT] = _opt_str(password)
    return _build_settings(values)


def _tags_from_wire(data: Any) -> tuple[Tag, ...]:
    """``_tags(wire.decode_tags(data))``, fast and shared."""
    if not data:
        return ()
    try:
        pairs = tuple(map(_tag_pair, data))
        tags = _tags_cache.get(pairs)
    except (KeyError, TypeError):  # not a list of {"Key", "Value"} dicts
        return _tags(wire.decode_tags(data))
    if tags is not None:  # every cached key is all-``str``, so it matches ``str`` values only
        return tags
    if type(data) is not list or not all(type(k) is str is type(v) for k, v in pairs):
        return _tags(wire.decode_tags(data))
    built = []
    for key, value in pairs:
        tag = _new(Tag)
        _set(tag, "key", key)
        _set(tag, "value", value)
        built.append(tag)
    tags = tuple(built)
    if len(_tags_cache) < _CACHE_LIMIT:
        _tags_cache[pairs] = tags
    return tags


def _client_from_wire(data: Mapping[str, Any], pool: dict[Any, Any]) -> BackupClient:
    """``BackupClient(**wire.decode_client(data))`` with its strings shared through ``pool``."""
    if type(data) is not dict or _CLIENT_ID_WIRE not in data:
        return BackupClient(**wire.decode_client(data))
    values = _CLIENT.convert(_CLIENT.read(data))
    shared = values[:_SHARED_COUNT]
    values[:_SHARED_COUNT] = map(pool.setdefault, shared, shared)
    values.append(_tags_from_wire(data.get(_TAGS_WIRE)))
    values.append(_settings_from_wire(data.get(_SETTINGS_WIRE)))
    client = _new(BackupClient)
    _exhaust(map(_set, repeat(client), _CLIENT_SLOTS, values))
    return client
