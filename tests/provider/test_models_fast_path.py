"""Tests of the fast path of ``from_wire``: the same objects as the constructor, shared safely."""

from __future__ import annotations

import json
from typing import Any

import attrs
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hbr_clients_provider.api import models, wire
from hbr_clients_provider.api.models import BackupClient, ClientSettings, ClientsPage, Tag

#: Values the wire could carry in any field, and what the converters must cope with.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "0", "1", " 4 ", "4.5", "true", "False", "yes", "no", "lots", "-3"]),
    st.text(max_size=12),
)
JUNK = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=2),
    st.dictionaries(st.text(max_size=3), SCALARS, max_size=2),
)
TAG = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "Key": st.one_of(st.text(max_size=6), SCALARS),
            "Value": st.one_of(st.text(max_size=6), SCALARS),
        },
    ),
    st.fixed_dictionaries(
        {"Key": st.sampled_from(["env", "team"]), "Value": st.sampled_from(["a", "b"])}
    ),
    SCALARS,
)
TAGS = st.one_of(st.lists(TAG, max_size=4), JUNK)
SETTINGS = st.one_of(
    st.fixed_dictionaries(
        {}, optional={name: st.one_of(SCALARS, JUNK) for name in wire.SETTINGS_FIELDS.values()}
    ),
    JUNK,
)
FIELDS = {name: SCALARS for name in wire.CLIENT_FIELDS.values() if name != "ClientId"} | {
    "Tags": TAGS,
    "Settings": SETTINGS,
    "SomethingNew": JUNK,
}
CLIENT = st.fixed_dictionaries({"ClientId": SCALARS}, optional=FIELDS)


def well_typed(model: type, names: dict[str, str]) -> dict[str, st.SearchStrategy[Any]]:
    """Per wire field, values of the type the wire usually sends (the fast path's case)."""
    by_converter: dict[Any, st.SearchStrategy[Any]] = {
        models._opt_str: st.one_of(
            st.none(), st.sampled_from(["ACTIVATED", "VPC", ""]), st.text(max_size=6)
        ),
        models._id_str: st.text(max_size=6),
        models._opt_int: st.one_of(st.none(), st.integers()),
        models._int0: st.integers(),
        models._opt_bool: st.one_of(st.none(), st.booleans()),
    }
    fields = {f.name: f for f in attrs.fields(model)}
    return {
        wire_name: st.one_of(by_converter[fields[name].converter], SCALARS)
        if name != "client_id"
        else by_converter[models._id_str]
        for name, wire_name in names.items()
        if name not in ("tags", "settings")
    }


WELL_TYPED_TAGS = st.lists(
    st.fixed_dictionaries(
        {"Key": st.sampled_from(["env", "team", ""]), "Value": st.text(max_size=3)}
    ),
    max_size=3,
)
WELL_TYPED_SETTINGS = st.fixed_dictionaries(
    {}, optional=well_typed(ClientSettings, dict(wire.SETTINGS_FIELDS))
)
_WELL_TYPED = well_typed(BackupClient, dict(wire.CLIENT_FIELDS))
WELL_TYPED_CLIENT = st.fixed_dictionaries(
    {"ClientId": _WELL_TYPED.pop("ClientId")},
    optional=_WELL_TYPED | {"Tags": WELL_TYPED_TAGS, "Settings": WELL_TYPED_SETTINGS},
)


