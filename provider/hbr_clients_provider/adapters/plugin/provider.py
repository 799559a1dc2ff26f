"""What the ``hbr`` plugin does for each request, in terms of the query engine.

:class:`HbrProvider` knows nothing of gRPC (that is :mod:`.server`): it takes property
maps with camelCase names and gives back failures, names and property maps. The resource's
lifecycle is the dynamic provider's (:mod:`hbr_clients_provider.adapters.lifecycle`): check
validates and names every bad field and lists once when all inputs are known, the
diff/create/update after it reuse that listing, diff ignores heartbeat and update times
unless ``includeVolatile``, read lists afresh, delete calls no API, and ``proxyPasswords``
is always a secret.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import attrs
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import CheckFailure

from hbr_clients_provider.adapters.lifecycle import (
    MARKERS,
    RESOURCE_INPUTS,
    ListingHandOff,
    RefreshFindings,
    changed_inputs,
    check_listing,
    fleet_changes,
    is_unknown,
    lookup_key,
    resource_inputs,
    top_field,
    violations,
)
from hbr_clients_provider.adapters.outputs import SECRET_OUTPUTS, inputs_key, listing_outputs
from hbr_clients_provider.adapters.plugin.names import camel, camel_path
from hbr_clients_provider.adapters.plugin.schema import (
    AUDIT_COVERAGE_TOKEN,
    AUDIT_OUTPUTS,
    AUDIT_TOKEN,
    COVERAGE_INPUT_NAMES,
    COVERAGE_OUTPUTS,
    COVERAGE_TOKEN,
    FUNCTION_OUTPUTS,
    LOOKUP_TOKEN,
    RESOURCE_OUTPUTS,
    build_schema,
    config_keywords,
    coverage_output_specs,
    output_specs,
    type_specs,
)
from hbr_clients_provider.adapters.plugin.stack_reader import OTHER_KEYS, StackReader, stack_of
from hbr_clients_provider.adapters.plugin.values import (
    emptied_maps,
    plain,
    plain_inputs,
    to_property,
)
from hbr_clients_provider.adapters.stack_config import (
    CONFIG_KEYS,
    CONNECTION_INPUTS,
    LIMIT_INPUTS,
    StackOptions,
    connection_violations,
    read_stack_config,
    resolve_connection,
    resolve_limits,
)
from hbr_clients_provider.adapters.wording import (
    given_inputs,
    pulumi_message,
    pulumi_names,
    pulumi_violation,
    worded,
)
from hbr_clients_provider.api.limits import limit_violations
from hbr_clients_provider.api.query import INPUT_NAMES
from hbr_clients_provider.audit.coverage_render import coverage_failure_message
from hbr_clients_provider.audit.estate import DISCOVERY_REGION
from hbr_clients_provider.audit.estate_inputs import ESTATE_INPUTS, EstateRequest
from hbr_clients_provider.audit.gate import CAMEL_NAMES, GATE_INPUTS, PYTHON_NAMES, Gate, judge
from hbr_clients_provider.audit.render import failure_message
from hbr_clients_provider.audit.rules import RULE_INPUTS, AuditRules, audit
from hbr_clients_provider.errors import HbrError, InvalidQuery, NoEndpointError, Violation
from hbr_clients_provider.settings import PulumiNames, pulumi_text

__all__ = ["AuditFailedError", "HbrProvider", "Properties"]

#: A property map as it crosses the gRPC edge.
Properties = dict[str, PropertyValue]

_LOOKUP_INPUTS: tuple[str, ...] = INPUT_NAMES + CONNECTION_INPUTS + LIMIT_INPUTS
_AUDIT_INPUTS: tuple[str, ...] = (*_LOOKUP_INPUTS, *RULE_INPUTS, *GATE_INPUTS)
_COVERAGE_INPUTS: tuple[str, ...] = COVERAGE_INPUT_NAMES
_AUDIT_COVERAGE_INPUTS: tuple[str, ...] = (*COVERAGE_INPUT_NAMES, *GATE_INPUTS)
_SNAKE_NAMES = re.compile(
    r"\b("
    + "|".join(
        n for n in sorted(set(_AUDIT_INPUTS + RESOURCE_INPUTS + _AUDIT_COVERAGE_INPUTS)) if "_" in n
    )
    + r")\b"
)


#: The stack config keys the plugin does not read: the credentials of another package.
_UNREAD = frozenset(key for key in CONFIG_KEYS if key.split(":")[0] != "hbr") - set(OTHER_KEYS)


class AuditFailedError(HbrError):
    """``auditBackupClients`` or ``auditBackupCoverage`` failed the gate: too many findings,
    an empty scope, or (the estate) a region that could not be listed."""


def _camel_text(text: str) -> str:
    """A message with the engine's snake_case input names in the schema's camelCase."""
    return _SNAKE_NAMES.sub(lambda m: camel(m.group(0)), text)


def _failure(violation: Violation, names: PulumiNames | None = None) -> CheckFailure:
    """Name the top-level input, so the engine shows its value; keep a sub-path's name."""
    top = camel(top_field(violation.field))
    rendered = pulumi_text(
        _camel_text(violation.render(camel_path(violation.field))),
        PulumiNames(camel=True) if names is None else names,
    )
    return CheckFailure(top, rendered.removeprefix(f"{top}: "))


