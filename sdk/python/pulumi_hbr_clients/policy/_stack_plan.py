"""What the stack adds to the estate: the ECS instances it declares, the clients it installs.

An estate audit lists what exists. A deploy gate that ignored what the deploy is about to
create would pass a stack that adds an instance without a backup client, and would block
the stack that adds the missing client. :meth:`StackPlan.from_resources` reads the resources
the engine sends a stack policy (type tokens and property names of pulumi-alicloud 4.0.0,
:mod:`~pulumi_hbr_clients.policy.types`):

* each ``alicloud:ecs/instance:Instance``: its ``id`` (unknown until it is created),
  ``tags``, ``status`` (pulumi-alicloud's default is ``Running``) and the ``region`` of its
  provider, else ``ALICLOUD_REGION`` (where pulumi-alicloud reads it);
* each ``alicloud:hbr/ecsBackupClient:EcsBackupClient``: the instance it installs on. A
  known ``instanceId`` names it. An unknown one (``instance_id=web.id`` for an instance the
  same deploy creates) is matched through the engine's dependencies: the ``Instance``
  resources the ``instanceId`` property was computed from, else the one ``Instance`` the
  client depends on.

:func:`count_stack_plan` then judges the estate as it will be: each listed region's
inventory plus the stack's instances in that region (by ID once known, by URN until then)
and its clients plus the stack's, through the one
:func:`~hbr_clients_provider.audit.coverage.audit_coverage`. The stack's resources belong to
the caller's own account (the targets without an ``account_id``), never to a member account
of ``accounts``. A stack instance the inventory already holds is counted once. The client
rules judge only clients that exist: a client the deploy creates has no status or version
yet. What cannot be told before the update (an instance's region or scope tags, the
instance of a client) is returned as ``pending``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import attrs
from pulumi_policy import PolicyResource

from hbr_clients_provider.api.instances import EcsInstance
from hbr_clients_provider.api.models import BackupClient, Tag
from hbr_clients_provider.audit.coverage import (
    COVERAGE_RULES,
    NO_BACKUP_CLIENT,
    ORPHAN_CLIENT,
    CoverageReport,
    InstanceScope,
    TargetListing,
    audit_coverage,
)
from hbr_clients_provider.audit.rules import AuditRules
from pulumi_hbr_clients.policy._props import UNKNOWN, read_known
from pulumi_hbr_clients.policy.types import (
    ECS_BACKUP_CLIENT_TYPE,
    ECS_INSTANCE_TYPE,
    INSTANCE_ID,
)

__all__ = [
    "ALICLOUD_REGION_ENV",
    "DEFAULT_INSTANCE_STATUS",
    "PlanCount",
    "PlannedClient",
    "PlannedInstance",
    "StackPlan",
    "count_stack_plan",
]

#: Where pulumi-alicloud reads the region when its provider config names none.
ALICLOUD_REGION_ENV: Final = "ALICLOUD_REGION"

#: The ``status`` of an ``alicloud:ecs/instance:Instance`` that sets none.
DEFAULT_INSTANCE_STATUS: Final = "Running"


@attrs.frozen(kw_only=True)
class PlannedInstance:
    """An ECS instance the stack declares, as far as it is known before the update."""

    urn: str
    name: str
    instance_id: str | None = None
    """The instance's ID; ``None`` until the update creates it."""
    region: str | None = None
    """Its provider's region; ``None`` when not known before the update."""
    status: str = DEFAULT_INSTANCE_STATUS
    tags: tuple[tuple[str, str], ...] = ()
    """The tags whose values are known."""
    tags_known: bool = True
    """Whether the tag map itself is known (a map computed by the update is not)."""
    unknown_tag_keys: tuple[str, ...] = ()
    """Tag keys whose values are only known after the update."""

    @property
    def identity(self) -> str:
        """The instance ID once known, else the resource's URN."""
        return self.instance_id or self.urn

    def decidable(self, scope: InstanceScope) -> bool:
        """Whether ``scope`` can tell now if this instance is in it (its tags are known)."""
        if not scope.tags:
            return True
        if not self.tags_known:
            return False
        return not any(key in self.unknown_tag_keys for key, _ in scope.tags)

    def as_instance(self) -> EcsInstance:
        """The instance as an inventory row, named by :attr:`identity`."""
        return EcsInstance(
            instance_id=self.identity,
            instance_name=self.name,
            region_id=self.region,
            status=self.status,
            tags=tuple(Tag(key=k, value=v) for k, v in self.tags),
        )


