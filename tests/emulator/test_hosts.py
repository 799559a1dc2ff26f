"""Dispatch by ``Host``: every region's HBR and ECS behind one address, as with ``--connect-to``.

Requests are hand-signed for the real host name and sent to the emulator's address with
that ``Host`` header, which is what a client with curl-style ``--connect-to`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from hbr_emulator import Emulator
from hbr_emulator.defaults import REGIONS
from hbr_emulator.hosts import Route, parse_host

from .helpers import describe, hbr_via_host, list_clients_via_host, raw_call, sdk_client

Factory = Callable[..., Emulator]
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def _ecs(emu: Emulator, host: str, **query: str) -> tuple[int, dict[str, Any]]:
    status, _, body = raw_call(
        emu.endpoint, host=host, action="DescribeInstances", version="2014-05-26", query=query
    )
    return status, body


def _ecs_ids(region: str, emu: Emulator) -> list[str]:
    return [i["InstanceId"] for i in emu.cloud.ecs(region).instances()]


def _ecs_client_ids(region: str, emu: Emulator) -> list[str]:
    clients = emu.cloud.hbr(region).clients()
    return [c["ClientId"] for c in clients if c["ClientType"] == "ECS_CLIENT"]


class TestParseHost:
    """What product and region a Host header names."""

    @pytest.mark.parametrize(
        ("host", "product", "region"),
        [
            ("hbr.cn-shanghai.aliyuncs.com", "hbr", "cn-shanghai"),
            ("hbr-vpc.cn-shanghai.aliyuncs.com", "hbr", "cn-shanghai"),
            ("HBR.CN-Shanghai.aliyuncs.com:443", "hbr", "cn-shanghai"),
            ("hbr.aliyuncs.com", "hbr", None),
            ("ecs.cn-beijing.aliyuncs.com", "ecs", "cn-beijing"),
            ("ecs-vpc.cn-beijing.aliyuncs.com:80", "ecs", "cn-beijing"),
            ("ecs.aliyuncs.com", "ecs", None),
            ("ecs-cn-hangzhou.aliyuncs.com", "ecs", None),
            ("sts.aliyuncs.com", "sts", None),
            ("resourcemanager.aliyuncs.com", "resourcemanager", None),
        ],
    )
    def test_parse_host_names_product_and_region(
        self, host: str, product: str, region: str | None
    ) -> None:
        """An endpoint name gives its product (network suffix dropped) and region."""
        route = parse_host(host)
        assert (route.product, route.region, route.malformed) == (product, region, False)

    @pytest.mark.parametrize(
        "host", ["127.0.0.1:8080", "localhost", "[::1]:9000", "::1", "example.com", ""]
    )
    def test_parse_host_plain_address(self, host: str) -> None:
        """An address or a name outside aliyuncs.com is plain: no product, no region."""
        assert parse_host(host).plain

    def test_parse_host_malformed_name(self) -> None:
        """A name under aliyuncs.com that follows no endpoint rule is malformed, not plain."""
        route = parse_host("a.b.c.aliyuncs.com")
        assert route == Route(host="a.b.c.aliyuncs.com", malformed=True)
        assert not route.plain


@pytest.mark.parametrize(
    "host",
    [
        "hbr.cn-shanghai.aliyuncs.com",
        "hbr-vpc.cn-shanghai.aliyuncs.com",
        "hbr.cn-shanghai.aliyuncs.com:443",
    ],
)
def test_regional_hbr_host_serves_that_regions_fleet(estate_emulator: Emulator, host: str) -> None:
    """``Host: hbr[-vpc].cn-shanghai...`` lists every cn-shanghai client, in listing order."""
    emu = estate_emulator
    listed = [c["ClientId"] for c in list_clients_via_host(emu.endpoint, host)]
    assert listed == _ecs_client_ids("cn-shanghai", emu)
    assert set(listed).isdisjoint(_ecs_client_ids("cn-hangzhou", emu))


def test_central_hbr_host_takes_the_region_id(estate_emulator: Emulator) -> None:
    """``hbr.aliyuncs.com`` serves ``RegionId``'s fleet, else the default region's."""
    emu = estate_emulator
    shanghai = list_clients_via_host(emu.endpoint, "hbr.aliyuncs.com", RegionId="cn-shanghai")
    default = list_clients_via_host(emu.endpoint, "hbr.aliyuncs.com")
    assert [c["ClientId"] for c in shanghai] == _ecs_client_ids("cn-shanghai", emu)
    assert [c["ClientId"] for c in default] == _ecs_client_ids("cn-hangzhou", emu)


def test_plain_address_serves_the_first_estate_region(estate_emulator: Emulator) -> None:
    """The official HBR SDK at ``emu.endpoint`` sees the first region's fleet (RegionId aside)."""
    emu = estate_emulator
    body = describe(sdk_client(emu.endpoint), page_size=99)
    assert [c.client_id for c in body.clients] == _ecs_client_ids("cn-hangzhou", emu)
    status, regional = hbr_via_host(emu.endpoint, emu.endpoint, RegionId="cn-shanghai")
    assert status == 200
    assert regional["TotalCount"] == len(_ecs_client_ids("cn-hangzhou", emu))


