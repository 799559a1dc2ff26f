"""Tests of :mod:`hbr_clients_provider.audit.rules`, its renderers and the SDK's audit functions.

Every rule is checked against an emulator fleet built for it (``fleet=0`` plus
``add_client``), listed over real HTTP by the query engine.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pulumi
import pytest

from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.audit.gate import CAMEL_NAMES, CLI_NAMES, PYTHON_NAMES, Gate, judge
from hbr_clients_provider.audit.render import (
    failure_message,
    render_audit,
    render_json,
    render_markdown,
    render_table,
    verdict,
)
from hbr_clients_provider.audit.rules import (
    MISSING_CLIENT,
    RULES,
    AuditReport,
    AuditRules,
    Finding,
    audit,
)
from hbr_clients_provider.display import MAX_CELL_CHARS
from hbr_clients_provider.errors import InvalidQuery
from hbr_emulator import Emulator
from pulumi_hbr_clients import (
    BackupAuditFailed,
    BackupAuditInputError,
    GetBackupClientsResult,
    audit_backup_clients,
)

from ._support import connect, healthy_wire_client

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _client(client_id: str, instance_id: str, **fields: Any) -> dict[str, Any]:
    """A wire client that breaks no rule unless ``fields`` say otherwise; heard from at NOW."""
    return healthy_wire_client(
        client_id, instance_id, heartbeat=int(NOW.timestamp()) - 60, **fields
    )


@pytest.fixture
def fleet(
    emulator_factory: Callable[..., Emulator],
) -> Callable[..., tuple[BackupClient, ...]]:
    """Start an empty emulator, add the given wire clients and list them back."""

    def build(*clients: dict[str, Any]) -> tuple[BackupClient, ...]:
        emu = emulator_factory(fleet=0)
        for client in reversed(clients):  # add_client puts each first: keep the given order
            emu.backend.add_client(client)
        listing = list_clients({"client_type": "ECS_CLIENT"}, connection=connect(emu))
        assert [c.client_id for c in listing.clients] == [c["ClientId"] for c in clients]
        return listing.clients

    return build


def _pairs(report: AuditReport) -> list[tuple[str | None, str | None, str]]:
    return [(f.client_id, f.instance_id, f.rule) for f in report.findings]


class TestAuditRules:
    """Building and validating the rules."""

    def test_defaults_enable_no_rule(self) -> None:
        """Every rule is off by default."""
        assert AuditRules().enabled == ()

    def test_from_inputs_converts_json_ish_values(self) -> None:
        """Boolean strings, duration strings and repeated IDs are converted."""
        rules = AuditRules.from_inputs(
            {
                "require_activated": "true",
                "require_latest": False,
                "max_heartbeat_age": "2h",
                "expected_instance_ids": ["i-1", " i-2 ", "i-1"],
                "require_https_proxy": None,
            }
        )
        assert rules.require_activated is True
        assert rules.max_heartbeat_age == timedelta(hours=2)
        assert rules.expected_instance_ids == ("i-1", "i-2")
        assert rules.enabled == ("not_activated", "stale_heartbeat", "missing_client")

    def test_from_inputs_invalid_names_every_field(self) -> None:
        """Every bad input is reported at once, by field name."""
        with pytest.raises(InvalidQuery) as caught:
            AuditRules.from_inputs(
                {
                    "require_protected": "yes please",
                    "max_heartbeat_age": "-5m",
                    "expected_instance_ids": ["i-1", ""],
                    "require_everything": True,
                }
            )
        assert set(caught.value.fields) == {
            "require_everything",
            "require_protected",
            "max_heartbeat_age",
            "expected_instance_ids[1]",
        }

    def test_init_rejects_non_positive_heartbeat_age(self) -> None:
        """A zero heartbeat age is refused."""
        with pytest.raises(ValueError, match="max_heartbeat_age"):
            AuditRules(max_heartbeat_age=timedelta(0))


class TestAuditRulesOnFleets:
    """Each rule against an emulator fleet built for it."""

    def test_audit_not_activated_flags_every_other_status(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """Only ACTIVATED passes require_activated; the detail names the status."""
        clients = fleet(
            _client("c-ok", "i-ok"),
            _client("c-stopped", "i-stopped", Status="STOPPED"),
            _client("c-unknown", "i-unknown", Status="UNKNOWN"),
            _client("c-installing", "i-installing", Status="INSTALLING"),
        )
        report = audit(clients, rules=AuditRules(require_activated=True), now=NOW)
        assert _pairs(report) == [
            ("c-stopped", "i-stopped", "not_activated"),
            ("c-unknown", "i-unknown", "not_activated"),
            ("c-installing", "i-installing", "not_activated"),
        ]
        assert report.findings[0].detail == "status is STOPPED, not ACTIVATED"
        assert audit(clients, rules=AuditRules(), now=NOW).passed

    def test_audit_unprotected_flags_unprotected_clients(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """BackupStatus UNPROTECTED is a finding under require_protected; PROTECTED is not."""
        clients = fleet(
            _client("c-protected", "i-1"),
            _client("c-unprotected", "i-2", BackupStatus="UNPROTECTED"),
        )
        report = audit(clients, rules=AuditRules(require_protected=True), now=NOW)
        assert _pairs(report) == [("c-unprotected", "i-2", "unprotected")]

    def test_audit_outdated_compares_multi_digit_parts(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """2.9.3 is older than 2.13.10 and 2.13.10 is newer than 2.13.9, part by part."""
        clients = fleet(
            _client("c-latest", "i-1"),
            _client("c-nine", "i-2", ClientVersion="2.9.3"),
            _client("c-patch", "i-3", ClientVersion="2.13.9"),
            _client("c-ahead", "i-4", ClientVersion="2.13.10", MaxClientVersion="2.13.9"),
            _client("c-short", "i-5", ClientVersion="2.13", MaxClientVersion="2.13.0"),
        )
        report = audit(clients, rules=AuditRules(require_latest=True), now=NOW)
        assert _pairs(report) == [("c-nine", "i-2", "outdated"), ("c-patch", "i-3", "outdated")]
        assert report.findings[0].detail == "client version 2.9.3 is older than 2.13.10"

    def test_audit_stale_heartbeat_judged_at_injected_now(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """Heartbeats older than the limit, or never sent, are findings; the limit itself is not."""
        stamp = int(NOW.timestamp())
        clients = fleet(
            _client("c-fresh", "i-1", LastHeartBeatTime=stamp - 3600),
            _client("c-edge", "i-2", LastHeartBeatTime=stamp - 7200),
            _client("c-stale", "i-3", LastHeartBeatTime=stamp - 3 * 3600 - 5),
            _client("c-never", "i-4", LastHeartBeatTime=0),
        )
        rules = AuditRules.from_inputs({"max_heartbeat_age": "2h"})
        report = audit(clients, rules=rules, now=NOW)
        assert _pairs(report) == [
            ("c-stale", "i-3", "stale_heartbeat"),
            ("c-never", "i-4", "stale_heartbeat"),
        ]
        assert report.findings[0].detail == (
            "last heartbeat 3h5s ago at 2025-06-01T08:59:55Z (limit 2h)"
        )
        assert report.findings[1].detail == "no heartbeat reported (limit 2h)"
        later = audit(clients, rules=rules, now=NOW + timedelta(hours=2))
        assert [f.client_id for f in later.findings] == ["c-fresh", "c-edge", "c-stale", "c-never"]

    def test_audit_missing_client_reports_uncovered_instances(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """An expected instance without a client is a finding with no client ID."""
        clients = fleet(
            _client("c-a", "i-a"),
            _client("c-b", "i-b", Status="STOPPED"),
            _client("c-x", "i-x"),
        )
        rules = AuditRules(expected_instance_ids=("i-a", "i-b", "i-c"))
        report = audit(clients, rules=rules, now=NOW)
        assert _pairs(report) == [(None, "i-c", MISSING_CLIENT)]
        summary = report.summary
        assert (summary.expected_instances, summary.covered_instances) == (3, 2)
        assert summary.coverage_basis == "expected_instances"
        assert summary.coverage_percent == 66.67
        assert report.offending_client_ids == ()

    def test_audit_insecure_proxy_flags_custom_proxy_without_https(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """Only a CUSTOM proxy without HTTPS is flagged; the detail never shows the password."""
        custom = {"DataProxySetting": "CUSTOM", "ProxyHost": "proxy.corp", "ProxyPort": 3128}
        clients = fleet(
            _client(
                "c-plain", "i-1", Settings={**custom, "UseHttps": "false", "ProxyPassword": "pw1"}
            ),
            _client("c-tls", "i-2", Settings={**custom, "UseHttps": "true"}),
            _client("c-control", "i-3", Settings={"DataProxySetting": "USE_CONTROL_PROXY"}),
            _client("c-off", "i-4", Settings={"DataProxySetting": "DISABLE"}),
        )
        report = audit(clients, rules=AuditRules(require_https_proxy=True), now=NOW)
        assert _pairs(report) == [("c-plain", "i-1", "insecure_proxy")]
        assert report.findings[0].detail == "CUSTOM data proxy proxy.corp:3128 without HTTPS"
        assert "pw1" not in json.dumps(report.to_dict())

    def test_audit_all_rules_order_findings_by_client_then_rule(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """Findings follow the listing order, rules in RULES order, missing instances last."""
        clients = fleet(
            _client(
                "c-bad",
                "i-bad",
                Status="STOPPED",
                BackupStatus="UNPROTECTED",
                ClientVersion="2.4.5",
                LastHeartBeatTime=0,
                Settings={"DataProxySetting": "CUSTOM", "UseHttps": "false"},
            ),
            _client("c-good", "i-good"),
        )
        rules = AuditRules(
            require_activated=True,
            require_protected=True,
            require_latest=True,
            max_heartbeat_age=timedelta(days=1),
            expected_instance_ids=("i-none",),
            require_https_proxy=True,
        )
        report = audit(clients, rules=rules, now=NOW)
        assert [f.rule for f in report.findings] == list(RULES)
        assert report.offending_client_ids == ("c-bad",)
        assert report.summary.rules_checked == RULES
        assert report.summary.findings_by_rule == dict.fromkeys(RULES, 1)


class TestAuditSummary:
    """Counts and coverage."""

    def test_audit_summary_counts_by_status_zone_and_version(
        self, emulator_factory: Callable[..., Emulator], tmp_path: Path
    ) -> None:
        """Counts come from a data file fleet; versions sort as versions; no zone is (none)."""
        data = tmp_path / "fleet.json"
        data.write_text(
            json.dumps(
                [
                    _client("c-1", "i-1", ClientVersion="2.13.10"),
                    _client("c-2", "i-2", ClientVersion="2.9.3", ZoneId="cn-hangzhou-f"),
                    _client("c-3", "i-3", ClientVersion="2.9.3", Status="STOPPED", ZoneId=""),
                ]
            )
        )
        emu = emulator_factory(data=str(data))
        listing = list_clients({"client_type": "ECS_CLIENT"}, connection=connect(emu))
        report = audit(listing.clients, rules=AuditRules(require_activated=True), now=NOW)
        summary = report.summary
        assert summary.total_clients == 3
        assert summary.clients_with_findings == 1
        assert summary.by_status == {"ACTIVATED": 2, "STOPPED": 1}
        assert summary.by_zone == {"(none)": 1, "cn-hangzhou-f": 1, "cn-hangzhou-h": 1}
        assert list(summary.by_version.items()) == [("2.9.3", 2), ("2.13.10", 1)]
        assert summary.coverage_basis == "clients_without_findings"
        assert summary.coverage_percent == 66.67

    def test_audit_empty_fleet_has_no_coverage(self) -> None:
        """With no clients and no expected instances, coverage is None and the audit passes."""
        report = audit((), rules=AuditRules(require_activated=True), now=NOW)
        assert report.passed
        assert report.summary.coverage_percent is None

    def test_audit_naive_now_raises(self) -> None:
        """A naive ``now`` is refused rather than guessed."""
        with pytest.raises(ValueError, match="timezone-aware"):
            audit((), rules=AuditRules(), now=datetime(2025, 1, 1))

    def test_report_to_dict_is_json_safe(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """to_dict has findings and summary only, and survives a JSON round trip."""
        clients = fleet(_client("c-1", "i-1", Status="STOPPED"))
        report = audit(
            clients, rules=AuditRules(require_activated=True, max_heartbeat_age=None), now=NOW
        )
        data = report.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert set(data) == {"findings", "summary"}
        assert data["findings"] == [
            {
                "client_id": "c-1",
                "instance_id": "i-1",
                "rule": "not_activated",
                "detail": "status is STOPPED, not ACTIVATED",
            }
        ]
        assert data["summary"]["rules_checked"] == ["not_activated"]

    def test_finding_rejects_unknown_rule(self) -> None:
        """A finding's rule is one of the stable names."""
        with pytest.raises(ValueError, match="rule"):
            Finding(client_id="c-1", instance_id="i-1", rule="bogus", detail="")


