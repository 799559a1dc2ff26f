"""Tests of :mod:`hbr_clients_provider.transport`: wire equivalence with the official SDK."""

from __future__ import annotations

from alibabacloud_hbr20170908 import models as sdk_models
from alibabacloud_hbr20170908.client import Client as SdkClient
from alibabacloud_tea_openapi.utils_models import Config

from hbr_clients_provider.query import ClientQuery
from hbr_clients_provider.transport import Transport
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

from ._support import connect


def test_transport_wire_matches_official_sdk(emulator: Emulator) -> None:
    """A query sent by our transport and by the official SDK arrives identically."""
    ids = [c["ClientId"] for c in emulator.backend.clients(account="self")[:3]]
    query = ClientQuery.from_inputs(
        {
            "client_type": "ECS_CLIENT",
            "cluster_id": "cl-000ge4wa61b4d337xblq",
            "client_ids": ids,
            "instance_ids": ["i-1", "i-2"],
            "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "a b&c"}],
            "cross_account_type": "CROSS_ACCOUNT",
            "cross_account_user_id": 1234567890123456,
            "cross_account_role_name": "hbrcrossrole",
            "filters": [{"key": "k", "values": ["v1", "v2"]}],
        }
    )
    Transport(connect(emulator)).call(query.request_params(page_number=2, page_size=50))
    sdk = SdkClient(
        Config(
            access_key_id=DEFAULT_ACCESS_KEY_ID,
            access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
            endpoint=emulator.endpoint,
            protocol="HTTP",
        )
    )
    sdk.describe_backup_clients(
        sdk_models.DescribeBackupClientsRequest(
            client_type="ECS_CLIENT",
            cluster_id="cl-000ge4wa61b4d337xblq",
            client_ids=ids,
            instance_ids=["i-1", "i-2"],
            tag=[
                sdk_models.DescribeBackupClientsRequestTag(key="env", value="prod"),
                sdk_models.DescribeBackupClientsRequestTag(key="team", value="a b&c"),
            ],
            cross_account_type="CROSS_ACCOUNT",
            cross_account_user_id=1234567890123456,
            cross_account_role_name="hbrcrossrole",
            filters=[sdk_models.DescribeBackupClientsRequestFilters(key="k", values=["v1", "v2"])],
            page_number=2,
            page_size=50,
        )
    )
    ours, theirs = emulator.backend.request_log()[-2:]
    assert ours["status"] == theirs["status"] == 200
    assert ours["params"] == theirs["params"]
    assert ours["params"]["ClientIds"] == "[" + ",".join(f'"{i}"' for i in ids) + "]"
    assert ours["params"]["Tag.2.Value"] == "a b&c"
    assert ours["params"]["Filters.1.Values.2"] == "v2"


def test_transport_repr_has_no_secret(emulator: Emulator) -> None:
    """The transport's repr shows the endpoint only."""
    transport = Transport(connect(emulator))
    assert DEFAULT_ACCESS_KEY_SECRET not in repr(transport)
    assert emulator.endpoint in repr(transport)
