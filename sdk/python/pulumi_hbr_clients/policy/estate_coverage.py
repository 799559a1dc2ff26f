"""``hbr-estate-coverage``: every ECS instance of the estate is backed up, the stack's too.

A stack policy: the estate audit as a deploy gate, the same audit and the same gate as
``hbr-clients audit --regions``, ``audit_backup_coverage`` and the ``hbr`` plugin. On every
preview and update it lists each region's ECS instances and ECS backup clients
(:func:`~hbr_clients_provider.audit.estate.audit_estate`), counts in the ECS instances and
``EcsBackupClient`` resources the stack declares (:mod:`._stack_plan`: an instance the
deploy creates needs a client too, and a client the deploy installs covers its instance),
and judges the result with :func:`~hbr_clients_provider.audit.gate.judge`:

* more findings than ``maxFindings`` (default 0) fail;
* nothing in scope (no instance, no client) fails unless ``allowEmpty``;
* an estate not listed whole fails (a region without HBR, a denied call, a timeout) unless
  ``allowUnreachable`` names the region: what was not seen cannot pass.

A failing estate is one violation: the verdict, every region that could not be listed (code
and request ID), the findings (rule, region, instance, client; 20 rows, then the count of
the rest) and the stack's instances without a client. An estate that cannot be audited at
all (no credentials, no region list) is a violation too. A bad config value is a violation
per value, naming the property, the value and the rule; nothing is sent then. What the
stack leaves unknown until the update (the region or scope tags of an instance it creates,
the instance of a client) is reported as not yet checkable, after everything else.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from hbr_clients_provider.adapters.wording import pulumi_message
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.audit.coverage import TargetListing
from hbr_clients_provider.audit.coverage_render import coverage_failure_message
from hbr_clients_provider.audit.estate import DISCOVERY_REGION
from hbr_clients_provider.audit.gate import CAMEL_NAMES, GateVerdict, judge
from hbr_clients_provider.display import terminal_text
from hbr_clients_provider.errors import HbrError
from hbr_clients_provider.settings import PulumiNames, pulumi_text
from pulumi_hbr_clients.policy._props import NotYetCheckable, shorten
from pulumi_hbr_clients.policy._stack_plan import PlanCount, StackPlan, count_stack_plan
from pulumi_hbr_clients.policy.estate_config import (
    ESTATE_COVERAGE_SCHEMA,
    EstateConfigError,
    EstateCoverageConfig,
)

__all__ = ["ESTATE_COVERAGE", "estate_coverage_policy"]

#: The policy's name.
ESTATE_COVERAGE = "hbr-estate-coverage"


def _connection(config: EstateCoverageConfig, environ: Mapping[str, str]) -> ConnectionSettings:
    """The config's connection, else the environment's; ``DescribeRegions`` is asked in
    the config's region, ``ALIBABA_CLOUD_REGION_ID``, the first region audited or
    :data:`~hbr_clients_provider.audit.estate.DISCOVERY_REGION`."""
    regions = config.request.regions
    region = (
        config.connection.region
        or environ.get("ALIBABA_CLOUD_REGION_ID")
        or (regions[0] if isinstance(regions, tuple) else DISCOVERY_REGION)
    )
    return ConnectionSettings.resolve(
        region=region,
        endpoint=config.connection.endpoint,
        protocol=config.connection.protocol,
        connect_to=config.connect_to,
        environ=environ,
    )


def _names(config: EstateCoverageConfig) -> PulumiNames:
    """How this policy names a setting: a property of its config, or the environment's."""
    connection = config.connection
    given = {"region": connection.region, "endpoint": connection.endpoint}
    given |= {"protocol": connection.protocol, "connect_to": config.connect_to}
    return PulumiNames(
        inputs=frozenset(k for k, v in given.items() if v is not None),
        camel=True,
        label=f"the {{}} property of the {ESTATE_COVERAGE} policy config",
        input_of={"connect_to": "connect_to"},
        stack_config=False,
        settable={"region", "endpoint", "protocol", "connect_to"},
    )


