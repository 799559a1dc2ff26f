"""The services the emulated cloud answers, described as data: product, version, actions.

One pipeline (:mod:`hbr_emulator.api`) runs them all; a service says which host label
names it, which API version it speaks, which handler answers each action, where its
region comes from and whether a region can have it not activated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from hbr_emulator import ecs_responses, responses
from hbr_emulator.defaults import ACTION, API_VERSION, REGIONS_ACTION

if TYPE_CHECKING:
    from hbr_emulator.cloud import Cloud

__all__ = ["ECS", "HBR", "SERVICES", "Handler", "Service", "service_for"]

Handler = Callable[["Cloud", str, Mapping[str, str], str], bytes]
"""``handler(cloud, region, params, request_id)`` → the JSON body of a success."""


@attrs.frozen(kw_only=True)
class Service:
    """One product's API.

    ``region_param``: the region is the ``RegionId`` parameter, required (ECS); otherwise
    the host names it, or ``RegionId`` does on the central host, or it is the default
    region (HBR). ``activation``: a region may have the service not activated.
    """

    product: str
    recommend_name: str
    version: str
    actions: Mapping[str, Handler]
    region_param: bool = False
    activation: bool = False

    def host_id(self, region: str) -> str:
        """The ``HostId`` of the service's answers in ``region``."""
        return f"{self.product}.{region}.aliyuncs.com"


HBR = Service(
    product="hbr",
    recommend_name="hbr",
    version=API_VERSION,
    actions={
        ACTION: responses.describe_backup_clients,
        REGIONS_ACTION: responses.describe_regions,
    },
    activation=True,
)
"""Hybrid Backup Recovery, 2017-09-08."""

ECS = Service(
    product="ecs",
    recommend_name="Ecs",
    version="2014-05-26",
    actions={"DescribeInstances": ecs_responses.describe_instances},
    region_param=True,
)
"""Elastic Compute Service, 2014-05-26."""

SERVICES: dict[str, Service] = {service.product: service for service in (HBR, ECS)}
"""The services by host label."""


def service_for(*, product: str | None, version: str) -> Service | None:
    """Return the service a request is for; None for a product the cloud does not have.

    ``product`` None (a plain address): the service whose API version the request names
    (``2014-05-26``: ECS), else HBR, which the emulator has always served at its address.
    """
    if product is not None:
        return SERVICES.get(product)
    return next((s for s in SERVICES.values() if s.version == version), HBR)
