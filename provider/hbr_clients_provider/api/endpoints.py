"""Each service's endpoint in each region, as the official SDKs resolve it; and ``connect_to``.

The official Python SDKs (``alibabacloud-hbr20170908``, ``alibabacloud-ecs20140526``) resolve
an endpoint in this order, and so does :func:`endpoint_for`:

1. the region's entry in the SDK's ``_endpoint_map`` (:data:`ENDPOINT_MAPS`), whatever the
   network;
2. otherwise the ``regional`` rule of ``tea-openapi``'s ``get_endpoint_rules``:
   ``<product>.<region>.aliyuncs.com``, or ``<product>-vpc.<region>.aliyuncs.com`` on the
   VPC network.

The maps are those of ``alibabacloud-hbr20170908`` 2.7.1, ``alibabacloud-ecs20140526``
7.11.8 and ``alibabacloud-sts20150401`` 1.2.0; ``alibabacloud-resourcemanager20200331``
2.6.2 uses the ``central`` rule (``<product>.aliyuncs.com``). ``tests/provider/test_endpoints.py``
compares them with the installed SDKs, so a drift fails a test. Note ECS's own map:
``cn-hangzhou`` is ``ecs-cn-hangzhou.aliyuncs.com``.

``connect_to`` (``HBR_CONNECT_TO``, ``--connect-to``, ``hbr:connectTo``) is curl's
``--connect-to`` for every request of this package: the request keeps its real URL, ``Host``
header, signature and TLS server name (``hbr.cn-shanghai.aliyuncs.com``), but its TCP
connection goes to ``HOST:PORT``. That is how one emulator serves a whole cloud (it tells
services and regions apart by ``Host``, as the real gateway does) and how an egress gateway
that routes by ``Host`` can be used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from hbr_clients_provider.errors import InvalidQuery, Violation

__all__ = ["CENTRAL_PRODUCTS", "ENDPOINT_MAPS", "endpoint_for", "parse_connect_to"]

_HBR_SHARED = "hbr.aliyuncs.com"

#: ``alibabacloud-hbr20170908``'s ``_endpoint_map``.
_HBR_MAP: Final[Mapping[str, str]] = dict.fromkeys(
    [
        "ap-northeast-2-pop",
        "cn-beijing-finance-pop",
        "cn-beijing-gov-1",
        "cn-beijing-nu16-b01",
        "cn-edge-1",
        "cn-fujian",
        "cn-haidian-cm12-c01",
        "cn-hangzhou-bj-b01",
        "cn-hangzhou-internal-prod-1",
        "cn-hangzhou-internal-test-1",
        "cn-hangzhou-internal-test-2",
        "cn-hangzhou-internal-test-3",
        "cn-hangzhou-test-306",
        "cn-hongkong-finance-pop",
        "cn-huhehaote-nebula-1",
        "cn-qingdao-nebula",
        "cn-shanghai-et15-b01",
        "cn-shanghai-et2-b01",
        "cn-shanghai-inner",
        "cn-shanghai-internal-test-1",
        "cn-shenzhen-inner",
        "cn-shenzhen-st4-d01",
        "cn-shenzhen-su18-b01",
        "cn-wuhan",
        "cn-yushanfang",
        "cn-zhangbei",
        "cn-zhangbei-na61-b01",
        "cn-zhangjiakou-na62-a01",
        "cn-zhengzhou-nebula-1",
        "eu-west-1-oxs",
        "rus-west-1-pop",
    ],
    _HBR_SHARED,
)

_ECS_HANGZHOU = "ecs-cn-hangzhou.aliyuncs.com"
_ECS_CENTRAL = "ecs.aliyuncs.com"
_ECS_NEBULA = "ecs.cn-qingdao-nebula.aliyuncs.com"

#: ``alibabacloud-ecs20140526``'s ``_endpoint_map``.
_ECS_MAP: Final[Mapping[str, str]] = {
    **dict.fromkeys(
        [
            "cn-hangzhou",
            "cn-shanghai-finance-1",
            "cn-shenzhen-finance-1",
            "cn-beijing-nu16-b01",
            "cn-fujian",
            "cn-haidian-cm12-c01",
            "cn-hangzhou-bj-b01",
            "cn-hangzhou-internal-prod-1",
            "cn-hangzhou-internal-test-1",
            "cn-hangzhou-internal-test-2",
            "cn-hangzhou-internal-test-3",
            "cn-hangzhou-test-306",
            "cn-shanghai-et15-b01",
            "cn-shanghai-et2-b01",
            "cn-shanghai-internal-test-1",
            "cn-shenzhen-st4-d01",
            "cn-shenzhen-su18-b01",
            "cn-zhangbei-na61-b01",
        ],
        _ECS_HANGZHOU,
    ),
    **dict.fromkeys(
        [
            "cn-north-2-gov-1",
            "ap-northeast-2-pop",
            "cn-beijing-finance-pop",
            "cn-beijing-gov-1",
            "cn-hangzhou-finance",
            "cn-hongkong-finance-pop",
            "cn-shanghai-inner",
            "cn-shenzhen-inner",
            "cn-wuhan",
            "cn-yushanfang",
            "cn-zhangbei",
            "rus-west-1-pop",
        ],
        _ECS_CENTRAL,
    ),
    **dict.fromkeys(["cn-edge-1", "cn-huhehaote-nebula-1", "cn-zhengzhou-nebula-1"], _ECS_NEBULA),
    "cn-zhangjiakou-na62-a01": "ecs.cn-zhangjiakou.aliyuncs.com",
    "eu-west-1-oxs": "ecs.cn-shenzhen-cloudstone.aliyuncs.com",
}

#: ``alibabacloud-sts20150401``'s ``_endpoint_map``.
_STS_MAP: Final[Mapping[str, str]] = dict.fromkeys(
    [
        "ap-northeast-2-pop",
        "ap-south-1",
        "ap-southeast-2",
        "cn-beijing-finance-pop",
        "cn-beijing-gov-1",
        "cn-beijing-nu16-b01",
        "cn-edge-1",
        "cn-fujian",
        "cn-haidian-cm12-c01",
        "cn-hangzhou-bj-b01",
        "cn-hangzhou-internal-prod-1",
        "cn-hangzhou-internal-test-1",
        "cn-hangzhou-internal-test-2",
        "cn-hangzhou-internal-test-3",
        "cn-hangzhou-test-306",
        "cn-hongkong-finance-pop",
        "cn-huhehaote-nebula-1",
        "cn-shanghai-et15-b01",
        "cn-shanghai-et2-b01",
        "cn-shanghai-inner",
        "cn-shanghai-internal-test-1",
        "cn-shenzhen-inner",
        "cn-shenzhen-st4-d01",
        "cn-shenzhen-su18-b01",
        "cn-wuhan",
        "cn-yushanfang",
        "cn-zhangbei",
        "cn-zhangbei-na61-b01",
        "cn-zhangjiakou-na62-a01",
        "cn-zhengzhou-nebula-1",
        "eu-west-1-oxs",
        "rus-west-1-pop",
    ],
    "sts.aliyuncs.com",
)

#: Each product's SDK endpoint map: region -> endpoint.
ENDPOINT_MAPS: Final[Mapping[str, Mapping[str, str]]] = {
    "hbr": _HBR_MAP,
    "ecs": _ECS_MAP,
    "sts": _STS_MAP,
}

#: Products whose SDK uses the ``central`` rule: one endpoint, whatever the region
#: (``alibabacloud-resourcemanager20200331``: ``resourcemanager.aliyuncs.com``).
CENTRAL_PRODUCTS: Final = frozenset({"resourcemanager"})


def endpoint_for(product: str, region: str, *, network: str = "public") -> str:
    """The endpoint of ``product`` (``hbr``, ``ecs``, ``sts``, ``resourcemanager``) in
    ``region`` on ``network``, per the official SDK."""
    mapped = ENDPOINT_MAPS.get(product, {}).get(region)
    if mapped is not None:
        return mapped
    suffix = "-vpc" if network == "vpc" else ""
    if product in CENTRAL_PRODUCTS:
        return f"{product}{suffix}.aliyuncs.com"
    return f"{product}{suffix}.{region}.aliyuncs.com"


_CONNECT_TO_RULE = (
    "must be HOST:PORT (a host name, an IPv4 address or a bracketed IPv6 address, and a port "
    "from 1 to 65535), e.g. 127.0.0.1:8080"
)


def parse_connect_to(value: str, *, field: str = "connect_to") -> tuple[str, int]:
    """``"HOST:PORT"`` as ``(host, port)``; the host of ``[::1]:80`` is ``::1``.

    :raises InvalidQuery: naming ``field`` when ``value`` is not ``HOST:PORT``.
    """
    from hbr_clients_provider.api.connection import endpoint_problem  # noqa: PLC0415

    text = value.strip()
    host, sep, port = text.rpartition(":")
    problem = endpoint_problem(text)
    if problem is not None or not sep or not host or not port.isdigit():
        raise InvalidQuery((Violation(field=field, rule=_CONNECT_TO_RULE, value=value),))
    return host.strip("[]"), int(port)
