"""hbr-fleet-audit on stack arguments shaped like the engine's (see tests/policy/engine.py)."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from hbr_clients_provider.adapters.outputs import listing_outputs
from hbr_clients_provider.api.durations import parse_duration
from hbr_clients_provider.api.models import BackupClient, ClientListing
from pulumi_hbr_clients.audit import MESSAGE_ROWS
from pulumi_hbr_clients.policy import FLEET_AUDIT, fleet_audit_policy
from pulumi_hbr_clients.policy.config import DURATION_PATTERN
from pulumi_hbr_clients.policy.types import BACKUP_CLIENTS_TYPE
from tests.policy.engine import UNKNOWN, Analyzer, Resource, secret

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PASSWORD = "proxy-pa55-never-shown"


def _client(n: int, **fields: Any) -> BackupClient:
    base: dict[str, Any] = {
        "client_id": f"c-{n:06d}",
        "instance_id": f"i-{n:06d}",
        "client_type": "ECS_CLIENT",
        "status": "ACTIVATED",
        "backup_status": "PROTECTED",
        "client_version": "2.13.10",
        "max_client_version": "2.13.10",
        "last_heartbeat_time": int(NOW.timestamp()) - 60,
    }
    base.update(fields)
    return BackupClient(**base)


def _lookup(name: str, clients: list[BackupClient]) -> Resource:
    """A BackupClients resource's outputs, as the state (and the engine) holds them."""
    outputs = listing_outputs(ClientListing(clients=clients, total_count=len(clients)))
    outputs["proxy_passwords"] = secret(outputs["proxy_passwords"])
    outputs["query"] = {"client_type": "ECS_CLIENT"}
    return Resource(BACKUP_CLIENTS_TYPE, name, outputs)


def _analyzer(**config: Any) -> Analyzer:
    return Analyzer([fleet_audit_policy(clock=lambda: NOW)], {FLEET_AUDIT: config})


class TestFleetAudit:
    """The audit of each BackupClients resource's outputs, against the configured rules."""

    def test_require_activated_mandatory_names_non_activated_clients(self) -> None:
        """A mandatory requireActivated violation names each non-activated client and instance."""
        clients = [_client(1), _client(2, status="DEACTIVATED"), _client(3, status="INSTALLING")]
        lookup = _lookup("ecs", clients)

        found = _analyzer(enforcementLevel="mandatory", requireActivated=True).analyze_stack(
            [lookup]
        )

        assert len(found) == 1
        (diag,) = found
        assert (diag.policy, diag.level, diag.urn) == (FLEET_AUDIT, "mandatory", lookup.urn)
        assert 'BackupClients "ecs" (ECS_CLIENT)' in diag.message
        assert "FAIL: 2 findings on 2 of 3 clients (rules: not_activated)" in diag.message
        assert "0 allowed by maxFindings" in diag.message
        rows = [line.split() for line in diag.message.splitlines() if "not_activated" in line]
        assert [row[:3] for row in rows if row[0].startswith("c-")] == [
            ["c-000002", "i-000002", "not_activated"],
            ["c-000003", "i-000003", "not_activated"],
        ]
        assert "c-000001" not in diag.message

    def test_advisory_level_reports_a_warning(self) -> None:
        """Without an enforcement level in the config, the violation is advisory."""
        found = _analyzer(requireActivated=True).analyze_stack(
            [_lookup("ecs", [_client(1, status="DEACTIVATED")])]
        )

        assert [(d.policy, d.level) for d in found] == [(FLEET_AUDIT, "advisory")]

    def test_max_findings_relaxes_the_audit(self) -> None:
        """A resource with no more findings than maxFindings passes; one more fails."""
        clients = [_client(1, status="DEACTIVATED"), _client(2, status="DEACTIVATED")]

        relaxed = _analyzer(requireActivated=True, maxFindings=2).analyze_stack(
            [_lookup("ecs", clients)]
        )
        strict = _analyzer(requireActivated=True, maxFindings=1).analyze_stack(
            [_lookup("ecs", clients)]
        )

        assert relaxed == []
        assert len(strict) == 1
        assert "1 allowed by maxFindings" in strict[0].message

    def test_every_rule_from_config(self) -> None:
        """Each config property enables its rule of `hbr-clients audit`."""
        old = int(NOW.timestamp()) - 3 * 86400
        clients = [
            _client(1, backup_status="UNPROTECTED"),
            _client(2, client_version="2.9.3"),
            _client(3, last_heartbeat_time=old),
            _client(
                4, settings={"data_proxy_setting": "CUSTOM", "proxy_host": "p", "use_https": False}
            ),
        ]
        config = {
            "requireProtected": True,
            "requireLatest": True,
            "maxHeartbeatAge": "1d",
            "requireHttpsProxy": True,
        }

        (diag,) = _analyzer(**config).analyze_stack([_lookup("ecs", clients)])

        rows = [line.split() for line in diag.message.splitlines() if line.startswith("  c-")]
        rules = {row[0]: row[2] for row in rows}
        assert rules == {
            "c-000001": "unprotected",
            "c-000002": "outdated",
            "c-000003": "stale_heartbeat",
            "c-000004": "insecure_proxy",
        }

    def test_no_rule_enabled_passes(self) -> None:
        """With every rule off (the defaults), no fleet violates."""
        assert _analyzer().analyze_stack([_lookup("ecs", [_client(1, status="DEACTIVATED")])]) == []

    def test_each_resource_is_audited_on_its_own(self) -> None:
        """Only the resource with findings violates, and its violation carries its URN."""
        good = _lookup("good", [_client(1)])
        bad = _lookup("bad", [_client(2, status="DEACTIVATED")])

        found = _analyzer(requireActivated=True).analyze_stack([good, bad])

        assert [d.urn for d in found] == [bad.urn]

    def test_unknown_clients_are_not_yet_checkable(self) -> None:
        """Outputs unknown in a preview give an advisory note, not a violation; known ones count."""
        creating = Resource(
            BACKUP_CLIENTS_TYPE, "new", {"clients_json": UNKNOWN, "client_ids": UNKNOWN}
        )
        known = _lookup("old", [_client(1, status="DEACTIVATED")])

        found = _analyzer(enforcementLevel="mandatory", requireActivated=True).analyze_stack(
            [creating, known]
        )

        assert [(d.level, d.urn) for d in found] == [("mandatory", known.urn), ("advisory", "")]
        note = found[1].message
        assert "can't run policy 'hbr-fleet-audit'" in note
        assert "BackupClients new are not known until the update" in note
        assert "1 other BackupClients resource(s) audited now" in note

    def test_huge_fleet_message_is_capped(self) -> None:
        """A 20,000-client fleet is audited in seconds and listed up to the cap."""
        clients = [
            _client(n, status="DEACTIVATED" if n % 2 else "ACTIVATED") for n in range(20_000)
        ]
        lookup = _lookup("huge", clients)
        analyzer = _analyzer(requireActivated=True)

        started = time.perf_counter()
        (diag,) = analyzer.analyze_stack([lookup])
        elapsed = time.perf_counter() - started

        assert "FAIL: 10000 findings on 10000 of 20000 clients" in diag.message
        rows = [line for line in diag.message.splitlines() if "not_activated" in line]
        assert len(rows) == MESSAGE_ROWS + 1  # the rows and the verdict line
        assert diag.message.rstrip().endswith(f"... and {10_000 - MESSAGE_ROWS} more findings")
        assert elapsed < 30, f"20,000 clients took {elapsed:.1f}s"

    def test_secrets_never_reach_the_message(self) -> None:
        """A client's proxy password (secret output, masked in clients_json) is never printed."""
        client = _client(
            1,
            status="DEACTIVATED",
            settings={"data_proxy_setting": "CUSTOM", "proxy_password": PASSWORD},
        )

        (diag,) = _analyzer(requireActivated=True, requireHttpsProxy=True).analyze_stack(
            [_lookup("ecs", [client])]
        )

        assert PASSWORD not in diag.message
        assert "insecure_proxy" in diag.message

    def test_unreadable_clients_json_is_a_violation(self) -> None:
        """An output that is not a JSON list of clients is reported, never audited as empty."""
        broken = Resource(BACKUP_CLIENTS_TYPE, "broken", {"clients_json": "{not json"})

        (diag,) = _analyzer(requireActivated=True).analyze_stack([broken])

        assert (
            'BackupClients "broken": cannot audit: clients_json is not valid JSON' in diag.message
        )

    def test_stack_without_lookups_is_not_applicable(self) -> None:
        """A stack with no BackupClients resource gives no diagnostic."""
        other = Resource("random:index/randomId:RandomId", "r", {"hex": "ab"})

        assert _analyzer(requireActivated=True).analyze_stack([other]) == []


