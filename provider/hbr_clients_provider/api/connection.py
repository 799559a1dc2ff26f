"""Where to send requests and with which credentials: :class:`ConnectionSettings`.

:meth:`ConnectionSettings.resolve` applies the precedence rules once, up front:

* endpoint: explicit, else ``HBR_ENDPOINT``, else the region's endpoint as the official SDK
  resolves it (:func:`~hbr_clients_provider.api.regions.endpoint_for`:
  ``hbr.<region>.aliyuncs.com``, ``hbr-vpc.<region>.aliyuncs.com`` with ``network="vpc"``, or
  ``hbr.aliyuncs.com`` for the special regions of the SDK's map); the region is explicit, else
  ``ALIBABA_CLOUD_REGION_ID``. The region is checked before listing, endpoint or not
  (:func:`~hbr_clients_provider.api.regions.check_region`).
* protocol: explicit, else ``HBR_PROTOCOL``, else ``https``.
* connect_to: explicit, else ``HBR_CONNECT_TO``: every connection goes to that ``HOST:PORT``
  while the request keeps its real ``Host`` (:mod:`~hbr_clients_provider.api.endpoints`); the
  proxy decision is then made for that address. :meth:`ConnectionSettings.for_service`
  gives the settings of another service or region with the same credentials.
* credentials: an explicit AccessKey pair (plus optional STS token), else a named profile,
  else the standard chain of ``alibabacloud-credentials``: environment variables
  (``ALIBABA_CLOUD_ACCESS_KEY_ID``/``_SECRET``/``_SECURITY_TOKEN``), OIDC role
  (``ALIBABA_CLOUD_ROLE_ARN``, ``ALIBABA_CLOUD_OIDC_PROVIDER_ARN``,
  ``ALIBABA_CLOUD_OIDC_TOKEN_FILE``), the CLI profile ``~/.aliyun/config.json`` and
  ``~/.alibabacloud/credentials.ini`` (``ALIBABA_CLOUD_PROFILE`` picks the profile).

The ECS-metadata step of the chain waits about a second per try where no metadata
service exists, which turns "no credentials" into a slow failure. It is therefore tried
only on request: set ``ALIBABA_CLOUD_ECS_METADATA`` (the RAM role name) or
``ALIBABA_CLOUD_ECS_METADATA_DISABLED=false``. A missing credential fails at once with a
:class:`~hbr_clients_provider.errors.CredentialsError` that says how to provide one.

The chain is read from the ``environ`` mapping given to ``resolve`` (not from the
environment the library captured at import), so tests and the provider process can pass
their own. So are the proxy and CA variables: ``resolve`` decides the proxy and the trusted
CAs of the endpoint once (:func:`~hbr_clients_provider.api.network.resolve_network`), with an
explicit ``ca_bundle`` first. Secrets never appear in ``repr``.

The endpoint is checked before anything is sent: a host name, an IPv4 address or a
bracketed IPv6 address, with an optional port from 1 to 65535, and nothing else (no scheme,
path, user or spaces). ``127.0.0.1:99999`` is refused with an
:class:`~hbr_clients_provider.errors.InvalidQuery` naming ``endpoint``.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Any

import attrs

from hbr_clients_provider.api.endpoints import endpoint_for as endpoint_for_product
from hbr_clients_provider.api.endpoints import parse_connect_to
from hbr_clients_provider.api.network import NetworkSettings, resolve_network
from hbr_clients_provider.api.regions import endpoint_for
from hbr_clients_provider.errors import CredentialsError, InvalidQuery, NoEndpointError, Violation
from hbr_clients_provider.settings import CREDENTIALS_HINT, ENDPOINT_SCHEME_HINT, PROFILE_HINT

__all__ = ["NETWORKS", "PROTOCOLS", "ConnectionSettings", "endpoint_problem"]

NETWORKS: tuple[str, ...] = ("public", "vpc")
PROTOCOLS: tuple[str, ...] = ("https", "http")

_HOW_TO_SET_CREDENTIALS = (
    "no Alibaba Cloud credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and "
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET (optionally ALIBABA_CLOUD_SECURITY_TOKEN), "
    f"{CREDENTIALS_HINT.cli}, or configure ~/.aliyun/config.json"
)


def _lower(value: str) -> str:
    return value.strip().lower()


_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_ENDPOINT_RULE = (
    "must be a host name or IP address with an optional :PORT (1-65535) and nothing else, "
    "e.g. hbr.cn-hangzhou.aliyuncs.com or 127.0.0.1:8080"
)


def endpoint_problem(value: object) -> str | None:  # noqa: PLR0911, PLR0912 - one rule per shape
    """Why ``value`` is not a valid endpoint (``host[:port]``), or ``None`` when it is."""
    if not isinstance(value, str) or not value.strip():
        return f"{_ENDPOINT_RULE}; it is empty"
    if "://" in value:
        return f"{_ENDPOINT_RULE}; {ENDPOINT_SCHEME_HINT.cli}"
    if value != value.strip() or any(c.isspace() or c in "/?#@\\" for c in value):
        return _ENDPOINT_RULE
    host, port = value, None
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                return _ENDPOINT_RULE
            port = rest[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return _ENDPOINT_RULE
    else:
        if value.count(":") > 1:
            return f"{_ENDPOINT_RULE}; put an IPv6 address in brackets, e.g. [::1]:8080"
        if ":" in value:
            host, port = value.split(":")
        labels = host.rstrip(".").split(".")
        if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
            return _ENDPOINT_RULE
        if all(label.isdigit() for label in labels):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                return _ENDPOINT_RULE
    if port is not None and (
        not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535
    ):
        return f"{_ENDPOINT_RULE}; the port is not a number from 1 to 65535"
    return None


def _require_endpoint(value: str) -> None:
    """Raise :class:`InvalidQuery` naming ``endpoint`` unless ``value`` is a valid endpoint."""
    problem = endpoint_problem(value)
    if problem is not None:
        raise InvalidQuery((Violation(field="endpoint", rule=problem, value=value),))


@attrs.frozen(kw_only=True)
class ConnectionSettings:
    """Endpoint, protocol, timeouts and static credentials for the HBR API."""

    endpoint: str = attrs.field()
    region: str | None = None
    network: str = attrs.field(default="public", converter=_lower)
    protocol: str = attrs.field(default="https", converter=_lower)
    access_key_id: str | None = None
    access_key_secret: str | None = attrs.field(default=None, repr=False)
    security_token: str | None = attrs.field(default=None, repr=False)
    profile: str | None = None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    ca_bundle: str | None = None
    network_settings: NetworkSettings | None = attrs.field(default=None, repr=False)
    connect_to: tuple[str, int] | None = None
    """Where every connection goes instead of the endpoint's address (``None``: there)."""
    endpoint_given: bool = False
    """Whether the endpoint was set (argument or ``HBR_ENDPOINT``) rather than resolved."""

    @endpoint.validator
    def _check_endpoint(self, _: attrs.Attribute[str], value: str) -> None:
        _require_endpoint(value)

    def __attrs_post_init__(self) -> None:
        if self.network not in NETWORKS:
            msg = f"network must be one of {', '.join(NETWORKS)}, got {self.network!r}"
            raise ValueError(msg)
        if self.protocol not in PROTOCOLS:
            msg = f"protocol must be one of {', '.join(PROTOCOLS)}, got {self.protocol!r}"
            raise ValueError(msg)
        if self.connect_timeout_s <= 0 or self.read_timeout_s <= 0:
            msg = "timeouts must be positive"
            raise ValueError(msg)

    @classmethod
    def resolve(
        cls,
        *,
        endpoint: str | None = None,
        region: str | None = None,
        protocol: str | None = None,
        network: str | None = None,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        profile: str | None = None,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 10.0,
        ca_bundle: str | None = None,
        environ: Mapping[str, str] | None = None,
        connect_to: str | None = None,
    ) -> ConnectionSettings:
        """Apply the precedence rules (module docstring) and fetch credentials once.

        :raises InvalidQuery: an invalid endpoint, ``connect_to``, proxy variable or CA bundle.
        :raises CredentialsError: when no credentials can be found.
        :raises NoEndpointError: when neither an endpoint nor a region is known.
        """
        env = os.environ if environ is None else environ
        region = region or env.get("ALIBABA_CLOUD_REGION_ID") or None
        network = _lower(network or "public")
        endpoint = endpoint or env.get("HBR_ENDPOINT") or None
        endpoint_given = endpoint is not None
        connect_text = connect_to or env.get("HBR_CONNECT_TO") or None
        target = (
            None
            if connect_text is None
            else parse_connect_to(
                connect_text, field="connect_to" if connect_to else "HBR_CONNECT_TO"
            )
        )
        if endpoint is None:
            if not region:
                raise NoEndpointError
            endpoint = endpoint_for(region, network=network)
        protocol = protocol or env.get("HBR_PROTOCOL") or "https"
        _require_endpoint(endpoint)  # before the proxy, the CAs and the credential chain
        network_settings = None
        if _lower(protocol) in PROTOCOLS:
            network_settings = _network(_lower(protocol), endpoint, target, ca_bundle, env)
        key_id, secret, token = _credentials(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            security_token=security_token,
            profile=profile,
            environ=env,
        )
        return cls(
            endpoint=endpoint,
            region=region,
            network=network,
            protocol=protocol,
            access_key_id=key_id,
            access_key_secret=secret,
            security_token=token,
            profile=profile,
            connect_timeout_s=connect_timeout_s,
            read_timeout_s=read_timeout_s,
            ca_bundle=ca_bundle,
            network_settings=network_settings,
            connect_to=target,
            endpoint_given=endpoint_given,
        )

    def for_service(
        self, product: str, region: str, *, environ: Mapping[str, str] | None = None
    ) -> ConnectionSettings:
        """These settings for ``product`` (``hbr``, ``ecs``) in ``region``: same credentials,
        timeouts and ``connect_to``; the endpoint as the official SDK resolves it, and the
        proxy decided for it (from ``environ``, default the process environment).
        """
        endpoint = endpoint_for_product(product, region, network=self.network)
        env = os.environ if environ is None else environ
        return attrs.evolve(
            self,
            endpoint=endpoint,
            region=region,
            endpoint_given=False,
            network_settings=_network(
                self.protocol, endpoint, self.connect_to, self.ca_bundle, env
            ),
        )

    def redacted(self) -> dict[str, Any]:
        """Return the settings as a dict safe to log (no secret or token)."""
        return {
            "endpoint": self.endpoint,
            "region": self.region,
            "network": self.network,
            "protocol": self.protocol,
            "access_key_id": self.access_key_id,
            "profile": self.profile,
            "connect_timeout_s": self.connect_timeout_s,
            "read_timeout_s": self.read_timeout_s,
            "ca_bundle": self.ca_bundle,
            "route": self.network_settings.describe() if self.network_settings else None,
            "connect_to": None if self.connect_to is None else _address(self.connect_to),
        }


