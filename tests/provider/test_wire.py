"""Tests of :mod:`hbr_clients_provider.api.wire`: request encoding and response renaming."""

from __future__ import annotations

from hbr_clients_provider.api import wire


def test_encode_request_query_and_body() -> None:
    """Query parameters are flattened; IDs are JSON strings and tags are flattened in the body."""
    query, body = wire.encode_request(
        {
            "client_type": "ECS_CLIENT",
            "cross_account_user_id": 42,
            "filters": (("k", ("a", "b")),),
            "page_number": 2,
            "page_size": 99,
            "client_ids": ("c-1", "c-2"),
            "instance_ids": (),
            "tags": (("env", "prod"),),
            "cluster_id": None,
        }
    )
    assert query == {
        "ClientType": "ECS_CLIENT",
        "CrossAccountUserId": "42",
        "Filters.1.Key": "k",
        "Filters.1.Values.1": "a",
        "Filters.1.Values.2": "b",
        "PageNumber": "2",
        "PageSize": "99",
    }
    assert body == {"ClientIds": '["c-1","c-2"]', "Tag": [{"Key": "env", "Value": "prod"}]}


def test_decode_client_ignores_unknown_fields() -> None:
    """Unknown wire fields are dropped and known ones renamed."""
    out = wire.decode_client({"ClientId": "c", "PrivateIpV4": "1.2.3.4", "New": 1, "Tags": "junk"})
    assert out == {"client_id": "c", "private_ipv4": "1.2.3.4", "tags": []}


def test_name_tables_cover_the_reference() -> None:
    """19 client fields and 11 settings are mapped."""
    assert len(wire.CLIENT_FIELDS) == 19
    assert len(wire.SETTINGS_FIELDS) == 11