@pytest.mark.parametrize(
    ("host", "region"),
    [
        ("ecs.cn-shanghai.aliyuncs.com", "cn-shanghai"),
        ("ecs-vpc.cn-shanghai.aliyuncs.com", "cn-shanghai"),
        ("ecs.aliyuncs.com", "cn-beijing"),
        ("ecs-cn-hangzhou.aliyuncs.com", "cn-shanghai"),
        ("ecs.cn-hangzhou.aliyuncs.com", "cn-shanghai"),
    ],
)
def test_ecs_host_serves_the_region_id(estate_emulator: Emulator, host: str, region: str) -> None:
    """Any ECS host lists the instances of ``RegionId`` (HBR's activation does not matter)."""
    emu = estate_emulator
    status, body = _ecs(emu, host, RegionId=region, PageSize="100")
    assert status == 200
    ids = [i["InstanceId"] for i in body["Instances"]["Instance"]]
    assert ids == _ecs_ids(region, emu)
    assert {i["RegionId"] for i in body["Instances"]["Instance"]} == {region}


def test_ecs_without_region_id_answers_missing_region_id(estate_emulator: Emulator) -> None:
    """``DescribeInstances`` needs ``RegionId``, even on a regional host: ``MissingRegionId``."""
    status, body = _ecs(estate_emulator, "ecs.cn-shanghai.aliyuncs.com")
    assert (status, body["Code"]) == (400, "MissingRegionId")
    assert REQUEST_ID.match(body["RequestId"])


@pytest.mark.parametrize(
    ("service", "host", "query"),
    [
        ("hbr", "hbr.us-west-1.aliyuncs.com", {}),
        ("hbr", "hbr.aliyuncs.com", {"RegionId": "us-west-1"}),
        ("ecs", "ecs.aliyuncs.com", {"RegionId": "us-west-1"}),
        ("ecs", "ecs.aliyuncs.com", {"RegionId": "nowhere-9"}),
    ],
)
def test_region_outside_the_estate_answers_invalid_region_id(
    estate_emulator: Emulator, service: str, host: str, query: dict[str, str]
) -> None:
    """A region the cloud does not have: 404 ``InvalidRegionId.NotFound`` naming the regions."""
    if service == "hbr":
        status, body = hbr_via_host(estate_emulator.endpoint, host, **query)
    else:
        status, body = _ecs(estate_emulator, host, **query)
    assert (status, body["Code"]) == (404, "InvalidRegionId.NotFound")
    assert "cn-hangzhou, cn-shanghai, cn-beijing" in body["Message"]


