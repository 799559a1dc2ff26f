"""Tests of :func:`pulumi_hbr_clients.audit_arguments_from_config`: stack config, keys named."""

from __future__ import annotations

import json

import pulumi
import pytest

from pulumi_hbr_clients import BackupAuditInputError, audit_arguments_from_config


def _stack_config(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> pulumi.Config:
    """A ``pulumi.Config("audit")`` reading ``values`` as the stack's config."""
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(values))
    return pulumi.Config("audit")


def test_bad_duration_names_the_config_key_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """audit:maxHeartbeatAge 1week fails naming the key and the value."""
    config = _stack_config(monkeypatch, {"audit:maxHeartbeatAge": "1week"})
    with pytest.raises(BackupAuditInputError) as info:
        audit_arguments_from_config(config, max_heartbeat_age="1d")
    (violation,) = info.value.cause.violations
    assert violation.field == "audit:maxHeartbeatAge"
    assert violation.value == "1week"
    assert "audit:maxHeartbeatAge: must be a positive duration" in str(info.value)
    assert "(got '1week')" in str(info.value)


def test_every_bad_key_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad booleans, lists and counts are reported together, each under its key."""
    config = _stack_config(
        monkeypatch,
        {
            "audit:requireLatest": "yes please",
            "audit:expectInstances": "i-abc",
            "audit:maxFindings": "-7",
        },
    )
    with pytest.raises(BackupAuditInputError) as info:
        audit_arguments_from_config(config)
    fields = [v.field for v in info.value.cause.violations]
    assert fields == ["audit:requireLatest", "audit:expectInstances", "audit:maxFindings"]


def test_values_override_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set keys override the defaults; off, JSON lists and -1 mean what the docs say."""
    config = _stack_config(
        monkeypatch,
        {
            "audit:requireActivated": "false",
            "audit:maxHeartbeatAge": "off",
            "audit:expectInstances": '["i-abc", "i-def"]',
            "audit:maxFindings": "-1",
        },
    )
    arguments = audit_arguments_from_config(
        config, require_activated=True, require_latest=True, max_heartbeat_age="1d"
    )
    assert arguments == {
        "require_activated": False,
        "require_latest": True,
        "max_heartbeat_age": None,
        "expected_instance_ids": ["i-abc", "i-def"],
        "max_findings": None,
    }