def _provider_setting(urn: str, key: str) -> str:
    """How the user set provider config ``key``: stack config of a default provider
    (``hbr:protocol``), else an input of the explicit provider resource."""
    parts = urn.split("::")
    explicit = (
        len(parts) >= 4
        and parts[-2].endswith("pulumi:providers:hbr")
        and parts[-1] != "default"
        and not parts[-1].startswith("default_")
    )
    return f"the {key} input of provider {parts[-1]}" if explicit else f"hbr:{key}"


def _unknown_names(inputs: Mapping[str, Any], allowed: tuple[str, ...]) -> list[CheckFailure]:
    expected = ", ".join(camel(n) for n in allowed)
    return [
        CheckFailure(camel(name), f"is not a known input (expected one of {expected})")
        for name in inputs
        if name not in allowed
    ]


def _properties(values: Mapping[str, Any], names: tuple[str, ...]) -> Properties:
    specs, _ = output_specs()
    types = type_specs()
    return {
        camel(n): to_property(values[n], specs[n], types, secret=n in SECRET_OUTPUTS) for n in names
    }


@attrs.define
class HbrProvider:
    """The ``hbr`` provider: config, the lookup and audit functions, the lookup resource."""

    version: str
    options: Mapping[str, str] = attrs.field(factory=StackOptions)
    #: Why the ``alicloud:`` keys could not be read, when they could not.
    unread: str | None = None
    hand_off: ListingHandOff = attrs.field(factory=ListingHandOff)
    refreshes: RefreshFindings = attrs.field(factory=RefreshFindings)

    @functools.cached_property
    def schema(self) -> str:
        """The package schema as JSON."""
        return json.dumps(build_schema(self.version), indent=2)

    # --- provider config --------------------------------------------------------------

    def check_config(self, news: Properties, urn: str = "") -> list[CheckFailure]:
        """Check the ``hbr:*`` config; keys the plugin does not use are left alone.

        Each reason starts with the setting as the user wrote it: ``hbr:protocol`` for the
        default provider (stack config), the provider's input for an explicit one.
        """
        known = config_keywords()
        given = {k: plain(v) for k, v in news.items() if k in known and v.value is not None}
        limits = {known[k]: v for k, v in given.items() if known[k] in LIMIT_INPUTS}
        found = [
            CheckFailure(
                key, f"{_provider_setting(urn, key)}: must be a non-empty string (got {value!r})"
            )
            for key, value in given.items()
            if known[key] not in LIMIT_INPUTS and (not isinstance(value, str) or not value.strip())
        ]
        found.extend(
            CheckFailure(camel(v.field), v.render(_provider_setting(urn, camel(v.field))))
            for v in limit_violations(limits)
        )
        names = PulumiNames(origins={"protocol": _provider_setting(urn, "protocol")})
        for name in ("protocol", "endpoint"):
            value = given.get(name)
            if isinstance(value, str) and value.strip():
                found.extend(
                    CheckFailure(name, pulumi_text(v.render(_provider_setting(urn, name)), names))
                    for v in connection_violations({name: value})
                )
        return found

    def configure(self, args: Properties, variables: Mapping[str, str], urn: str = "") -> None:
        """Keep the connection options: ``hbr:*`` config (args, else config variables), then
        the ``alicloud:`` keys the engine does not send (:mod:`.stack_reader`), in the order
        of :data:`~hbr_clients_provider.adapters.stack_config.CONFIG_PRECEDENCE`."""
        known = config_keywords()
        reader = StackReader(stack_of(urn))

        def get(full_key: str) -> Any:
            namespace, key = full_key.split(":", 1)
            if namespace != "hbr":
                return reader.get(full_key)
            if key not in known:
                return None
            arg = args.get(key)
            value = plain(arg) if arg is not None else variables.get(f"hbr:config:{key}")
            return variables.get(f"hbr:{key}") if value is None else value

        options = read_stack_config(get)
        # An explicit provider resource was given inputs: name them so in messages.
        origins = {
            keyword: key
            if not key.startswith("hbr:")
            else _provider_setting(urn, key.removeprefix("hbr:"))
            for keyword, key in options.origins.items()
        }
        self.options = attrs.evolve(options, origins=origins)
        self.unread = reader.problem

    def _names(self, inputs: Mapping[str, Any]) -> PulumiNames:
        return pulumi_names(self.options, given_inputs(inputs), camel=True, unread=_UNREAD)

    def _message(self, error: BaseException, inputs: Mapping[str, Any]) -> str:
        text = _camel_text(pulumi_message(error, self._names(inputs)))
        if isinstance(error, NoEndpointError) and self.unread:
            text += f" (alicloud:region could not be read: {self.unread})"
        return text

    def _worded(self, inputs: Mapping[str, Any]) -> contextlib.AbstractContextManager[None]:
        """Re-raise an error of this package in the words of a Pulumi operation."""
        return worded(lambda error: self._message(error, inputs))

    # --- the resource -----------------------------------------------------------------

    def check(self, news: Properties) -> list[CheckFailure]:
        """Validate the inputs; list the fleet once when all of them are known."""
        given = plain_inputs(news)
        failures = _unknown_names(given, RESOURCE_INPUTS)
        inputs = resource_inputs(given)
        names = self._names(inputs)
        failures += [_failure(v, names) for v in violations(inputs) + emptied_maps(inputs)]
        if not failures and not any(is_unknown(v) for v in inputs.values()):
            failures.extend(
                _failure(p, names)
                if isinstance(p, Violation) and p.field in inputs
                else CheckFailure(
                    "",
                    _camel_text(pulumi_violation(p, names)) if isinstance(p, Violation) else p,
                )
                for p in check_listing(
                    self.hand_off,
                    self.options,
                    inputs,
                    wording=lambda error: self._message(error, inputs),
                )
            )
        return failures

    def diff(
        self, id_: str, olds: Properties, old_inputs: Properties, news: Properties
    ) -> list[str]:
        """The names of what changed: inputs, else the fleet's fingerprint or passwords."""
        new = resource_inputs(plain_inputs(news))
        if any(is_unknown(v) for v in new.values()):
            return sorted(camel(k) for k in new if is_unknown(new[k]))
        changed = changed_inputs(resource_inputs(plain_inputs(old_inputs)), new)
        if changed:
            return [camel(k) for k in changed]
        old_outputs = plain_inputs(olds)
        if self.refreshes.changed(id_, old_outputs):
            return [camel(k) for k in MARKERS]
        with self._worded(new):
            changes = fleet_changes(self.hand_off, self.options, new, old_outputs)
        return [camel(k) for k in changes]

    def create(self, news: Properties) -> tuple[str, Properties]:
        """List the fleet (or take check's listing) and return the ID and the outputs.

        In a preview with unknown inputs the outputs are unknown too: none are returned.
        """
        inputs = resource_inputs(plain_inputs(news))
        if any(is_unknown(v) for v in inputs.values()):
            return "", {}
        return f"hbr-clients-{inputs_key(inputs)}", self._outputs(inputs, reuse=True)

    def update(self, news: Properties) -> Properties:
        """List the fleet again (or take diff's listing) and return the outputs."""
        inputs = resource_inputs(plain_inputs(news))
        if any(is_unknown(v) for v in inputs.values()):
            return {}
        return self._outputs(inputs, reuse=True)

    def read(self, id_: str, olds: Properties, inputs: Properties) -> Properties:
        """List the fleet afresh, for ``pulumi refresh``; note whether the fleet changed."""
        outputs = self._outputs(resource_inputs(plain_inputs(inputs)), reuse=False)
        self.refreshes.record(id_, plain_inputs(olds), plain_inputs(outputs))
        return outputs

    def _outputs(self, inputs: Mapping[str, Any], *, reuse: bool) -> Properties:
        with self._worded(inputs):
            listing = self.hand_off.list(lookup_key(self.options, inputs), reuse=reuse)
        include_volatile = inputs.get("include_volatile") is True
        values = listing_outputs(listing, include_volatile=include_volatile, clients_as_rows=True)
        return _properties(values, RESOURCE_OUTPUTS)

    # --- functions --------------------------------------------------------------------

    def invoke(self, token: str, args: Properties) -> tuple[Properties | None, list[CheckFailure]]:
        """Run ``getBackupClients`` or ``auditBackupClients``: results, or the failures.

        :raises AuditFailedError: when the audit has more findings than ``maxFindings``.
        :raises HbrError: for API, credential and network errors.
        """
        given = plain_inputs(args)
        with self._worded(given):
            if token == LOOKUP_TOKEN:
                return self._lookup(given)
            if token == AUDIT_TOKEN:
                return self._audit(given)
            if token in (COVERAGE_TOKEN, AUDIT_COVERAGE_TOKEN):
                return self._coverage(given, gated=token == AUDIT_COVERAGE_TOKEN)
        known = ", ".join((LOOKUP_TOKEN, AUDIT_TOKEN, COVERAGE_TOKEN, AUDIT_COVERAGE_TOKEN))
        return None, [CheckFailure("", f"unknown function {token!r} (expected one of {known})")]

    def _coverage(
        self, given: Mapping[str, Any], *, gated: bool
    ) -> tuple[Properties | None, list[CheckFailure]]:
        """``getBackupCoverage`` (``gated``: ``auditBackupCoverage``): the estate report."""
        allowed = _AUDIT_COVERAGE_INPUTS if gated else _COVERAGE_INPUTS
        failures = _unknown_names(given, allowed)
        request: EstateRequest | None = None
        try:
            request = EstateRequest.from_inputs(
                {k: v for k, v in given.items() if k in ESTATE_INPUTS}
            )
        except InvalidQuery as error:
            failures += [_failure(v, self._names(given)) for v in error.violations]
        gate = Gate(max_findings=None, allow_empty=True)
        if gated:
            try:
                gate = Gate.from_inputs(given, names=PYTHON_NAMES)
            except InvalidQuery as error:
                failures += [_failure(v, self._names(given)) for v in error.violations]
        connection_inputs = {k: given[k] for k in ("region", "deadline") if k in given}
        problems = connection_violations(connection_inputs) + limit_violations(connection_inputs)
        failures += [_failure(v, self._names(given)) for v in problems]
        if failures or request is None:
            return None, failures
        region = given.get("region") or self.options.get("region")
        if not region:
            named = request.regions if isinstance(request.regions, tuple) else ()
            region = named[0] if named else DISCOVERY_REGION
        limits = resolve_limits(self.options, connection_inputs)
        report = request.audit(
            resolve_connection(self.options, {"region": region}),
            deadline_s=limits.deadline_s,
            max_items=limits.max_clients,
        )
        verdict = judge(report, gate)
        if gated and not verdict.passed:
            raise AuditFailedError(
                _camel_text(
                    coverage_failure_message(
                        report, verdict, CAMEL_NAMES, unreachable="allowUnreachable"
                    )
                )
            )
        values = {
            "passed": verdict.passed,
            "complete": report.complete,
            "targets": [attrs.asdict(t) for t in report.targets],
            "findings": [attrs.asdict(f) for f in report.findings],
            "summary": attrs.asdict(report.summary),
        }
        specs, _ = coverage_output_specs()
        types = type_specs()
        return {camel(n): to_property(values[n], specs[n], types) for n in COVERAGE_OUTPUTS}, []

    def _lookup(self, given: Mapping[str, Any]) -> tuple[Properties | None, list[CheckFailure]]:
        failures = _unknown_names(given, _LOOKUP_INPUTS)
        names = self._names(given)
        failures += [_failure(v, names) for v in violations(given) + emptied_maps(given)]
        if failures:
            return None, failures
        listing = self.hand_off.list(lookup_key(self.options, given), reuse=False)
        values = listing_outputs(listing, clients_as_rows=True)
        return _properties(values, FUNCTION_OUTPUTS), []

    def _audit(self, given: Mapping[str, Any]) -> tuple[Properties | None, list[CheckFailure]]:
        failures = _unknown_names(given, _AUDIT_INPUTS)
        query = {k: v for k, v in given.items() if k in _LOOKUP_INPUTS}
        failures += [_failure(v, self._names(given)) for v in violations(query)]
        rules: AuditRules | None = None
        try:
            rules = AuditRules.from_inputs({k: v for k, v in given.items() if k in RULE_INPUTS})
        except InvalidQuery as error:
            failures += [_failure(v, self._names(given)) for v in error.violations]
        gate: Gate | None = None
        try:
            gate = Gate.from_inputs(given, names=PYTHON_NAMES)
        except InvalidQuery as error:
            failures += [_failure(v, self._names(given)) for v in error.violations]
        if failures or rules is None or gate is None:
            return None, failures
        listing = self.hand_off.list(lookup_key(self.options, query), reuse=False)
        report = audit(listing.clients, rules=rules)
        verdict = judge(report, gate)
        if not verdict.passed:
            raise AuditFailedError(failure_message(report, verdict, CAMEL_NAMES))
        values = {
            "findings": [f.to_dict() for f in report.findings],
            "summary": report.summary.to_dict(),
            "passed": verdict.passed,
        }
        return _properties(values, AUDIT_OUTPUTS), []
