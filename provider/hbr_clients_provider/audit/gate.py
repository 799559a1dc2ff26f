"""The deploy gate: whether an :class:`~hbr_clients_provider.audit.rules.AuditReport` lets a
deploy go on.

One set of rules and one set of defaults for every surface that gates: ``hbr-clients audit``,
the Python SDK's ``audit_backup_clients``, the ``hbr`` plugin's ``auditBackupClients`` and the
policy pack's ``hbr-fleet-audit``. Each surface only spells the settings its own way
(:class:`GateNames`); what passes is decided here alone, so they cannot disagree.

The rules:

* more findings than ``max_findings`` fail the gate. The default is
  :data:`DEFAULT_MAX_FINDINGS` (0): no finding is tolerated unless the user says so.
  ``None`` (the SDK's advisory mode) never fails on findings.
* an **empty scope** fails the gate unless ``allow_empty`` is set: an audit that judged no
  client and expected no instance (an estate audit: no instance in scope and no client)
  proves nothing, and a misspelt tag, a wrong region or a wrong account would otherwise pass
  a deploy silently.
* an **incomplete** estate report (a target that could not be listed and was not accepted
  by name) fails the gate, whatever the findings: what was not seen cannot pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from hbr_clients_provider.api.coerce import BadInputError, to_bool, to_int
from hbr_clients_provider.audit.coverage import CoverageReport
from hbr_clients_provider.audit.rules import AuditReport
from hbr_clients_provider.errors import InvalidQuery, Violation

__all__ = [
    "CAMEL_NAMES",
    "CLI_NAMES",
    "DEFAULT_MAX_FINDINGS",
    "EMPTY_SCOPE",
    "GATE_INPUTS",
    "INCOMPLETE",
    "PYTHON_NAMES",
    "TOO_MANY_FINDINGS",
    "Gate",
    "GateNames",
    "GateVerdict",
    "is_empty_scope",
    "judge",
]

#: The gate's inputs, by their Python names (every surface spells them its own way).
GATE_INPUTS: tuple[str, ...] = ("max_findings", "allow_empty")

#: Findings tolerated when the user sets no allowance, on every surface.
DEFAULT_MAX_FINDINGS = 0

#: Why a gate failed: more findings than allowed.
TOO_MANY_FINDINGS = "too_many_findings"

#: Why a gate failed: the audit judged nothing, and an empty scope was not allowed.
EMPTY_SCOPE = "empty_scope"

#: Why a gate failed: a target of an estate audit could not be listed, and was not accepted.
INCOMPLETE = "incomplete"


@attrs.frozen(kw_only=True)
class GateNames:
    """How one surface's users spell the gate's settings, for messages that name them."""

    max_findings: str
    allow_empty: str


#: ``hbr-clients audit``'s flags.
CLI_NAMES = GateNames(max_findings="--max-findings", allow_empty="--allow-empty")
#: The Python SDK's keyword arguments.
PYTHON_NAMES = GateNames(max_findings="max_findings", allow_empty="allow_empty")
#: The ``hbr`` plugin's inputs and the policy pack's config keys.
CAMEL_NAMES = GateNames(max_findings="maxFindings", allow_empty="allowEmpty")

_MAX_FINDINGS_RULE = "must be an integer of 0 or more"


def _check_max_findings(_instance: Any, _attribute: Any, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidQuery((Violation(field="max_findings", rule=_MAX_FINDINGS_RULE, value=value),))


@attrs.frozen(kw_only=True)
class Gate:
    """The gate's settings: the findings tolerated, and whether nothing to judge may pass."""

    max_findings: int | None = attrs.field(
        default=DEFAULT_MAX_FINDINGS, validator=_check_max_findings
    )
    """Findings tolerated; ``None`` never fails on findings (advisory)."""
    allow_empty: bool = False
    """Whether an audit that judged no client and expected no instance may pass."""

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any], *, names: GateNames) -> Gate:
        """Build a gate from loosely typed inputs (``max_findings``, ``allow_empty``).

        A missing or ``None`` value takes the default. Numbers may arrive as floats or
        strings (a protobuf ``Struct``, stack config); booleans as ``"true"``/``"false"``.

        :raises InvalidQuery: naming each bad setting as ``names`` spells it.
        """
        violations: list[Violation] = []
        max_findings: int | None = DEFAULT_MAX_FINDINGS
        allow_empty = False
        raw_max = inputs.get("max_findings")
        if raw_max is not None:
            try:
                max_findings = to_int(names.max_findings, raw_max)
            except BadInputError as error:
                violations.append(error.violation)
            else:
                if max_findings < 0:
                    violations.append(
                        Violation(
                            field=names.max_findings, rule=_MAX_FINDINGS_RULE, value=max_findings
                        )
                    )
        raw_empty = inputs.get("allow_empty")
        if raw_empty is not None:
            try:
                allow_empty = to_bool(names.allow_empty, raw_empty)
            except BadInputError as error:
                violations.append(error.violation)
        if violations:
            raise InvalidQuery(tuple(violations))
        return cls(max_findings=max_findings, allow_empty=allow_empty)


@attrs.frozen(kw_only=True)
class GateVerdict:
    """What the gate decided about one report, and the facts it decided from."""

    passed: bool
    """Whether the deploy may go on."""
    reasons: tuple[str, ...]
    """Why it may not: :data:`TOO_MANY_FINDINGS`, :data:`EMPTY_SCOPE`, :data:`INCOMPLETE`;
    empty when passed."""
    findings: int
    """How many findings the report has."""
    gate: Gate
    """The settings the verdict was reached with."""

    @property
    def empty_scope(self) -> bool:
        """Whether the gate failed because the audit judged nothing."""
        return EMPTY_SCOPE in self.reasons

    @property
    def incomplete(self) -> bool:
        """Whether the gate failed because part of the estate could not be listed."""
        return INCOMPLETE in self.reasons

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict of the verdict and the settings."""
        return {
            "passed": self.passed,
            "reasons": list(self.reasons),
            "findings": self.findings,
            "max_findings": self.gate.max_findings,
            "allow_empty": self.gate.allow_empty,
        }


def is_empty_scope(report: AuditReport | CoverageReport) -> bool:
    """Whether the audit judged nothing: no client and no expected instance (for an estate:
    no instance in scope and no client)."""
    if isinstance(report, CoverageReport):
        return report.summary.instances == 0 and report.summary.clients == 0
    return report.summary.total_clients == 0 and report.summary.expected_instances == 0


def judge(report: AuditReport | CoverageReport, gate: Gate) -> GateVerdict:
    """Decide whether ``report`` passes ``gate`` (module docstring)."""
    reasons: list[str] = []
    if isinstance(report, CoverageReport) and not report.complete:
        reasons.append(INCOMPLETE)
    if gate.max_findings is not None and len(report.findings) > gate.max_findings:
        reasons.append(TOO_MANY_FINDINGS)
    if not gate.allow_empty and is_empty_scope(report):
        reasons.append(EMPTY_SCOPE)
    return GateVerdict(
        passed=not reasons, reasons=tuple(reasons), findings=len(report.findings), gate=gate
    )
