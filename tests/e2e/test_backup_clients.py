"""BackupClients and the lookups through the real Pulumi CLI, engine and provider process."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Faults
from tests.e2e.pulumi_cli import LOOKUP, PulumiProject, lookup_project

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="class")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, PulumiProject]]:
    """The lookup program on activated ECS clients, deployed once (the tests only read it)."""
    with Emulator(fleet=150, seed=11) as emu:
        query = {"client_type": "ECS_CLIENT", "statuses": ["ACTIVATED"]}
        project = lookup_project(tmp_path_factory.mktemp("lookup"), emu, query)
        project.run("up", "--yes", "--skip-preview", check=True)
        yield emu, project


def _activated_ecs(emu: Emulator) -> list[dict[str, Any]]:
    return [
        c
        for c in emu.backend.clients()
        if c["ClientType"] == "ECS_CLIENT" and c["Status"] == "ACTIVATED"
    ]


class TestBackupClientsLifecycle:
    """up of a lookup against the emulator: its outputs and its state (refresh and preview of
    a changed fleet: ``tests/e2e/test_refresh.py``)."""

    def test_up_outputs_equal_emulator_data(self, deployed: tuple[Emulator, PulumiProject]) -> None:
        """up exports the emulator's clients, and the outputs drive a resource and a lookup."""
        emu, project = deployed
        outputs = project.outputs()

        ecs = [c for c in emu.backend.clients() if c["ClientType"] == "ECS_CLIENT"]
        expected = _activated_ecs(emu)
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

    def test_state_keeps_secrets_out(self, deployed: tuple[Emulator, PulumiProject]) -> None:
        """State holds no access key secret and no plaintext proxy password; tiny provider."""
        emu, project = deployed
        listed = [
            c["Settings"]["ProxyPassword"]
            for c in _activated_ecs(emu)
            if c["Settings"].get("ProxyPassword")
        ]
        assert listed, "the seeded fleet has activated clients with custom proxies"

        exported = project.export()
        assert DEFAULT_ACCESS_KEY_SECRET not in exported
        for client in emu.backend.clients():
            password = client["Settings"].get("ProxyPassword")
            assert not password or password not in exported
        shown = project.outputs(show_secrets=True)["proxy_passwords"]
        assert sorted(shown.values()) == sorted(listed)

        blob = project.resource_outputs("clients")["__provider"]
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
        project.run(
            "config", "set-all",
            "--plaintext", f"hbr:endpoint={emu.endpoint}",
            "--plaintext", "hbr:protocol=http",
            "--plaintext", f"alicloud:accessKey={DEFAULT_ACCESS_KEY_ID}",
            "--secret", f"alicloud:secretKey={DEFAULT_ACCESS_KEY_SECRET}",
            check=True,
        )  # fmt: skip
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