@attrs.frozen(kw_only=True)
class PlannedClient:
    """An ``EcsBackupClient`` the stack declares and the instances it may install on."""

    urn: str
    name: str
    targets: tuple[str, ...] = ()
    """Instance IDs or ``Instance`` URNs; empty when not known before the update."""


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _region(resource: PolicyResource, environ: Mapping[str, str]) -> str | None:
    if resource.provider is not None:
        value = read_known(resource.provider.props, "region")
        if value is UNKNOWN:
            return None
        if (region := _text(value)) is not None:
            return region
    return _text(environ.get(ALICLOUD_REGION_ENV))


def _planned_instance(resource: PolicyResource, environ: Mapping[str, str]) -> PlannedInstance:
    tags = read_known(resource.props, "tags")
    known: list[tuple[str, str]] = []
    unknown: list[str] = []
    if isinstance(tags, Mapping):
        for key in tags:
            value = read_known(tags, key)
            if value is UNKNOWN:
                unknown.append(str(key))
            elif isinstance(value, str):
                known.append((str(key), value))
    return PlannedInstance(
        urn=resource.urn,
        name=resource.name,
        instance_id=_text(read_known(resource.props, "id")),
        region=_region(resource, environ),
        status=_text(read_known(resource.props, "status")) or DEFAULT_INSTANCE_STATUS,
        tags=tuple(sorted(known)),
        tags_known=tags is not UNKNOWN,
        unknown_tag_keys=tuple(unknown),
    )


def _ecs_instances(resources: Iterable[PolicyResource]) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type == ECS_INSTANCE_TYPE]


def _planned_client(resource: PolicyResource) -> PlannedClient:
    value = read_known(resource.props, INSTANCE_ID)
    targets: tuple[str, ...] = ()
    if (instance_id := _text(value)) is not None:
        targets = (instance_id,)
    elif value is UNKNOWN:
        sources = _ecs_instances(resource.property_dependencies.get(INSTANCE_ID, []))
        if not sources:
            depended = _ecs_instances(resource.dependencies)
            sources = depended if len(depended) == 1 else []
        targets = tuple(r.urn for r in sources)
    return PlannedClient(urn=resource.urn, name=resource.name, targets=targets)


@attrs.frozen(kw_only=True)
class StackPlan:
    """The ECS instances and ECS backup clients a stack declares."""

    instances: tuple[PlannedInstance, ...] = ()
    clients: tuple[PlannedClient, ...] = ()

    @classmethod
    def from_resources(
        cls, resources: Iterable[PolicyResource], *, environ: Mapping[str, str]
    ) -> StackPlan:
        """Read the stack's ``Instance`` and ``EcsBackupClient`` resources (module docstring).

        :param environ: where ``ALICLOUD_REGION`` is read when a provider names no region.
        """
        listed = list(resources)
        return cls(
            instances=tuple(_planned_instance(r, environ) for r in _ecs_instances(listed)),
            clients=tuple(
                _planned_client(r) for r in listed if r.resource_type == ECS_BACKUP_CLIENT_TYPE
            ),
        )


@attrs.frozen(kw_only=True)
class PlanCount:
    """The estate's report with the stack's plan counted in, and what the plan added."""

    report: CoverageReport
    counted: tuple[PlannedInstance, ...] = ()
    """The stack's instances in scope that the report counts (not already listed)."""
    uncovered: tuple[PlannedInstance, ...] = ()
    """Those of :attr:`counted` that no client of the stack installs on."""
    pending: tuple[str, ...] = ()
    """What cannot be told before the update, for the user (``the region of Instance web``)."""


def _own(listings: Sequence[TargetListing]) -> dict[str, TargetListing]:
    """The caller's own listed targets (the account the stack deploys to), by region."""
    return {
        listing.target.region: listing
        for listing in listings
        if listing.target.account_id is None and listing.error is None
    }


