"""Endpoints as the official SDKs resolve them, and ``connect_to``."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_hbr20170908.client import Client as HbrClient
from alibabacloud_resourcemanager20200331.client import Client as ResourceManagerClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as open_api_models

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.endpoints import ENDPOINT_MAPS, endpoint_for, parse_connect_to
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.errors import InvalidQuery
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from hbr_emulator.estate import Estate

SDKS: dict[str, Any] = {
    "hbr": HbrClient,
    "ecs": EcsClient,
    "sts": StsClient,
    "resourcemanager": ResourceManagerClient,
}


def _sdk_endpoint(product: str, region: str, network: str | None = None) -> str:
    config = open_api_models.Config(
        access_key_id="a", access_key_secret="b", region_id=region, network=network
    )
    endpoint: str = SDKS[product](config)._endpoint
    return endpoint


class TestEndpointFor:
    """The same endpoint as the installed official SDK, for every mapped region and more."""

    @pytest.mark.parametrize("product", sorted(ENDPOINT_MAPS))
    def test_maps_equal_the_installed_sdks(self, product: str) -> None:
        """A drift between our copy and the SDK's ``_endpoint_map`` fails here."""
        sdk_map = SDKS[product](
            open_api_models.Config(access_key_id="a", access_key_secret="b", region_id="cn-x")
        )._endpoint_map
        assert dict(ENDPOINT_MAPS[product]) == sdk_map

    @pytest.mark.parametrize("product", sorted(SDKS))
    @pytest.mark.parametrize(
        "region", ["cn-hangzhou", "cn-shanghai", "ap-southeast-1", "cn-wuhan", "eu-west-1-oxs"]
    )
    @pytest.mark.parametrize("network", [None, "vpc"])
    def test_resolves_as_the_sdk(self, product: str, region: str, network: str | None) -> None:
        """Mapped regions take the map, whatever the network; others the regional rule."""
        ours = endpoint_for(product, region, network=network or "public")
        assert ours == _sdk_endpoint(product, region, network)


class TestConnectTo:
    """``HOST:PORT`` or a named error."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("127.0.0.1:8080", ("127.0.0.1", 8080)), ("[::1]:80", ("::1", 80)), ("gw:1", ("gw", 1))],
    )
    def test_accepted(self, value: str, expected: tuple[str, int]) -> None:
        """Host names, IPv4 and bracketed IPv6, each with a port."""
        assert parse_connect_to(value) == expected

    @pytest.mark.parametrize("value", ["127.0.0.1", "http://gw:80", "gw:0", "gw:99999", ":80", ""])
    def test_refused_naming_the_field(self, value: str) -> None:
        """No port, a scheme, a port out of range or no host: refused naming the field."""
        with pytest.raises(InvalidQuery) as caught:
            parse_connect_to(value, field="HBR_CONNECT_TO")
        assert caught.value.violations[0].field == "HBR_CONNECT_TO"


class TestConnectToReuse:
    """A kept-alive connection never carries a request to another ``connect_to`` address."""

    def test_two_clouds_behind_the_same_host_names_in_one_process(self) -> None:
        """The same Host (hbr.cn-shanghai...) at two addresses: each listing sees its own."""
        clouds = [
            Emulator(estate=Estate(regions=("cn-shanghai",), instances_per_region=n, seed=n))
            for n in (6, 9)
        ]
        for cloud in clouds:
            cloud.start()
        try:
            for _ in range(2):  # back and forth, over whatever the pool kept alive
                for cloud in clouds:
                    connection = ConnectionSettings.resolve(
                        region="cn-shanghai",
                        protocol="http",
                        connect_to=cloud.endpoint,
                        access_key_id=DEFAULT_ACCESS_KEY_ID,
                        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
                        environ={},
                    )
                    listing = list_clients({"client_type": "ECS_CLIENT"}, connection=connection)
                    truth = cloud.estate_truth().region("cn-shanghai")
                    expected = {c.client_id for c in truth.clients if c.client_type == "ECS_CLIENT"}
                    assert set(listing.client_ids) == expected
        finally:
            for cloud in clouds:
                cloud.stop()
