"""The services the emulated cloud answers, described as data: product, version, actions.

One pipeline (:mod:`hbr_emulator.api`) runs them all; a service says which host label
names it, which API version it speaks, which handler answers each action, where its
region comes from and whether a region can have it not activated. HBR and ECS are
regional and always there; STS and ResourceManager are global, and a cloud has them
when it is an organisation (:data:`ORGANISATION_SERVICES`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from hbr_emulator import ecs_responses, responses, rm_responses, sts_responses
from hbr_emulator.auth import Identity
from hbr_emulator.defaults import ACTION, API_VERSION, REGIONS_ACTION

if TYPE_CHECKING:
    from hbr_emulator.cloud import Cloud

__all__ = [
    "ECS",
    "HBR",
    "ORGANISATION_SERVICES",
    "RESOURCE_MANAGER",
    "SERVICES",
    "STS",
    "Handler",
    "Invocation",
    "Service",
    "service_for",
]


@attrs.frozen(kw_only=True)
class Invocation:
    """What a handler answers: an authenticated call, in the account and region it acts in.

    ``cloud`` is the caller's account (a member's, with its STS credentials); ``root`` the
    emulator's cloud, which holds the organisation (``root.directory``). ``region`` is
    ``""`` for a global service reached at its central host.
    """

    cloud: Cloud
    root: Cloud
    region: str
    params: Mapping[str, str]
    request_id: str
    caller: Identity


Handler = Callable[[Invocation], bytes]
"""``handler(invocation)`` → the JSON body of a success."""


@attrs.frozen(kw_only=True)
class Service:
    """One product's API.

    ``region_param``: the region is the ``RegionId`` parameter, required (ECS); otherwise
    the host names it, or ``RegionId`` does on the central host, or it is the default
    region (HBR). ``activation``: a region may have the service not activated.
    ``regional`` False (STS, ResourceManager): the service answers for the whole
    account; the host's region, if any, is not checked against the cloud's regions.
    """

    product: str
    recommend_name: str
    version: str
    actions: Mapping[str, Handler]
    region_param: bool = False
    activation: bool = False
    regional: bool = True

    def host_id(self, region: str) -> str:
        """The ``HostId`` of the service's answers in ``region`` (``""``: the central host)."""
        if not region:
            return f"{self.product}.aliyuncs.com"
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

STS = Service(
    product="sts",
    recommend_name="Sts",
    version="2015-04-01",
    actions={
        "AssumeRole": sts_responses.assume_role,
        "GetCallerIdentity": sts_responses.get_caller_identity,
    },
    regional=False,
)
"""Security Token Service, 2015-04-01: ``sts.aliyuncs.com`` or ``sts.<region>.aliyuncs.com``."""

RESOURCE_MANAGER = Service(
    product="resourcemanager",
    recommend_name="ResourceManager",
    version="2020-03-31",
    actions={"ListAccounts": rm_responses.list_accounts},
    regional=False,
)
"""Resource Management (Resource Directory), 2020-03-31: ``resourcemanager.aliyuncs.com``."""

SERVICES: dict[str, Service] = {service.product: service for service in (HBR, ECS)}
"""The services of every cloud, by host label."""

ORGANISATION_SERVICES: dict[str, Service] = {
    **SERVICES,
    **{service.product: service for service in (STS, RESOURCE_MANAGER)},
}
"""The services of a cloud that is an organisation, by host label."""


def service_for(
    *,
    product: str | None,
    version: str,
    action: str = "",
    services: Mapping[str, Service] = SERVICES,
) -> Service | None:
    """Return the service a request is for; None for a product the cloud does not have.

    ``product`` None (a plain address): the service whose API version (and action) the
    request names (``2014-05-26``: ECS; in an organisation ``2015-04-01``: STS,
    ``2020-03-31``: ResourceManager), else HBR, which the emulator has always served
    at its address.
    """
    if product is not None:
        return services.get(product)
    speaking = [s for s in services.values() if s.version == version]
    return next((s for s in speaking if action in s.actions), speaking[0] if speaking else HBR)