def _placed(
    plan: StackPlan, own: Mapping[str, TargetListing], scope: InstanceScope
) -> tuple[dict[str, list[PlannedInstance]], list[str]]:
    """The stack's instances to add, by listed region, and what cannot be placed yet."""
    inventory = {i.instance_id for listing in own.values() for i in listing.instances}
    placed: dict[str, list[PlannedInstance]] = {}
    pending: list[str] = []
    for planned in plan.instances:
        if planned.instance_id is not None and planned.instance_id in inventory:
            continue
        if planned.region is None:
            pending.append(f"the region of Instance {planned.name}")
        elif planned.region not in own:
            continue
        elif not planned.decidable(scope):
            pending.append(f"the tags of Instance {planned.name}")
        elif scope.includes(planned.as_instance()):
            placed.setdefault(planned.region, []).append(planned)
    return placed, pending


def _stack_clients(
    plan: StackPlan,
    own: Mapping[str, TargetListing],
    placed: Mapping[str, Sequence[PlannedInstance]],
) -> tuple[dict[str, list[BackupClient]], list[str]]:
    """The stack's clients as rows of the region of their instance, and the unmatched ones."""
    where: dict[str, tuple[str, str]] = {}
    for region, listing in own.items():
        for instance in listing.instances:
            where[instance.instance_id] = (region, instance.instance_id)
    for planned in plan.instances:  # a stack instance the inventory holds, by its URN
        if planned.instance_id in where:
            where[planned.urn] = where[planned.instance_id]
    for region, instances in placed.items():
        for planned in instances:
            where[planned.urn] = where[planned.identity] = (region, planned.identity)
    rows: dict[str, list[BackupClient]] = {}
    pending: list[str] = []
    for client in plan.clients:
        if not client.targets:
            pending.append(f"the instance of EcsBackupClient {client.name}")
        for target in client.targets:
            if target in where:
                region, identity = where[target]
                row = BackupClient(
                    client_id=client.urn, client_type="ECS_CLIENT", instance_id=identity
                )
                rows.setdefault(region, []).append(row)
    return rows, pending


def count_stack_plan(
    report: CoverageReport,
    listings: Sequence[TargetListing],
    plan: StackPlan,
    *,
    require_client: bool,
    allow_unreachable: Iterable[str] = (),
) -> PlanCount:
    """``report`` (of ``listings``) with ``plan`` counted in (module docstring)."""
    scope = report.scope
    own = _own(listings)
    placed, pending = _placed(plan, own, scope)
    rows, unmatched = _stack_clients(plan, own, placed)
    pending += unmatched
    counted = tuple(p for instances in placed.values() for p in instances)
    installed = {row.instance_id for region_rows in rows.values() for row in region_rows}
    uncovered = tuple(p for p in counted if p.identity not in installed)
    seen = {listing.target for listing in listings}
    missing = [t for t in report.targets if t.target not in seen]
    # A member account whose role could not be assumed is a failed target of the report that
    # was never a listing; it is carried over. A listed target that was not captured cannot
    # be rebuilt, so the estate is then judged as listed, without the plan.
    if (not placed and not rows) or any(t.error is None for t in missing):
        return PlanCount(report=report, pending=tuple(pending))
    augmented = [
        attrs.evolve(
            listing,
            instances=(
                *listing.instances,
                *(p.as_instance() for p in placed.get(listing.target.region, ())),
            ),
            clients=(*listing.clients, *rows.get(listing.target.region, ())),
        )
        if own.get(listing.target.region) is listing
        else listing
        for listing in listings
    ]
    augmented += [TargetListing(target=t.target, error=t.error) for t in missing]
    coverage = audit_coverage(
        augmented,
        scope=scope,
        rules=AuditRules(),
        require_client=require_client,
        allow_unreachable=allow_unreachable,
    )
    clients_of = {t.target: t.clients for t in report.targets}
    health = [f for f in report.findings if f.rule not in (NO_BACKUP_CLIENT, ORPHAN_CLIENT)]
    findings = [
        finding
        for target in coverage.targets
        for finding in (*coverage.findings, *health)
        if (finding.account_id, finding.region) == (target.target.account_id, target.target.region)
    ]
    counts = Counter(f.rule for f in findings)
    merged = attrs.evolve(
        coverage,
        targets=tuple(
            attrs.evolve(t, clients=clients_of.get(t.target, t.clients)) for t in coverage.targets
        ),
        findings=tuple(findings),
        summary=attrs.evolve(
            coverage.summary,
            clients=report.summary.clients,
            findings_by_rule={r: counts[r] for r in COVERAGE_RULES if counts[r]},
        ),
    )
    return PlanCount(report=merged, counted=counted, uncovered=uncovered, pending=tuple(pending))