@pytest.mark.parametrize("action", ["DescribeBackupClients", "DescribeRegions"])
@pytest.mark.parametrize(
    ("host", "query"),
    [("hbr.cn-beijing.aliyuncs.com", {}), ("hbr.aliyuncs.com", {"RegionId": "cn-beijing"})],
)
def test_not_activated_region_answers_service_not_activated(
    estate_emulator: Emulator, action: str, host: str, query: dict[str, str]
) -> None:
    """Every HBR action in a not-activated region answers 403 ``ServiceNotActivated``."""
    status, body = hbr_via_host(estate_emulator.endpoint, host, action=action, **query)
    assert (status, body["Code"]) == (403, "ServiceNotActivated")
    assert body["HostId"] == "hbr.cn-beijing.aliyuncs.com"
    assert "cn-beijing" in body["Message"]
    log = estate_emulator.backend.request_log()[-1]
    assert (log["product"], log["region"], log["status"]) == ("hbr", "cn-beijing", 403)


@pytest.mark.parametrize(
    "host",
    [
        "sts.aliyuncs.com",
        "sts.cn-shanghai.aliyuncs.com",
        "resourcemanager.aliyuncs.com",
        "a.b.c.aliyuncs.com",
    ],
)
def test_unknown_product_host_answers_an_error_envelope(
    estate_emulator: Emulator, host: str
) -> None:
    """A product the cloud lacks answers a 404 ``InvalidAction.NotFound`` envelope, logged."""
    status, _, body = raw_call(
        estate_emulator.endpoint, host=host, action="AssumeRole", version="2015-04-01"
    )
    assert (status, body["Code"], body["HostId"]) == (404, "InvalidAction.NotFound", host)
    assert REQUEST_ID.match(body["RequestId"])
    assert host in body["Message"]
    assert estate_emulator.backend.request_log()[-1]["code"] == "InvalidAction.NotFound"


def test_signature_covers_the_host_received(estate_emulator: Emulator) -> None:
    """A request signed for one host and sent with another fails ``SignatureDoesNotMatch``."""
    status, _, body = raw_call(
        estate_emulator.endpoint,
        host="hbr.cn-shanghai.aliyuncs.com",
        headers={"host": "hbr.cn-hangzhou.aliyuncs.com"},
    )
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


@pytest.mark.parametrize("region", ["cn-hangzhou", "cn-shanghai"])
def test_same_keys_in_every_region(estate_emulator: Emulator, region: str) -> None:
    """The one access key works in every region; a wrong secret fails in every region."""
    host = f"hbr.{region}.aliyuncs.com"
    assert hbr_via_host(estate_emulator.endpoint, host)[0] == 200
    status, _, body = raw_call(estate_emulator.endpoint, host=host, access_key_secret="wrong")
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


def test_single_fleet_mode_has_one_region(emulator_factory: Factory) -> None:
    """Without an estate the cloud is cn-hangzhou alone; DescribeRegions still lists all."""
    emu = emulator_factory(fleet=30, seed=2)
    listed = list_clients_via_host(emu.endpoint, "hbr.cn-hangzhou.aliyuncs.com")
    assert [c["ClientId"] for c in listed] == _ecs_client_ids("cn-hangzhou", emu)
    status, body = hbr_via_host(emu.endpoint, "hbr.cn-shanghai.aliyuncs.com")
    assert (status, body["Code"]) == (404, "InvalidRegionId.NotFound")
    status, body = hbr_via_host(emu.endpoint, emu.endpoint, action="DescribeRegions")
    assert status == 200
    assert len(body["Regions"]["Region"]) == len(REGIONS)


def test_plain_address_routes_by_api_version(estate_emulator: Emulator) -> None:
    """At a plain address, version 2014-05-26 is ECS (its own errors), anything else HBR."""
    emu = estate_emulator
    status, _, body = raw_call(
        emu.endpoint, action="DescribeRegions", version="2014-05-26", query={"RegionId": "x"}
    )
    assert (status, body["Code"], body["HostId"]) == (
        404,
        "InvalidAction.NotFound",
        "ecs.cn-hangzhou.aliyuncs.com",
    )
    status, _, body = raw_call(emu.endpoint, action="DescribeInstances", version="2017-09-08")
    assert (status, body["Code"], body["HostId"]) == (
        404,
        "InvalidAction.NotFound",
        "hbr.cn-hangzhou.aliyuncs.com",
    )
