"""BackupClients and the lookups through the real Pulumi CLI, engine and provider process."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Faults
from tests.e2e.pulumi_cli import LOOKUP, PulumiProject, lookup_project

pytestmark = pytest.mark.e2e


def _admin(emu: Emulator, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        f"{emu.url}/_emulator/{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _resource_outputs(project: PulumiProject, name: str = "clients") -> dict[str, Any]:
    """The state outputs of one BackupClients resource (what refresh updates)."""
    resources = json.loads(project.export())["deployment"]["resources"]
    outputs: dict[str, Any] = next(
        r for r in resources if r["type"].endswith("BackupClients") and r["urn"].endswith(name)
    )["outputs"]
    return outputs


class TestBackupClientsLifecycle:
    """preview, up, refresh and destroy of a lookup against the emulator."""

    def test_up_outputs_equal_emulator_data(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """up exports the emulator's clients, and the outputs drive a resource and a lookup."""
        emu = emulator_factory(fleet=150, seed=11)
        project = lookup_project(
            tmp_path, emu, {"client_type": "ECS_CLIENT", "statuses": ["ACTIVATED"]}
        )

        project.run("up", "--yes", "--skip-preview", check=True)
        outputs = project.outputs()

        ecs = [c for c in emu.backend.clients() if c["ClientType"] == "ECS_CLIENT"]
        expected = [c for c in ecs if c["Status"] == "ACTIVATED"]
        assert 0 < len(expected) < len(ecs)
        assert outputs["client_ids"] == [c["ClientId"] for c in expected]
        assert outputs["instance_ids"] == [c["InstanceId"] for c in expected if c["InstanceId"]]
        assert outputs["total_count"] == len(expected)
        first = outputs["clients"][0]
        assert first["client_id"] == expected[0]["ClientId"]
        assert first["status"] == expected[0]["Status"]
        assert first["settings"]["use_https"] == (expected[0]["Settings"]["UseHttps"] == "true")
        assert outputs["instance_client_map"] == {
            c["InstanceId"]: c["ClientId"] for c in expected if c["InstanceId"]
        }
        assert outputs["same_instances_client_ids"] == outputs["client_ids"]
        assert outputs["looked_up_client_ids"] == outputs["client_ids"]
        assert outputs["proxy_passwords"] == "[secret]"

    def test_unchanged_fleet_then_change_then_refresh(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """An unchanged fleet previews as no changes; an admin change shows; refresh takes it."""
        emu = emulator_factory(fleet=60, seed=5)
        project = lookup_project(tmp_path, emu, {"client_type": "ECS_CLIENT"})
        project.run("up", "--yes", "--skip-preview", check=True)

        project.run("preview", "--expect-no-changes", check=True)

        target = emu.backend.clients()[0]["ClientId"]
        _admin(emu, "PATCH", f"clients/{target}", {"Status": "STOPPED"})
        changed = project.run("preview", "--expect-no-changes")
        assert changed.returncode != 0
        assert "hbr:BackupClients clients update" in changed.stdout
        assert "~ 2 to update" in changed.stdout  # both lookups list the changed client

        project.run("refresh", "--yes", check=True)
        state_clients = json.loads(_resource_outputs(project)["clients_json"])
        statuses = {c["client_id"]: c["status"] for c in state_clients}
        assert statuses[target] == "STOPPED"

        calls = emu.backend.api_call_count()
        project.run("destroy", "--yes", check=True)
        assert emu.backend.api_call_count() == calls

    def test_state_keeps_secrets_out(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """State holds no access key secret and no plaintext proxy password; tiny provider."""
        emu = emulator_factory(fleet=120, seed=3)
        passwords = [
            c["Settings"]["ProxyPassword"]
            for c in emu.backend.clients()
            if c["ClientType"] == "ECS_CLIENT" and c["Settings"].get("ProxyPassword")
        ]
        assert passwords, "the seeded fleet has custom proxies"
        project = lookup_project(tmp_path, emu, {"client_type": "ECS_CLIENT"})
        project.run("up", "--yes", "--skip-preview", check=True)

        exported = project.export()
        assert DEFAULT_ACCESS_KEY_SECRET not in exported
        for password in passwords:
            assert password not in exported
        shown = project.outputs(show_secrets=True)["proxy_passwords"]
        assert sorted(shown.values()) == sorted(passwords)

        blob = _resource_outputs(project)["__provider"]
        assert len(blob) < 200
        assert DEFAULT_ACCESS_KEY_ID.encode() not in base64.b64decode(blob)


class TestStackConfig:
    """The connection comes from the keys pulumi-alicloud users already set."""

    def test_up_with_alicloud_stack_config_only(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """alicloud:accessKey/secretKey and hbr:endpoint/protocol suffice; no secret in state."""
        emu = emulator_factory(fleet=40, seed=8)
        project = PulumiProject.create(
            LOOKUP,
            tmp_path,
            env={
                "E2E_QUERY": json.dumps({"client_type": "CONTAINER_CLIENT"}),
                "HBR_ENDPOINT": "",
                "ALIBABA_CLOUD_ACCESS_KEY_ID": "",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "",
            },
        )
        project.run("config", "set", "hbr:endpoint", emu.endpoint, check=True)
        project.run("config", "set", "hbr:protocol", "http", check=True)
        project.run("config", "set", "alicloud:accessKey", DEFAULT_ACCESS_KEY_ID, check=True)
        project.run(
            "config",
            "set",
            "--secret",
            "alicloud:secretKey",
            DEFAULT_ACCESS_KEY_SECRET,
            check=True,
        )
        project.run("up", "--yes", "--skip-preview", check=True)

        expected = [
            c["ClientId"] for c in emu.backend.clients() if c["ClientType"] == "CONTAINER_CLIENT"
        ]
        outputs = project.outputs()
        assert outputs["client_ids"] == expected
        assert outputs["looked_up_client_ids"] == expected
        assert DEFAULT_ACCESS_KEY_SECRET not in project.export()


class TestBackupClientsFailures:
    """Bad input and API failures are readable and send nothing they should not."""

    def test_preview_invalid_input_names_field_and_sends_nothing(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """preview fails on a bad tag and cross-account, naming both, and no request is sent."""
        emu = emulator_factory(fleet=10, seed=1)
        project = lookup_project(
            tmp_path,
            emu,
            {
                "client_type": "ECS_CLIENT",
                "tags": {"aliyun:env": "prod"},
                "cross_account_user_id": 42,
            },
        )
        preview = project.run("preview")
        assert preview.returncode != 0
        assert "property tags value" in preview.output
        assert "tags[0].key: must not start with 'aliyun'" in preview.output
        assert "property cross_account_role_name" in preview.output
        assert "Traceback" not in preview.output
        assert emu.backend.api_call_count() == 0

    def test_up_outage_fails_readably(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """An outage fails up with the error code named and no Python traceback."""
        emu = emulator_factory(fleet=10, seed=1, faults=Faults(error_rate=1.0))
        project = lookup_project(tmp_path, emu, {"client_type": "ECS_CLIENT"})
        up = project.run("up", "--yes")
        assert up.returncode != 0
        assert "ServiceUnavailable" in up.output or "InternalError" in up.output
        assert "Traceback" not in up.output
