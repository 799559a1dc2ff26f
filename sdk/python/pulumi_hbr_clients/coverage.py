"""The estate audit in a Pulumi program: is every ECS instance in scope backed up?

* :func:`get_backup_coverage` / :func:`get_backup_coverage_output` list every region's ECS
  instances and ECS backup clients and return the typed, frozen
  :class:`~hbr_clients_provider.audit.coverage.CoverageReport` (coverage over instances,
  findings, a summary per region, ``complete``).
* :func:`audit_backup_coverage` / :func:`audit_backup_coverage_output` do the same and raise
  :class:`BackupAuditFailed` when the gate fails: the report is incomplete (a region could
  not be listed and was not accepted in ``allow_unreachable``), there are more findings than
  ``max_findings`` (default 0), or nothing is in scope and ``allow_empty`` is not set. The
  gate is the one every surface shares (:mod:`hbr_clients_provider.audit.gate`).

The inputs are those of :class:`~hbr_clients_provider.audit.estate_inputs.EstateRequest`
(``regions`` default ``"all"``, ``require_client`` default ``True``, ``instance_tags``, ...)
plus the connection's ``region`` (where ``DescribeRegions`` is asked) and ``deadline``. The
connection comes from stack config as for the lookups (``alicloud:*``, ``hbr:protocol``,
``hbr:connectTo``), then the environment (``HBR_CONNECT_TO`` ...)::

    report = hbr.audit_backup_coverage_output(regions="all", instance_tags={"env": "prod"})
    pulumi.export("coverage", report)
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pulumi

from hbr_clients_provider.adapters.stack_config import (
    connection_options,
    resolve_connection,
    resolve_limits,
)
from hbr_clients_provider.adapters.wording import given_inputs, pulumi_message, pulumi_names
from hbr_clients_provider.audit.coverage import CoverageReport
from hbr_clients_provider.audit.coverage_render import coverage_failure_message
from hbr_clients_provider.audit.estate_inputs import EstateRequest
from hbr_clients_provider.audit.gate import PYTHON_NAMES, Gate, GateVerdict, judge
from hbr_clients_provider.errors import HbrError, InvalidQuery
from hbr_clients_provider.settings import PulumiNames, pulumi_text
from pulumi_hbr_clients.audit import BackupAuditFailed, BackupAuditInputError

__all__ = [
    "BackupCoverageFailed",
    "BackupCoverageLookupError",
    "CoverageReport",
    "audit_backup_coverage",
    "audit_backup_coverage_output",
    "get_backup_coverage",
    "get_backup_coverage_output",
]


class BackupCoverageLookupError(pulumi.RunError):
    """The estate could not be listed at all (bad input, or no region list); ``cause`` says why.

    A region that fails is not this error: it is a target of the report, which is then
    incomplete.
    """

    def __init__(self, cause: HbrError | ValueError, message: str | None = None) -> None:
        super().__init__(f"get_backup_coverage: {message or cause}")
        self.cause = cause


class BackupCoverageFailed(BackupAuditFailed):
    """The estate gate failed; ``coverage`` (the report) and ``verdict`` hold the facts.

    A :class:`BackupAuditFailed`, so a program that handles the client audit's failure
    handles this one too. The message names every region that could not be listed (code,
    request ID) and the findings (rule, region, instance, client), at most 20 rows.
    """

    def __init__(self, report: CoverageReport, verdict: GateVerdict) -> None:
        self.coverage = report
        self.verdict = verdict
        self.max_findings = verdict.gate.max_findings
        # A region's error keeps the command line's words in the report; a program reads
        # inputs and config keys (hbr_clients_provider.settings).
        message = coverage_failure_message(
            report, verdict, PYTHON_NAMES, unreachable="allow_unreachable"
        )
        pulumi.RunError.__init__(self, pulumi_text(message, PulumiNames()))


def _stack_option(full_key: str) -> str | None:
    namespace, name = full_key.split(":", 1)
    return pulumi.Config(namespace).get(name)


def get_backup_coverage(
    *,
    regions: str | Sequence[str] | None = None,
    require_client: bool | None = None,
    instance_tags: Mapping[str, str] | None = None,
    instance_ids: Sequence[str] | None = None,
    instance_statuses: Sequence[str] | None = None,
    allow_unreachable: Sequence[str] | None = None,
    accounts: str | Sequence[str] | None = None,
    role_name: str | None = None,
    include_caller: bool | None = None,
    require_activated: bool | None = None,
    require_protected: bool | None = None,
    require_latest: bool | None = None,
    require_https_proxy: bool | None = None,
    max_heartbeat_age: str | float | None = None,
    region: str | None = None,
    deadline: float | None = None,
    now: datetime | None = None,
) -> CoverageReport:
    """List the estate and judge it (module docstring); never raises on findings.

    :raises BackupCoverageLookupError: invalid input (nothing sent), or ``regions="all"``
        when ``DescribeRegions`` cannot be asked.
    """
    inputs = {
        "regions": regions,
        "require_client": require_client,
        "instance_tags": instance_tags,
        "instance_ids": instance_ids,
        "instance_statuses": instance_statuses,
        "allow_unreachable": allow_unreachable,
        "accounts": accounts,
        "role_name": role_name,
        "include_caller": include_caller,
        "require_activated": require_activated,
        "require_protected": require_protected,
        "require_latest": require_latest,
        "require_https_proxy": require_https_proxy,
        "max_heartbeat_age": max_heartbeat_age,
    }
    options: Mapping[str, str] = {}
    given = given_inputs({**inputs, "region": region, "deadline": deadline})
    try:
        request = EstateRequest.from_inputs({k: v for k, v in inputs.items() if v is not None})
        options = connection_options(_stack_option)
        limits = resolve_limits(options, {"deadline": deadline})
        if not (region or options.get("region")):
            first = request.regions[0] if isinstance(request.regions, tuple) else None
            region = first or "cn-hangzhou"
        connection = resolve_connection(options, {"region": region})
        return request.audit(
            connection, deadline_s=limits.deadline_s, max_items=limits.max_clients, now=now
        )
    except (HbrError, ValueError) as error:
        names = pulumi_names(options, given)
        raise BackupCoverageLookupError(error, pulumi_message(error, names)) from None


def audit_backup_coverage(
    *, max_findings: int | None = 0, allow_empty: bool = False, **inputs: Any
) -> CoverageReport:
    """:func:`get_backup_coverage`, then the gate: :class:`BackupCoverageFailed` when it fails.

    :param max_findings: findings tolerated (default 0); ``None`` never fails on findings.
    :param allow_empty: pass when nothing is in scope.
    :raises BackupAuditInputError: a bad ``max_findings`` or ``allow_empty``.
    """
    try:
        gate = Gate.from_inputs(
            {"max_findings": max_findings, "allow_empty": allow_empty}, names=PYTHON_NAMES
        )
    except InvalidQuery as error:
        raise BackupAuditInputError(error) from None
    if max_findings is None:
        gate = Gate(max_findings=None, allow_empty=gate.allow_empty)
    report = get_backup_coverage(**inputs)
    verdict = judge(report, gate)
    if not verdict.passed:
        raise BackupCoverageFailed(report, verdict)
    return report


def _in_thread(function: Any, resolved: dict[str, Any]) -> asyncio.Future[Any]:
    context = contextvars.copy_context()  # stack config lives in the program's context
    return asyncio.get_running_loop().run_in_executor(
        None, lambda: context.run(function, **resolved)
    )


def get_backup_coverage_output(**inputs: pulumi.Input[Any]) -> pulumi.Output[dict[str, Any]]:
    """Like :func:`get_backup_coverage`, every argument a ``pulumi.Input``; the report as a
    dict (``complete``, ``targets``, ``findings``, ``summary``), fit for ``pulumi.export``."""
    return pulumi.Output.all(**inputs).apply(
        lambda resolved: _in_thread(lambda **kw: get_backup_coverage(**kw).to_dict(), resolved)
    )


def audit_backup_coverage_output(**inputs: pulumi.Input[Any]) -> pulumi.Output[dict[str, Any]]:
    """Like :func:`audit_backup_coverage`; resolving the output raises when the gate fails,
    which fails the preview or update with the readable report."""
    return pulumi.Output.all(**inputs).apply(
        lambda resolved: _in_thread(lambda **kw: audit_backup_coverage(**kw).to_dict(), resolved)
    )
