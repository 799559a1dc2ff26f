"""Call policies the way the Pulumi engine does: protobuf requests into pulumi-policy's servicer.

The engine (``pkg/resource/plugin/analyzer_plugin.go``, v3.274.1) sends ``Configure`` with
each policy's config (schema defaults filled in, then the pack config applied), then
``AnalyzeStack`` with every resource's outputs, or ``Analyze`` with one resource's inputs,
as a protobuf ``Struct`` marshalled with unknowns and secrets kept: a value computed by the
update is the string :data:`UNKNOWN`, a secret is an object with the secret signature.
pulumi-policy's servicer turns those into ``StackValidationArgs``/``ResourceValidationArgs``
with its unknown-checking proxies, exactly as in a running pack.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer

#: What the engine sends for a value not known until the update (``UnknownStringValue``).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

_LEVELS = {
    proto.ADVISORY: "advisory",
    proto.MANDATORY: "mandatory",
    proto.DISABLED: "disabled",
}


def secret(value: Any) -> dict[str, Any]:
    """A secret property value, as the engine marshals it."""
    return {_SIG: _SECRET_SIG, "value": value}


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(json.loads(json.dumps(value)))
    return struct


@attrs.frozen
class Resource:
    """One resource as the engine describes it to an analyzer."""

    type: str
    name: str
    props: Mapping[str, Any]
    project: str = "proj"
    stack: str = "test"
    depends_on: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
    """Property -> the URNs its value was computed from (also the resource's dependencies)."""

    @property
    def urn(self) -> str:
        """The resource's URN."""
        return f"urn:pulumi:{self.stack}::{self.project}::{self.type}::{self.name}"

    def message(self) -> proto.AnalyzerResource:
        """The ``AnalyzerResource`` of an ``AnalyzeStack`` request."""
        resource = proto.AnalyzerResource(
            type=self.type, name=self.name, urn=self.urn, properties=_struct(self.props)
        )
        for prop, urns in self.depends_on.items():
            resource.propertyDependencies[prop].urns.extend(urns)
            resource.dependencies.extend(urns)
        return resource


@attrs.frozen
class Diagnostic:
    """One policy diagnostic the pack returned."""

    policy: str
    level: str
    message: str
    urn: str


class Analyzer:
    """The policies behind pulumi-policy's gRPC servicer, configured like the engine does."""

    def __init__(self, policies: Sequence[Policy], config: Mapping[str, Any] | None = None):
        self.servicer = _PolicyAnalyzerServicer(
            "hbr-test-pack", "0.0.1", list(policies), EnforcementLevel.ADVISORY
        )
        request = proto.ConfigureAnalyzerRequest()
        for policy in policies:
            given = dict((config or {}).get(policy.name, {}))
            level = given.pop("enforcementLevel", None) or (
                policy.enforcement_level.value if policy.enforcement_level else "advisory"
            )
            props = {
                k: v["default"]
                for k, v in (
                    policy.config_schema.properties if policy.config_schema else {}
                ).items()
                if "default" in v
            }
            props.update(given)
            entry = request.policyConfig[policy.name]
            entry.enforcementLevel = {v: k for k, v in _LEVELS.items()}[level]
            entry.properties.CopyFrom(_struct(props))
        self.servicer.Configure(request, None)

    @staticmethod
    def _diagnostics(response: proto.AnalyzeResponse) -> list[Diagnostic]:
        return [
            Diagnostic(
                policy=d.policyName,
                level=_LEVELS[d.enforcementLevel],
                message=d.message,
                urn=d.urn,
            )
            for d in response.diagnostics
        ]

    def analyze_stack(self, resources: Sequence[Resource]) -> list[Diagnostic]:
        """Run ``AnalyzeStack`` on the resources' outputs; return the diagnostics."""
        request = proto.AnalyzeStackRequest(resources=[r.message() for r in resources])
        return self._diagnostics(self.servicer.AnalyzeStack(request, None))

    def analyze(self, resource: Resource) -> list[Diagnostic]:
        """Run ``Analyze`` on one resource's inputs; return the diagnostics."""
        request = proto.AnalyzeRequest(
            type=resource.type,
            name=resource.name,
            urn=resource.urn,
            properties=_struct(resource.props),
        )
        return self._diagnostics(self.servicer.Analyze(request, None))

    def info(self) -> dict[str, Any]:
        """``GetAnalyzerInfo`` as a dict (policy names, levels, config schemas)."""
        return json_format.MessageToDict(self.servicer.GetAnalyzerInfo(None, None))
