"""The description of an emulated estate: :class:`Estate` (regions, instances, clients, quota).

An estate is data. ``Emulator(estate=Estate(...))`` (or ``hbr-emulator serve --regions
...``) builds from it, per region, ECS instances and the HBR fleet that covers them; the
generator (:mod:`hbr_emulator.estate_fleet`) documents the rule that makes each one.
"""

from __future__ import annotations

from typing import Any

import attrs

from hbr_emulator.defaults import REGIONS
from hbr_emulator.quota import QUOTA_SCOPES, Quota, QuotaScope

__all__ = ["DEFAULT_ESTATE_REGIONS", "REGION_IDS", "Estate", "EstateError"]

REGION_IDS: tuple[str, ...] = tuple(region for region, _ in REGIONS)
"""Region IDs an estate may use: those of the public HBR endpoint map."""

DEFAULT_ESTATE_REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")
"""Regions of an ``Estate()`` built without ``regions``."""


class EstateError(ValueError):
    """An estate field has a value outside its rules; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _region_tuple(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``"cn-hangzhou, cn-shanghai"`` or a sequence → ``("cn-hangzhou", "cn-shanghai")``."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(value)


def _non_negative(_instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        msg = f"{attribute.name} must be an integer >= 0, got {value!r}"
        raise EstateError(attribute.name, msg)


def _region_list(
    _instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    unknown = [region for region in value if region not in REGION_IDS]
    if unknown:
        msg = f"{attribute.name}: unknown region(s) {', '.join(map(repr, unknown))}"
        raise EstateError(attribute.name, msg)
    if len(set(value)) != len(value):
        msg = f"{attribute.name} lists a region twice: {', '.join(value)}"
        raise EstateError(attribute.name, msg)


def _quota_per_s(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        msg = f"{attribute.name} must be > 0, got {value!r}"
        raise EstateError(attribute.name, msg)


def _quota_scope(_instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in QUOTA_SCOPES:
        msg = f"{attribute.name} must be one of {', '.join(QUOTA_SCOPES)}, got {value!r}"
        raise EstateError(attribute.name, msg)


@attrs.frozen(kw_only=True)
class Estate:
    """Several regions, each with ECS instances and an HBR fleet consistent with them.

    Per region: ``instances_per_region`` instances, ``stopped_per_region`` of them
    ``Stopped`` (the rest ``Running``); every instance but ``uncovered_per_region`` has
    exactly one ``ECS_CLIENT`` client; ``orphans_per_region`` more ``ECS_CLIENT`` clients
    name instances that do not exist; ``containers_per_region`` ``CONTAINER_CLIENT``
    clients. In the ``not_activated`` regions HBR answers ``ServiceNotActivated`` (403) to
    every action and holds no client (so every instance there is uncovered). Everything is
    a function of ``seed``. ``quota_per_s``/``quota_scope`` set a :class:`Quota`.
    """

    regions: tuple[str, ...] = attrs.field(
        default=DEFAULT_ESTATE_REGIONS, converter=_region_tuple, validator=_region_list
    )
    instances_per_region: int = attrs.field(default=40, validator=_non_negative)
    uncovered_per_region: int = attrs.field(default=3, validator=_non_negative)
    orphans_per_region: int = attrs.field(default=1, validator=_non_negative)
    stopped_per_region: int = attrs.field(default=2, validator=_non_negative)
    containers_per_region: int = attrs.field(default=2, validator=_non_negative)
    not_activated: tuple[str, ...] = attrs.field(
        default=(), converter=_region_tuple, validator=_region_list
    )
    seed: int = 0
    quota_per_s: float | None = attrs.field(default=None, validator=_quota_per_s)
    quota_scope: QuotaScope = attrs.field(default="target_api", validator=_quota_scope)

    def __attrs_post_init__(self) -> None:
        """Check the rules that tie fields together."""
        if not self.regions:
            raise EstateError("regions", "regions must name at least one region")
        for name in ("uncovered_per_region", "stopped_per_region"):
            if getattr(self, name) > self.instances_per_region:
                msg = (
                    f"{name} ({getattr(self, name)}) must be <= instances_per_region "
                    f"({self.instances_per_region})"
                )
                raise EstateError(name, msg)
        outside = [region for region in self.not_activated if region not in self.regions]
        if outside:
            msg = f"not_activated names region(s) outside regions: {', '.join(outside)}"
            raise EstateError("not_activated", msg)

    @property
    def default_region(self) -> str:
        """The first region: what a plain address and the central HBR host serve."""
        return self.regions[0]

    @property
    def quota(self) -> Quota | None:
        """The quota the estate sets, if any."""
        if self.quota_per_s is None:
            return None
        return Quota(per_s=self.quota_per_s, scope=self.quota_scope)
