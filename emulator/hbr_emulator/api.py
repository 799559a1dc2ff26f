"""The RPC API route of every service: route by ``Host`` and action, then one pipeline.

For each call, in this order (the first failure answers):

1. **Route**: the ``Host`` names a product (:mod:`hbr_emulator.hosts`); one the cloud
   does not have (STS and ResourceManager: only an organisation has them), or a
   malformed ``aliyuncs.com`` name, answers 404 ``InvalidAction.NotFound``. A plain
   address goes to the service whose API version (and action) the request names
   (``2014-05-26``: ECS; ``2015-04-01``: STS; ``2020-03-31``: ResourceManager), else HBR.
2. **Authenticate** against the ``Host`` received (ACS3 signs it), with the emulator's key
   or, in an organisation, credentials STS issued (token checked, then its expiry).
3. **Account**: the key's account, whose regions and backends answer: the emulator's own
   (the management account's), or the member's whose role STS credentials were issued for.
4. **Action and version** of the service: 404 ``InvalidAction.NotFound``, 400 ``InvalidVersion``.
5. **Region** (of that account): ECS takes ``RegionId`` (400 ``MissingRegionId``); HBR
   takes the host's region, or on the central host ``RegionId`` or the default region,
   and on a plain address the default region. A region the account does not have: 404
   ``InvalidRegionId.NotFound``. STS and ResourceManager are global: no region is checked.
6. **Faults** (delay, reset, injected errors, ``Faults.qps``) of the emulator, then those
   of a member account, then the account's **quota** (400 ``Throttling.User`` with
   ``x-acs-retry-after``: milliseconds until a token is back).
7. **Activation**: HBR in a ``not_activated`` region answers 403 ``ServiceNotActivated``.
8. The service's handler parses the parameters and answers (STS and ResourceManager then
   check who may call them: :mod:`hbr_emulator.directory`).
"""

from __future__ import annotations

import math
import uuid

import attrs

from hbr_emulator.auth import authenticate
from hbr_emulator.cloud import Cloud
from hbr_emulator.exceptions import (
    HbrApiError,
    InvalidActionNotFound,
    InvalidRegionIdNotFound,
    InvalidVersion,
    MissingRegionId,
    ServiceNotActivated,
    Throttling,
    render_error,
)
from hbr_emulator.faults import Decision
from hbr_emulator.hosts import Route, parse_host
from hbr_emulator.messages import Reply, Request
from hbr_emulator.services import Invocation, Service, service_for


def new_request_id() -> str:
    """Return a request id shaped like the service's (an uppercase UUID)."""
    return str(uuid.uuid4()).upper()


def _first(request: Request, header: str, params: dict[str, str], param: str) -> str:
    values = request.headers.get(header)
    return values[0] if values else params.get(param, "")


def _region(cloud: Cloud, service: Service, route: Route, params: dict[str, str]) -> str:
    if not service.regional:
        return route.region or ""
    if service.region_param:
        region = params.get("RegionId", "")
        if not region:
            raise MissingRegionId
    elif route.region is not None:
        region = route.region
    elif route.plain:
        return cloud.default_region
    else:
        region = params.get("RegionId") or cloud.default_region
    if not cloud.serves(region):
        msg = (
            f"The specified RegionId {region!r} does not exist: "
            f"the emulated cloud has {', '.join(cloud.regions)}."
        )
        raise InvalidRegionIdNotFound(msg)
    return region


def _unknown_host(cloud: Cloud, route: Route, action: str, params: dict[str, str]) -> Reply:
    error = InvalidActionNotFound(
        f"No service answers at {route.host!r}: the emulated cloud has "
        f"{', '.join(_host_pattern(service) for service in cloud.services.values())}."
    )
    cloud.gateway.log_request(
        action=action,
        params=params,
        status=error.status,
        code=error.code,
        product=route.product or route.host,
        region=route.region or "",
    )
    return Reply(
        status=error.status, body=render_error(error, new_request_id(), host_id=route.host)
    )


def _host_pattern(service: Service) -> str:
    region = "<region>." if service.regional else ""
    return f"{service.product}.{region}aliyuncs.com"