def typed(value: Any) -> Any:
    """``value`` with every attribute's type spelled out: ``True == 1`` must not pass."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple((f.name, typed(getattr(value, f.name))) for f in fields))
    if isinstance(value, tuple):
        return tuple(typed(v) for v in value)
    return (type(value), value)


def constructed(data: dict[str, Any]) -> BackupClient:
    """The slow, reference path: the public constructor and its converters."""
    return BackupClient(**wire.decode_client(data))


class TestFromWireEquivalence:
    """The fast path builds what the constructor builds."""

    @settings(max_examples=400, deadline=None)
    @given(st.one_of(CLIENT, WELL_TYPED_CLIENT))
    def test_client_from_wire_random_inputs(self, data: dict[str, Any]) -> None:
        """Random wire dicts give equal clients, field by field and type by type."""
        assert typed(BackupClient.from_wire(data)) == typed(constructed(data))

    @settings(max_examples=200, deadline=None)
    @given(st.one_of(CLIENT, WELL_TYPED_CLIENT))
    def test_client_from_wire_twice_random_inputs(self, data: dict[str, Any]) -> None:
        """A second build, served from the caches, is still equal to the constructor's."""
        BackupClient.from_wire(json.loads(json.dumps(data, default=str)))
        assert typed(BackupClient.from_wire(data)) == typed(constructed(data))

    @settings(max_examples=200, deadline=None)
    @given(st.one_of(SETTINGS, WELL_TYPED_SETTINGS))
    def test_settings_from_wire_random_inputs(self, data: Any) -> None:
        """Random ``Settings`` objects give equal settings."""
        assert typed(ClientSettings.from_wire(data)) == typed(
            ClientSettings(**wire.decode_settings(data))
        )

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.one_of(CLIENT, WELL_TYPED_CLIENT), max_size=5))
    def test_page_from_wire_random_inputs(self, clients: list[dict[str, Any]]) -> None:
        """A page of random clients holds the constructor's clients, in order."""
        # A client without a ClientId makes the page malformed (tests/provider/test_models.py).
        assume(all(c["ClientId"] not in (None, "") for c in clients))
        page = ClientsPage.from_wire({"TotalCount": len(clients), "Clients": clients})
        assert typed(page.clients) == typed(tuple(constructed(c) for c in clients))

    def test_bool_and_int_are_not_confused(self) -> None:
        """``True`` and ``1`` hash alike but convert differently; the caches keep them apart."""
        one = ClientSettings.from_wire({"ProxyPort": 1, "UseHttps": 1})
        true = ClientSettings.from_wire({"ProxyPort": True, "UseHttps": True})
        assert (one.proxy_port, one.use_https) == (1, True)
        assert (true.proxy_port, true.use_https) == (None, True)

    def test_missing_client_id_is_tolerated_like_any_field(self) -> None:
        """A client without ``ClientId`` decodes, with an empty ID, as the constructor does."""
        client = BackupClient.from_wire({"Status": "ACTIVATED"})
        assert client == BackupClient(status="ACTIVATED")
        assert client.client_id == ""


class TestSharing:
    """Repeated values are shared, secrets are not cached."""

    def test_equal_settings_and_tags_are_one_object(self) -> None:
        """Two clients with the same settings and tags share them."""
        data = {
            "ClientId": "c",
            "Tags": [{"Key": "env", "Value": "prod"}],
            "Settings": {"DataNetworkType": "VPC", "UseHttps": "false"},
        }
        a = BackupClient.from_wire(data)
        b = BackupClient.from_wire(json.loads(json.dumps(data)))
        assert a.settings is b.settings
        assert a.tags is b.tags
        assert a.tags == (Tag(key="env", value="prod"),)

    def test_page_shares_repeated_strings(self) -> None:
        """Within a page, equal statuses are one string."""
        wire_page = json.loads(
            json.dumps(
                {
                    "TotalCount": 2,
                    "Clients": [
                        {"ClientId": "a", "Status": "ACTIVATED"},
                        {"ClientId": "b", "Status": "ACTIVATED"},
                    ],
                }
            )
        )
        first, second = ClientsPage.from_wire(wire_page).clients
        assert first.status is second.status

    def test_passwords_never_reach_the_cache(self) -> None:
        """Settings with a proxy password are built per client and not kept in the cache."""
        data = {"ProxyHost": "proxy", "ProxyPassword": "s3cret-fast-path"}
        a = ClientSettings.from_wire(data)
        b = ClientSettings.from_wire(dict(data))
        assert a == b
        assert a is not b
        assert a.proxy_password == "s3cret-fast-path"
        cached = list(models._settings_cache.values())
        assert all(s.proxy_password != "s3cret-fast-path" for s in cached)
        assert "s3cret-fast-path" not in repr(models._settings_cache)

    def test_empty_password_is_kept_apart_from_none(self) -> None:
        """``""`` and a missing password stay distinct (``""`` is not ``None``)."""
        assert ClientSettings.from_wire({"ProxyPassword": ""}).proxy_password == ""
        assert ClientSettings.from_wire({}).proxy_password is None
