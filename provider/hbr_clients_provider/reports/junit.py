"""The estate report as JUnit XML, for CI test views (GitLab, Jenkins, GitHub test reporters).

::

    <testsuites name="hbr-clients estate audit" tests= failures= errors= skipped=>
      <testsuite name="gate">                  the verdict: properties passed, complete, ...
        <testcase name="estate gate"/>         a <failure> when the gate failed
      <testsuite name="ACCOUNT/REGION">        one per target (the caller's own: REGION)
        <testcase classname="hbr.REGION.instance" name="i-...">   one per instance in scope
          <failure type="no_backup_client" message="...">detail, rule and IDs</failure>
        <testcase classname="hbr.REGION.client" name="c-...">     one per client judged
        <testcase name="list REGION"><error type="ServiceNotActivated" .../>   not listed
      <testsuite name="suppressions">          one testcase per entry (expired/stale: skipped)

A ``<failure>`` is written for each finding the gate counted. A finding it did not count (a
suppressed one, or one already in the baseline) is said in the testcase's ``<system-out>``,
and a testcase with only such findings is ``<skipped>``, so the test view is red exactly when
the gate counted something. A target that could not be listed is an ``<error>`` (``<skipped>``
when accepted by ``--allow-unreachable``). ``failures``, ``errors`` and ``skipped`` count
testcases, as junitparser and the Ant schema do.

Built with :mod:`xml.etree.ElementTree` from the model, never from string templates: the
serializer escapes ``& < > "``; :func:`~.escape.xml_text` first escapes what XML 1.0 cannot
hold and every control character.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from hbr_clients_provider.audit.coverage import CoverageFinding, Target, TargetSummary
from hbr_clients_provider.reports.escape import xml_text
from hbr_clients_provider.reports.model import EstateReport, TargetInventory
from hbr_clients_provider.reports.verdict import verdict_text

__all__ = ["SUITES_NAME", "render_junit"]

#: The ``name`` of the root ``<testsuites>``.
SUITES_NAME: Final = "hbr-clients estate audit"

_COUNTS: Final = ("tests", "failures", "errors", "skipped")


def _facts(finding: CoverageFinding) -> str:
    lines = [
        finding.detail,
        "",
        f"rule: {finding.rule}",
        f"account: {finding.account_id or '(caller)'}",
        f"region: {finding.region}",
        f"instance: {finding.instance_id or '-'}",
        f"client: {finding.client_id or '-'}",
    ]
    return xml_text("\n".join(lines), keep_newlines=True)


def _message(finding: CoverageFinding) -> str:
    ids = " ".join(i for i in (finding.instance_id, finding.client_id) if i)
    return xml_text(f"{finding.rule} {ids}: {finding.detail}")


class _Case:
    """One testcase being assembled: counted findings, and those the gate did not count."""

    def __init__(self, classname: str, name: str) -> None:
        self.classname = classname
        self.name = name
        self.failures: list[CoverageFinding] = []
        self.notes: list[str] = []

    def element(self) -> ET.Element:
        case = ET.Element("testcase", classname=xml_text(self.classname), name=xml_text(self.name))
        for finding in self.failures:
            failure = ET.SubElement(
                case, "failure", type=xml_text(finding.rule), message=_message(finding)
            )
            failure.text = _facts(finding)
        if self.notes and not self.failures:
            ET.SubElement(case, "skipped", message=xml_text(self.notes[0]))
        if self.notes:
            ET.SubElement(case, "system-out").text = xml_text(
                "\n".join(self.notes), keep_newlines=True
            )
        return case


def _suite(name: str, cases: Iterable[ET.Element], properties: dict[str, str]) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(name))
    if properties:
        props = ET.SubElement(suite, "properties")
        for key, value in properties.items():
            ET.SubElement(props, "property", name=key, value=xml_text(value))
    counts = dict.fromkeys(_COUNTS, 0)
    for case in cases:
        suite.append(case)
        counts["tests"] += 1
        for kind, counted in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            if case.find(kind) is not None:
                counts[counted] += 1
                break
    for key in _COUNTS:
        suite.set(key, str(counts[key]))
    return suite


def _gate_suite(report: EstateReport) -> ET.Element:
    verdict = report.verdict
    case = ET.Element("testcase", classname="hbr.gate", name="estate gate")
    text = verdict_text(report)
    if not verdict.passed:
        failure = ET.SubElement(case, "failure", type="gate", message=xml_text(text))
        failure.text = xml_text(", ".join(verdict.reasons))
    properties = {
        "passed": str(report.passed).lower(),
        "complete": str(report.complete).lower(),
        "reasons": ",".join(verdict.reasons),
        "counted_findings": str(len(report.counted)),
        "reported_findings": str(len(report.findings)),
        "suppressed_findings": str(len(report.suppressed)),
        "max_findings": "none"
        if verdict.gate.max_findings is None
        else str(verdict.gate.max_findings),
        "verdict": text,
        "tool": f"{report.tool.name} {report.tool.version}",
    }
    if report.baseline is not None:
        properties["baseline_new"] = str(len(report.baseline.new))
        properties["baseline_unchanged"] = str(len(report.baseline.unchanged))
        properties["baseline_fixed"] = str(len(report.baseline.fixed))
    return _suite("gate", [case], properties)


def _target_suite(
    summary: TargetSummary,
    inventory: TargetInventory | None,
    findings: list[tuple[CoverageFinding, str | None]],
) -> ET.Element:
    label = summary.target.label
    prefix = f"hbr.{label.replace('/', '.')}"
    if summary.error is not None:
        error = summary.error
        case = ET.Element("testcase", classname=xml_text(prefix), name=xml_text(f"list {label}"))
        rid = f" (request id {error.request_id})" if error.request_id else ""
        message = xml_text(f"{error.code}{rid}: {error.message}")
        if summary.accepted:
            ET.SubElement(case, "skipped", message=f"accepted by --allow-unreachable: {message}")
        else:
            ET.SubElement(case, "error", type=xml_text(error.code), message=message).text = message
        return _suite(label, [case], {})
    cases: dict[tuple[str, str], _Case] = {}
    if inventory is not None:
        for instance_id in inventory.instance_ids:
            cases[("instance", instance_id)] = _Case(f"{prefix}.instance", instance_id)
        for client_id in inventory.client_ids:
            cases[("client", client_id)] = _Case(f"{prefix}.client", client_id)
    for finding, note in findings:
        kind, item = (
            ("client", finding.client_id)
            if finding.client_id
            else ("instance", finding.instance_id)
        )
        name = item or f"({finding.rule})"
        pending = cases.setdefault((kind, name), _Case(f"{prefix}.{kind}", name))
        if note is None:
            pending.failures.append(finding)
        else:
            pending.notes.append(f"{note}: {finding.rule}: {finding.detail}")
    elements = [c.element() for c in cases.values()]
    if not elements:  # nothing in scope and no finding: still say the target was listed
        elements = [
            ET.Element("testcase", classname=xml_text(prefix), name=xml_text(f"list {label}"))
        ]
    properties = {
        "instances": str(summary.instances),
        "covered_instances": str(summary.covered_instances),
        "clients": str(summary.clients),
        "orphan_clients": str(summary.orphan_clients),
    }
    return _suite(label, elements, properties)


def _suppressions_suite(report: EstateReport) -> ET.Element | None:
    used: dict[int, int] = defaultdict(int)
    for item in report.suppressed:
        used[item.suppression.index] += 1
    entries = {s.suppression.index: s.suppression for s in report.suppressed}
    cases: list[ET.Element] = []
    for entry in sorted(entries.values(), key=lambda s: s.index):
        case = ET.Element("testcase", classname="hbr.suppressions", name=xml_text(entry.label))
        ET.SubElement(case, "system-out").text = xml_text(
            f"suppresses {used[entry.index]} finding(s) until {entry.expires}: {entry.reason}"
        )
        cases.append(case)
    for expired in report.expired:
        entry = expired.suppression
        case = ET.Element("testcase", classname="hbr.suppressions", name=xml_text(entry.label))
        message = (
            f"expired on {entry.expires}: {len(expired.findings)} finding(s) count again "
            f"({entry.reason})"
        )
        ET.SubElement(case, "skipped", message=xml_text(message))
        cases.append(case)
    for entry in report.stale:
        case = ET.Element("testcase", classname="hbr.suppressions", name=xml_text(entry.label))
        message = f"stale: matches no finding; remove it ({entry.reason})"
        ET.SubElement(case, "skipped", message=xml_text(message))
        cases.append(case)
    return _suite("suppressions", cases, {}) if cases else None


def render_junit(report: EstateReport) -> str:
    """The report as a JUnit XML document (module docstring)."""
    by_target: dict[tuple[str | None, str], list[tuple[CoverageFinding, str | None]]] = defaultdict(
        list
    )
    for reported in report.findings:
        finding = reported.finding
        note = None if reported.counted else "known (in the baseline)"
        by_target[(finding.account_id, finding.region)].append((finding, note))
    for item in report.suppressed:
        entry = item.suppression
        note = f"suppressed until {entry.expires} ({entry.reason})"
        by_target[(item.finding.account_id, item.finding.region)].append((item.finding, note))
    inventory = {i.target: i for i in report.inventory or ()}
    root = ET.Element("testsuites", name=SUITES_NAME)
    suites = [_gate_suite(report)]
    for summary in report.coverage.targets:
        key = (summary.target.account_id, summary.target.region)
        suites.append(_target_suite(summary, inventory.get(summary.target), by_target.pop(key, [])))
    for (account_id, region), leftovers in by_target.items():  # a finding of no known target
        summary = TargetSummary(
            target=Target(account_id=account_id, region=region),
            instances=0,
            covered_instances=0,
            clients=0,
            orphan_clients=0,
        )
        suites.append(_target_suite(summary, None, leftovers))
    extra = _suppressions_suite(report)
    if extra is not None:
        suites.append(extra)
    totals = dict.fromkeys(_COUNTS, 0)
    for suite in suites:
        root.append(suite)
        for count in _COUNTS:
            totals[count] += int(suite.get(count, "0"))
    for count in _COUNTS:
        root.set(count, str(totals[count]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