class TestFleetAuditConfig:
    """The config schema the engine validates, and the policy's own check of it."""

    def test_info_declares_schema_and_advisory_default(self) -> None:
        """The pack info lists the policy as advisory with every config property."""
        info = _analyzer().info()
        (policy,) = info["policies"]

        assert policy["name"] == FLEET_AUDIT
        assert policy.get("enforcementLevel", "ADVISORY") == "ADVISORY"
        assert set(policy["configSchema"]["properties"]) == {
            "requireActivated",
            "requireProtected",
            "requireLatest",
            "maxHeartbeatAge",
            "requireHttpsProxy",
            "maxFindings",
            "allowEmpty",
        }
        assert policy["configSchema"]["properties"]["maxFindings"]["minimum"] == 0

    @pytest.mark.parametrize("text", ["15m", "2h", "1d", "1w", "1h30m", "90s"])
    def test_duration_pattern_accepts_what_parses(self, text: str) -> None:
        """Every maxHeartbeatAge the schema accepts is a positive duration."""
        assert re.fullmatch(DURATION_PATTERN, text)
        assert parse_duration(text).total_seconds() > 0

    @pytest.mark.parametrize("text", ["0m", "2 hours", "-1h", "1y", "", "h"])
    def test_duration_pattern_refuses_the_rest(self, text: str) -> None:
        """The schema refuses zero, negative, spaced and unknown-unit durations."""
        assert not re.fullmatch(DURATION_PATTERN, text)

    @pytest.mark.parametrize(
        ("config", "prop", "value"),
        [
            ({"maxHeartbeatAge": "0m"}, "maxHeartbeatAge", "0m"),
            ({"requireActivated": "yes"}, "requireActivated", "yes"),
            ({"maxFindings": -1}, "maxFindings", -1),
            ({"requireActivate": True}, "requireActivate", True),
        ],
    )
    def test_bad_value_past_a_loose_schema_is_named(
        self, config: dict[str, Any], prop: str, value: Any
    ) -> None:
        """A value the policy refuses is reported with the property, the value and the rule."""
        (diag,) = _analyzer(**config).analyze_stack([_lookup("ecs", [_client(1)])])

        assert f"{FLEET_AUDIT}: {prop} = {value!r}:" in diag.message
        assert "--policy-pack-config" in diag.message