def _message(count: PlanCount, verdict: GateVerdict) -> str:
    text = coverage_failure_message(
        count.report, verdict, CAMEL_NAMES, unreachable="allowUnreachable"
    )
    if not count.counted:
        return text
    line = (
        f"  this stack declares {len(count.counted)} ECS instance(s) in scope, "
        f"{len(count.uncovered)} without an alicloud.hbr.EcsBackupClient"
    )
    if count.uncovered:
        names = [terminal_text(f"{p.name} ({p.region})") for p in count.uncovered]
        line += f": {shorten(names)}"
    return f"{text}\n{line}"


def _validator(
    environ: Mapping[str, str] | None,
    clock: Callable[[], datetime] | None,
) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            config = EstateCoverageConfig.from_config(ESTATE_COVERAGE, args.get_config())
        except EstateConfigError as error:
            for problem in error.errors:
                report_violation(str(problem), None)
            return
        env = os.environ if environ is None else environ
        request = config.request
        plan = StackPlan.from_resources(args.resources, environ=env)
        listings: list[TargetListing] = []
        try:
            report = request.audit(
                _connection(config, env),
                now=clock() if clock is not None else None,
                on_target=listings.append,
            )
        except (HbrError, ValueError) as error:
            message = pulumi_message(error, _names(config))
            report_violation(f"HBR estate coverage: could not audit the estate: {message}", None)
            return
        count = count_stack_plan(
            report,
            listings,
            plan,
            require_client=request.require_client,
            allow_unreachable=request.allow_unreachable,
        )
        verdict = judge(count.report, config.gate)
        if not verdict.passed:
            report_violation(pulumi_text(_message(count, verdict), _names(config)), None)
        if count.pending:
            msg = (
                f"not known until the update (checked by `pulumi up`): "
                f"{shorten(list(count.pending))}; the estate and {len(count.counted)} ECS "
                "instance(s) of the stack checked now"
            )
            raise NotYetCheckable(msg)

    return validate


def estate_coverage_policy(
    *,
    enforcement_level: EnforcementLevel = EnforcementLevel.ADVISORY,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> StackValidationPolicy:
    """Return the ``hbr-estate-coverage`` stack policy.

    Config (each optional): ``regions`` (default ``"all"``), ``requireClient`` (default
    true), ``instanceTags``, ``instanceIds``, ``instanceStatuses``, ``allowUnreachable``,
    ``accounts``, ``roleName``, ``includeCaller`` (default true),
    the client rules of ``hbr-fleet-audit`` (``requireActivated``, ``requireProtected``,
    ``requireLatest``, ``requireHttpsProxy``, ``maxHeartbeatAge``), the gate's
    ``maxFindings`` (default 0) and ``allowEmpty`` (default false), and the connection's
    ``region``, ``endpoint``, ``protocol`` and ``connectTo`` (otherwise ``HBR_CONNECT_TO``,
    ``HBR_ENDPOINT``, ``HBR_PROTOCOL``, ``ALIBABA_CLOUD_REGION_ID`` and the standard
    credential chain of the environment).

    :param enforcement_level: the default level; the pack config's ``enforcementLevel`` wins.
    :param environ: the environment to resolve the connection from (default: the process's).
    :param clock: returns the aware moment heartbeats are judged at (default: now).
    """
    return StackValidationPolicy(
        name=ESTATE_COVERAGE,
        description=(
            "Every ECS instance in scope, in every region of the account and among those the "
            "stack creates, has an HBR backup client (the estate audit of `hbr-clients audit "
            "--regions`)."
        ),
        validate=_validator(environ, clock),
        enforcement_level=enforcement_level,
        config_schema=PolicyConfigSchema(properties=dict(ESTATE_COVERAGE_SCHEMA)),
        remediation_steps=(
            "Install an HBR client on the named instances (an alicloud.hbr.EcsBackupClient "
            "resource for the stack's own), or narrow the scope (instanceTags, regions), "
            "accept a region by name (allowUnreachable) or raise maxFindings in the policy "
            "pack config."
        ),
    )