def _address(target: tuple[str, int]) -> str:
    host, port = target
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _network(
    protocol: str,
    endpoint: str,
    connect_to: tuple[str, int] | None,
    ca_bundle: str | None,
    environ: Mapping[str, str],
) -> NetworkSettings:
    """The proxy and CAs for ``endpoint``; with ``connect_to``, the proxy of that address."""
    where = endpoint if connect_to is None else _address(connect_to)
    return resolve_network(f"{protocol}://{where}/", ca_bundle=ca_bundle, environ=environ)


def _credentials(
    *,
    access_key_id: str | None,
    access_key_secret: str | None,
    security_token: str | None,
    profile: str | None,
    environ: Mapping[str, str],
) -> tuple[str, str, str | None]:
    if access_key_id or access_key_secret:
        if not (access_key_id and access_key_secret):
            msg = "an explicit AccessKey needs both the AccessKey ID and the AccessKey secret"
            raise CredentialsError(msg)
        return access_key_id, access_key_secret, security_token or None
    if not profile:
        env_id = environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
        env_secret = environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        if env_id and env_secret:
            return env_id, env_secret, environ.get("ALIBABA_CLOUD_SECURITY_TOKEN") or None
    for provider in _chain(profile=profile, environ=environ):
        try:
            creds = provider.get_credentials()
        except Exception:  # noqa: S112 - each failed step just moves down the chain
            continue
        if creds is not None and creds.get_access_key_id() and creds.get_access_key_secret():
            return (
                creds.get_access_key_id(),
                creds.get_access_key_secret(),
                creds.get_security_token() or None,
            )
    if profile:
        msg = (
            f"no credentials found in profile {profile!r} "
            "(~/.aliyun/config.json or ~/.alibabacloud/credentials.ini)"
        )
        raise CredentialsError(msg, hints=(PROFILE_HINT,))
    raise CredentialsError(_HOW_TO_SET_CREDENTIALS, hints=(CREDENTIALS_HINT,))