def _report(findings: int, *, detail: str = "status is STOPPED, not ACTIVATED") -> AuditReport:
    """A report with ``findings`` not_activated findings (for the renderers)."""
    clients = [
        BackupClient(client_id=f"c-{n:03}", instance_id=f"i-{n:03}", status="STOPPED")
        for n in range(findings)
    ]
    report = audit(clients, rules=AuditRules(require_activated=True), now=NOW)
    return AuditReport(
        findings=[
            Finding(client_id=f.client_id, instance_id=f.instance_id, rule=f.rule, detail=detail)
            for f in report.findings
        ],
        summary=report.summary,
    )


class TestRenderers:
    """Table, JSON and Markdown."""

    def test_render_table_lists_verdict_findings_and_summary(self) -> None:
        """The table starts with the verdict and lists each finding's four columns."""
        text = render_table(_report(2))
        lines = text.splitlines()
        assert lines[0].startswith("FAIL: 2 findings on 2 of 2 clients (rules: not_activated)")
        assert lines[2].split() == ["client_id", "instance_id", "rule", "detail"]
        assert lines[3].split()[:3] == ["c-000", "i-000", "not_activated"]
        assert "by status:" in text
        assert "coverage:" in text

    def test_render_table_pass_has_no_findings_table(self) -> None:
        """A clean report says PASS and shows no header."""
        clean = audit([BackupClient(client_id="c-1", status="ACTIVATED")], rules=AuditRules())
        text = render_table(clean)
        assert text.startswith("PASS: no findings on 1 client (rules: none enabled)")
        assert "client_id" not in text

    def test_render_table_empty_scope_fails(self) -> None:
        """An audit of nothing says FAIL with the default gate, PASS when it is allowed."""
        empty = audit((), rules=AuditRules(), now=NOW)
        assert render_table(empty).startswith("FAIL: nothing to audit: no client matched")
        allowed = judge(empty, Gate(allow_empty=True))
        assert render_table(empty, judged=allowed).startswith("PASS: no findings on 0 clients")

    def test_render_table_limit_says_how_many_are_left_out(self) -> None:
        """A capped table ends its rows with the number left out."""
        lines = render_table(_report(5), limit=3).splitlines()
        assert "... and 2 more findings" in lines
        assert sum(line.startswith("c-") for line in lines) == 3

    def test_render_json_matches_to_dict(self) -> None:
        """JSON output is the gate's verdict and the report's dict."""
        report = _report(3)
        expected = {"passed": False, "gate": judge(report, Gate()).to_dict(), **report.to_dict()}
        assert json.loads(render_json(report)) == expected
        assert json.loads(render_audit(report, "json")) == expected
        assert expected["gate"]["reasons"] == ["too_many_findings"]

    def test_render_markdown_escapes_pipes_in_cells(self) -> None:
        """A detail with pipes and markup stays in its cell: four cells per row."""
        report = _report(1, detail="proxy a|b <script> *x*")
        text = render_markdown(report)
        assert text.startswith(
            "## HBR backup client audit\n\n❌ **FAIL**: 1 finding on 1 of 1 client"
        )
        rows = [line for line in text.splitlines() if line.startswith("| `c-")]
        assert len(rows) == 1
        cells = re.split(r"(?<!\\)\|", rows[0])[1:-1]
        assert [c.strip() for c in cells] == [
            "`c-000`",
            "`i-000`",
            "`not_activated`",
            r"proxy a\|b \<script\> \*x\*",
        ]
        assert "| Client | Instance | Rule | Detail |" in text

    def test_render_markdown_pass_and_cap(self) -> None:
        """PASS has no findings table; a long report is capped with a note."""
        clean = audit([BackupClient(client_id="c-1", status="ACTIVATED")], rules=AuditRules())
        assert "✅ **PASS**" in render_markdown(clean)
        assert "❌ **FAIL**" in render_markdown(audit((), rules=AuditRules(), now=NOW))
        text = render_markdown(_report(7), limit=5)
        assert sum(line.startswith("| `c-") for line in text.splitlines()) == 5
        assert "and 2 more findings" in text

    def test_render_audit_unknown_format_raises(self) -> None:
        """An unknown format is a ValueError naming the accepted ones."""
        with pytest.raises(ValueError, match="table, json, markdown"):
            render_audit(_report(0), "yaml")

    def test_verdict_counts_missing_instances(self) -> None:
        """The verdict counts expected instances without a client."""
        report = audit((), rules=AuditRules(expected_instance_ids=("i-1", "i-2")), now=NOW)
        assert verdict(report) == (
            "FAIL: 2 findings on 2 expected instances without a client (rules: missing_client)"
        )