def api(cloud: Cloud, request: Request) -> Reply:
    """Answer one RPC API call (``POST /`` or an RPC-signed ``GET /``) of any service."""
    params = dict(request.query)
    params.update(request.form())
    action = _first(request, "x-acs-action", params, "Action")
    version = _first(request, "x-acs-version", params, "Version")
    route = parse_host(_first(request, "host", {}, ""))
    service = service_for(
        product=route.product, version=version, action=action, services=cloud.services
    )
    if service is None or route.malformed:
        return _unknown_host(cloud, route, action, params)
    call = _Call(cloud=cloud, service=service, params=params, action=action, route=route)
    try:
        identity = authenticate(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            params=params,
            credentials=cloud.gateway.credentials,
            nonces=cloud.gateway.nonces,
            keys=cloud.credentials_for,
        )
        call.action = identity.action
        account = call.account = cloud.account(identity.account_id)
        handler = service.actions.get(identity.action)
        if handler is None:
            msg = f"Specified api {identity.action!r} is not found."
            raise InvalidActionNotFound(msg)
        if identity.version != service.version:
            msg = f"Specified parameter Version {identity.version!r} is not valid."
            raise InvalidVersion(msg)
        call.region = _region(account, service, route, params)
        decision = _decide(cloud, account, identity.access_key_id)
        call.delay = decision.delay_s
        if decision.reset:
            call.log(status=0, code="ConnectionReset")
            return Reply(reset=True, delay_s=call.delay)
        if decision.error is not None:
            return call.error(decision.error, retry_after_ms=decision.retry_after_ms)
        wait = account.gateway.quota_wait(
            region=call.region, product=service.product, action=call.action
        )
        if wait > 0:
            msg = f"Request was denied due to the emulated quota ({_scope(account)})."
            return call.error(Throttling(msg), retry_after_ms=max(1, math.ceil(wait * 1000)))
        if service.activation and not account.hbr_activated(call.region):
            msg = f"The {service.product.upper()} service is not activated in {call.region}."
            raise ServiceNotActivated(msg)
        body = handler(
            Invocation(
                cloud=account,
                root=cloud,
                region=call.region,
                params=params,
                request_id=call.request_id,
                caller=identity,
            )
        )
    except HbrApiError as error:
        return call.error(error)
    call.log(status=200, code="200")
    return Reply(body=body, delay_s=call.delay)


def _decide(root: Cloud, account: Cloud, access_key_id: str) -> Decision:
    """The emulator's faults decide first; a member account's own faults then, if none hit."""
    decision = root.gateway.injector.decide(access_key_id)
    if account.gateway is root.gateway or decision.reset or decision.error is not None:
        return decision
    own = account.gateway.injector.decide(access_key_id)
    return attrs.evolve(own, delay_s=decision.delay_s + own.delay_s)


def _scope(cloud: Cloud) -> str:
    quota = cloud.gateway.quota
    if quota is None:
        return "none"
    per = "account" if quota.scope == "account" else "region and API"
    return f"{quota.per_s:g} per second per {per}"


class _Call:
    """One call's facts as the pipeline learns them, for its log entry and its error."""

    def __init__(
        self,
        *,
        cloud: Cloud,
        service: Service,
        params: dict[str, str],
        action: str,
        route: Route,
    ) -> None:
        self.cloud = cloud
        self.account = cloud
        self.service = service
        self.params = params
        self.action = action
        self.region = cloud.default_region if service.regional else route.region or ""
        self.delay = 0.0
        self.request_id = new_request_id()

    def log(self, *, status: int, code: str) -> None:
        self.cloud.gateway.log_request(
            action=self.action,
            params=self.params,
            status=status,
            code=code,
            product=self.service.product,
            region=self.region,
            account=self.account.account_id,
        )

    def error(self, error: HbrApiError, *, retry_after_ms: int | None = None) -> Reply:
        self.log(status=error.status, code=error.code)
        headers = (("x-acs-retry-after", str(retry_after_ms)),) if retry_after_ms else ()
        body = render_error(
            error,
            self.request_id,
            host_id=self.service.host_id(self.region),
            product=self.service.recommend_name,
        )
        return Reply(status=error.status, body=body, headers=headers, delay_s=self.delay)


def not_found(_cloud: Cloud, request: Request) -> Reply:
    """Answer a path or method the emulator does not serve."""
    error = InvalidActionNotFound(f"No route for {request.method} {request.path}.")
    return Reply(status=404, body=render_error(error, new_request_id()))