def _chain(*, profile: str | None, environ: Mapping[str, str]) -> list[Any]:
    """The credential providers after the environment step, in the standard order."""
    from alibabacloud_credentials import provider as p  # noqa: PLC0415

    name = profile or environ.get("ALIBABA_CLOUD_PROFILE") or None
    steps: list[Any] = []
    if not profile:
        role_arn = environ.get("ALIBABA_CLOUD_ROLE_ARN")
        provider_arn = environ.get("ALIBABA_CLOUD_OIDC_PROVIDER_ARN")
        token_file = environ.get("ALIBABA_CLOUD_OIDC_TOKEN_FILE")
        if role_arn and provider_arn and token_file:
            steps.append(
                _make(
                    p.OIDCRoleArnCredentialsProvider,
                    role_arn=role_arn,
                    oidc_provider_arn=provider_arn,
                    oidc_token_file_path=token_file,
                )
            )
    steps.append(_make(p.CLIProfileCredentialsProvider, profile_name=name))
    steps.append(_make(p.ProfileCredentialsProvider, profile_name=name))
    ecs_role = environ.get("ALIBABA_CLOUD_ECS_METADATA")
    ecs_opt_in = environ.get("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "").strip().lower() == "false"
    if not profile and (ecs_role or ecs_opt_in):
        steps.append(_make(p.EcsRamRoleCredentialsProvider, role_name=ecs_role or None))
    return [s for s in steps if s is not None]


def _make(factory: Any, **kwargs: Any) -> Any:
    try:
        return factory(**kwargs)
    except Exception:
        return None
