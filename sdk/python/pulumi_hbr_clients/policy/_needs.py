"""Which ECS instances a stack's resources need a backup client on, and which the stack installs.

A resource *needs* a client on an ECS instance when HBR backs the instance's files up through
that client: an ``EcsBackupPlan`` (its ``instanceId``), a ``PolicyBinding`` whose
``sourceType`` is ``ECS_FILE`` (its ``dataSourceId``) and, for ``hbr-instance-coverage``, an
ECS ``Instance`` itself (its ``id``); see :mod:`~pulumi_hbr_clients.policy.types`.

A need is *met by the stack* when an ``EcsBackupClient`` of the same stack installs on the
instance: named by its known ``instanceId``, or, for an instance the same deploy creates,
through the dependency of its ``instanceId`` on that ``Instance`` (read by
:class:`~pulumi_hbr_clients.policy._stack_plan.StackPlan`, as for ``hbr-estate-coverage``).
So the deploy that adds the missing client is not blocked by the gap it closes.

What is left:

* a known instance ID is asked of HBR (one query for all of them);
* an ID not known until the update, computed from an ``Instance`` of the stack (one this
  deploy creates), is an instance that cannot have a client yet: :attr:`Need.new_instance`;
* anything else not known before the update is :attr:`StackNeeds.pending`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs
from pulumi_policy import PolicyResource

from pulumi_hbr_clients.policy._props import UNKNOWN, read_known
from pulumi_hbr_clients.policy._stack_plan import StackPlan
from pulumi_hbr_clients.policy.types import (
    ECS_FILE,
    ECS_INSTANCE_TYPE,
    POLICY_BINDING_TYPE,
    SOURCE_TYPE,
)

__all__ = ["Need", "StackNeeds", "stack_needs"]


@attrs.frozen(kw_only=True)
class Need:
    """One resource of the stack that needs a backup client on one ECS instance."""

    urn: str
    resource_type: str
    label: str
    """The resource as a person reads it: ``PolicyBinding files-web``."""
    instance_id: str | None = None
    """The instance's ID, ``None`` when only known after the update."""
    new_instance: str | None = None
    """For an unknown ID: the name of the stack's ``Instance`` it is computed from."""
    met_by_stack: bool = False
    """Whether an ``EcsBackupClient`` of the stack installs on the instance."""


@attrs.frozen(kw_only=True)
class StackNeeds:
    """The needs of a stack, and what cannot be told before the update."""

    needs: tuple[Need, ...] = ()
    pending: tuple[str, ...] = ()
    """``the dataSourceId of PolicyBinding files-web``: not known until the update."""

    def to_query(self) -> dict[str, list[Need]]:
        """The needs the stack does not meet whose instance ID is known, by instance ID."""
        grouped: dict[str, list[Need]] = {}
        for need in self.needs:
            if need.instance_id is not None and not need.met_by_stack:
                grouped.setdefault(need.instance_id, []).append(need)
        return grouped

    def new_unmet(self) -> list[Need]:
        """The needs on an instance this deploy creates that no client of the stack meets."""
        return [n for n in self.needs if n.new_instance is not None and not n.met_by_stack]


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _label(resource: PolicyResource) -> str:
    return f"{resource.resource_type.rsplit(':', 1)[-1]} {resource.name}"


def stack_needs(resources: Iterable[PolicyResource], properties: Mapping[str, str]) -> StackNeeds:
    """The needs of the ``resources`` whose type is a key of ``properties`` (module docstring).

    :param properties: resource type -> the property naming the instance
        (:data:`~pulumi_hbr_clients.policy.types.INSTANCE_ID_PROPERTIES` or
        :data:`~pulumi_hbr_clients.policy.types.PROTECTION_PROPERTIES`).
    """
    listed = list(resources)
    installed = {t for c in StackPlan.from_resources(listed, environ={}).clients for t in c.targets}
    urn_of_id = {
        instance_id: r.urn
        for r in listed
        if r.resource_type == ECS_INSTANCE_TYPE
        and (instance_id := _text(read_known(r.props, "id"))) is not None
    }
    needs: list[Need] = []
    pending: list[str] = []
    for resource in listed:
        prop = properties.get(resource.resource_type)
        if prop is None:
            continue
        label = _label(resource)
        if resource.resource_type == POLICY_BINDING_TYPE:
            source_type = read_known(resource.props, SOURCE_TYPE)
            if source_type is UNKNOWN:
                pending.append(f"the {SOURCE_TYPE} of {label}")
                continue
            if source_type != ECS_FILE:
                continue
        value = read_known(resource.props, prop)
        if (instance_id := _text(value)) is not None:
            met = instance_id in installed or urn_of_id.get(instance_id) in installed
            needs.append(
                Need(
                    urn=resource.urn,
                    resource_type=resource.resource_type,
                    label=label,
                    instance_id=instance_id,
                    met_by_stack=met,
                )
            )
            continue
        if value is not UNKNOWN and value is not None:
            continue  # not a string: pulumi-alicloud's own Check refuses it
        if resource.resource_type == ECS_INSTANCE_TYPE:
            sources = [resource]
        else:
            sources = [
                r
                for r in resource.property_dependencies.get(prop, [])
                if r.resource_type == ECS_INSTANCE_TYPE
            ]
        if len(sources) != 1:
            pending.append(f"the {prop} of {label}")
            continue
        needs.append(
            Need(
                urn=resource.urn,
                resource_type=resource.resource_type,
                label=label,
                new_instance=sources[0].name,
                met_by_stack=sources[0].urn in installed,
            )
        )
    return StackNeeds(needs=tuple(needs), pending=tuple(pending))