class TestAuditBackupClients:
    """The SDK's audit_backup_clients: fail a Pulumi program with a readable RunError."""

    @staticmethod
    def _result(clients: tuple[BackupClient, ...]) -> GetBackupClientsResult:
        return GetBackupClientsResult(
            clients=clients,
            client_ids=tuple(c.client_id for c in clients),
            instance_ids=tuple(c.instance_id for c in clients if c.instance_id),
            total_count=len(clients),
            api_total_count=len(clients),
        )

    def test_audit_backup_clients_findings_raise_run_error_listing_clients(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """Findings beyond max_findings raise BackupAuditFailed naming client, instance, rule."""
        clients = fleet(
            _client("c-ok", "i-ok"),
            _client("c-old", "i-old", ClientVersion="2.4.5"),
        )
        with pytest.raises(BackupAuditFailed) as caught:
            audit_backup_clients(self._result(clients), require_latest=True, now=NOW)
        error = caught.value
        assert isinstance(error, pulumi.RunError)
        assert error.report.offending_client_ids == ("c-old",)
        assert error.max_findings == 0
        message = str(error)
        assert message.startswith("HBR backup client audit FAIL: 1 finding on 1 of 2 clients")
        assert ["c-old", "i-old", "outdated"] in [line.split()[:3] for line in message.splitlines()]
        assert "c-ok" not in message

    def test_audit_backup_clients_within_max_findings_returns_report(
        self, fleet: Callable[..., tuple[BackupClient, ...]]
    ) -> None:
        """As many findings as max_findings pass; max_findings=None never fails."""
        clients = fleet(_client("c-1", "i-1", Status="STOPPED"), _client("c-2", "i-2"))
        result = self._result(clients)
        report = audit_backup_clients(result, require_activated=True, max_findings=1, now=NOW)
        assert len(report.findings) == 1
        report = audit_backup_clients(
            result, require_activated=True, expected_instance_ids=["i-9"], max_findings=None
        )
        assert len(report.findings) == 2

    def test_audit_backup_clients_message_capped_at_fifty_rows(self) -> None:
        """The failure message lists 50 findings and counts the rest."""
        clients = tuple(
            BackupClient(client_id=f"c-{n:03}", instance_id=f"i-{n:03}", status="STOPPED")
            for n in range(60)
        )
        with pytest.raises(BackupAuditFailed) as caught:
            audit_backup_clients(self._result(clients), require_activated=True, now=NOW)
        lines = str(caught.value).splitlines()
        assert sum(line.strip().startswith("c-") for line in lines) == 50
        assert lines[-1].strip() == "... and 10 more findings"
        assert len(caught.value.report.findings) == 60

    def test_audit_backup_clients_invalid_arguments_name_fields(self) -> None:
        """Bad rule arguments raise BackupAuditInputError naming each field."""
        result = self._result(())
        with pytest.raises(BackupAuditInputError) as caught:
            audit_backup_clients(result, max_heartbeat_age="soon")
        assert caught.value.cause.fields == ("max_heartbeat_age",)
        with pytest.raises(BackupAuditInputError) as caught:
            audit_backup_clients(result, max_findings=-1)
        assert caught.value.cause.fields == ("max_findings",)


class TestStreamedJson:
    """The audit's JSON is streamed finding by finding, equal to one json.dumps."""

    @pytest.mark.parametrize("require_activated", [True, False])
    def test_render_json_matches_one_dump(self, require_activated: bool) -> None:
        """With and without findings, render_json equals json.dumps(to_dict(), indent=2)."""
        clients = [
            BackupClient.from_wire(
                healthy_wire_client(
                    f"c-{i}", f"i-{i}", heartbeat=int(NOW.timestamp()), Status="STOPPED"
                )
            )
            for i in range(3)
        ]
        report = audit(clients, rules=AuditRules(require_activated=require_activated), now=NOW)
        assert bool(report.findings) is require_activated
        gate = judge(report, Gate())
        whole = {"passed": gate.passed, "gate": gate.to_dict(), **report.to_dict()}
        assert render_json(report) == json.dumps(whole, indent=2) + "\n"


class TestRenderersUntrustedText:
    """Every audit renderer shows what the server sent as text, bounded, never as markup."""

    ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b\u202e"
    SHOWN = r"\x1b]0;pwned\x07\x1b[2J\x9b\u202e"

    def _hostile(self, *, status: str | None = None) -> AuditReport:
        """One not_activated finding whose instance ID, status and zone hold escapes."""
        client = BackupClient(
            client_id="c-1",
            instance_id="i-" + self.ESCAPES,
            status=status or "STOPPED" + self.ESCAPES,
            zone_id="z|<b>",
        )
        return audit([client], rules=AuditRules(require_activated=True), now=NOW)

    @staticmethod
    def _unsafe(text: str) -> list[str]:
        return [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c != "\n"]

    def test_table_escapes_findings_and_summary(self) -> None:
        """The table shows \\x1b for ESC in findings and in the by-status line."""
        text = render_table(self._hostile())
        assert self._unsafe(text) == []
        assert f"i-{self.SHOWN}" in text
        assert f"by status:        STOPPED{self.SHOWN}: 1" in text
        assert "were cut" not in text

    def test_failure_message_of_every_surface_is_safe(self) -> None:
        """The message the SDK, the plugin and the policy pack raise holds no control byte."""
        report = self._hostile()
        for names in (PYTHON_NAMES, CAMEL_NAMES, CLI_NAMES):
            message = failure_message(report, judge(report, Gate()), names)
            assert self._unsafe(message) == []
            assert f"status is STOPPED{self.SHOWN}, not ACTIVATED" in message
        raised = BackupAuditFailed(report, judge(report, Gate()))
        assert self._unsafe(str(raised)) == []

    def test_failure_message_cuts_a_huge_cell_and_says_so(self) -> None:
        """A 5 MB status gives a message of bounded size that says cells were cut."""
        report = self._hostile(status="S" * 5_000_000)
        message = failure_message(report, judge(report, Gate()), PYTHON_NAMES)
        assert len(message) < 2_000
        assert message.endswith(f"  cells longer than {MAX_CELL_CHARS} characters were cut")

    def test_markdown_is_escaped_and_bounded(self) -> None:
        """Markdown escapes markup and control bytes; a 5 MB value is cut, said in a note."""
        text = render_markdown(self._hostile())
        assert self._unsafe(text) == []
        assert r"- **By zone:** z\|\<b\>: 1" in text
        huge = render_markdown(self._hostile(status="S" * 5_000_000))
        assert len(huge) < 2_000
        assert huge.endswith(
            f"*cells longer than {MAX_CELL_CHARS} characters were cut; use --format json "
            "for full values*\n"
        )

    def test_json_keeps_the_exact_values(self) -> None:
        """JSON is exact: the escapes read back unchanged, and none is written raw."""
        text = render_json(self._hostile())
        assert self._unsafe(text) == []
        assert json.loads(text)["findings"][0]["instance_id"] == "i-" + self.ESCAPES
