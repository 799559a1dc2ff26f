"""Which product and region a ``Host`` header names, as the official SDKs build endpoints.

The SDKs' regional rule is ``<product>[-<network>].<region>.aliyuncs.com`` (network
``vpc``, ``share``, ...) and the central one ``<product>.aliyuncs.com``; ECS's endpoint map
also names ``ecs-cn-hangzhou.aliyuncs.com`` for several regions. So::

    hbr.cn-shanghai.aliyuncs.com       → Route(product="hbr", region="cn-shanghai")
    hbr-vpc.cn-shanghai.aliyuncs.com   → Route(product="hbr", region="cn-shanghai")
    hbr.aliyuncs.com                   → Route(product="hbr", region=None)    # central
    ecs-cn-hangzhou.aliyuncs.com       → Route(product="ecs", region=None)    # central
    sts.aliyuncs.com                   → Route(product="sts", region=None)
    127.0.0.1:8080, localhost, [::1]   → Route(product=None, region=None)     # a plain address

The port is ignored; names are case-insensitive.
"""

from __future__ import annotations

import functools

import attrs

SUFFIX = ".aliyuncs.com"
"""The domain of every Alibaba Cloud API endpoint."""


@attrs.frozen(kw_only=True)
class Route:
    """What a ``Host`` names: a product (None for a plain address) and a region (None: central).

    ``malformed`` is set for a name under ``aliyuncs.com`` that follows no endpoint rule
    (``a.b.c.aliyuncs.com``).
    """

    host: str
    product: str | None = None
    region: str | None = None
    malformed: bool = False

    @property
    def plain(self) -> bool:
        """Whether the host is an address or a name outside ``aliyuncs.com``."""
        return self.product is None and not self.malformed


def strip_port(host: str) -> str:
    """Return ``host`` without its port (``[::1]:80`` → ``::1``, ``a:80`` → ``a``), lowercased."""
    text = host.strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text[1:]
    if text.count(":") == 1:
        return text.split(":", 1)[0]
    return text


@functools.lru_cache(maxsize=256)
def parse_host(host: str) -> Route:
    """Return the :class:`Route` of a ``Host`` header value (see the module docstring)."""
    name = strip_port(host).rstrip(".")
    if not name.endswith(SUFFIX):
        return Route(host=name)
    labels = name[: -len(SUFFIX)].split(".")
    if len(labels) > 2 or not all(labels):
        return Route(host=name, malformed=True)
    # "hbr-vpc" → "hbr"; "ecs-cn-hangzhou" → "ecs" (a central ECS endpoint of the SDK's map).
    product = labels[0].split("-", 1)[0]
    region = labels[1] if len(labels) == 2 else None
    return Route(host=name, product=product, region=region)
