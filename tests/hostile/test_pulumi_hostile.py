"""Key rows of the hostile table through ``BackupClients`` and the lookup in the real engine."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.pulumi_cli import PulumiProject
from tests.hostile.servers import CLIENT, FakeHbr, LoggingProxy, TlsFiles

pytestmark = pytest.mark.e2e

PROGRAM = Path(__file__).parent / "program"
SECRET = "hostile-secret-value"


def project(
    tmp_path: Path,
    endpoint: str,
    query: dict[str, Any],
    *,
    kind: str = "resource",
    protocol: str = "http",
    env: dict[str, str] | None = None,
) -> PulumiProject:
    """The hostile program against ``endpoint``, keys from the environment, no proxy set."""
    return PulumiProject.create(
        PROGRAM,
        tmp_path,
        env={
            "HOSTILE_QUERY": json.dumps(query),
            "HOSTILE_KIND": kind,
            "HBR_ENDPOINT": endpoint,
            "HBR_PROTOCOL": protocol,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-hostile-id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET,
            "HTTP_PROXY": "",
            "HTTPS_PROXY": "",
            "ALL_PROXY": "",
            "NO_PROXY": "",
            "REQUESTS_CA_BUNDLE": "",
            "CURL_CA_BUNDLE": "",
            **(env or {}),
        },
    )


ECS = {"client_type": "ECS_CLIENT"}


def test_resource_success_false_fails_preview(
    tmp_path: Path, fake_hbr: Callable[..., FakeHbr]
) -> None:
    """Success:false fails the preview naming the request ID; no empty fleet, no traceback."""
    server = fake_hbr(mode="success-false-no-code")
    preview = project(tmp_path, server.endpoint, ECS).run("preview")
    assert preview.returncode != 0
    assert "Success=false (no Code given) (HTTP 200, request id REQ-FAIL-2): denied" in (
        preview.output
    )
    assert "Traceback" not in preview.output
    assert len(server.requests) == 1


def test_lookup_malformed_response_fails_the_program(
    tmp_path: Path, fake_hbr: Callable[..., FakeHbr]
) -> None:
    """get_backup_clients on a response without TotalCount fails the program readably."""
    server = fake_hbr(mode="request-id-only")
    up = project(tmp_path, server.endpoint, ECS, kind="lookup").run("up", "--yes")
    assert up.returncode != 0
    assert "TotalCount is missing" in up.output
    assert "request id REQ-X" in up.output
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", ["resource", "lookup"])
def test_deeply_nested_body_fails_preview_as_malformed(
    tmp_path: Path, fake_hbr: Callable[..., FakeHbr], kind: str
) -> None:
    """200,000 ``[`` fail the preview as a malformed answer: no RecursionError, no traceback."""
    server = fake_hbr(mode="deep-brackets")
    preview = project(tmp_path, server.endpoint, ECS, kind=kind).run("preview")
    assert preview.returncode != 0
    assert "malformed DescribeBackupClients response" in preview.output
    assert "nesting too deep" in preview.output
    assert "Traceback" not in preview.output
    assert "RecursionError" not in preview.output
    assert len(server.requests) == 1


def test_resource_invalid_endpoint_is_a_check_failure(tmp_path: Path, proxy: LoggingProxy) -> None:
    """endpoint 127.0.0.1:99999 fails preview on property endpoint; no request leaves."""
    query = {**ECS, "endpoint": "127.0.0.1:99999"}
    preview = project(
        tmp_path, "127.0.0.1:1", query, env={"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url}
    ).run("preview")
    assert preview.returncode != 0
    assert "property endpoint" in preview.output
    assert "the port is not a number from 1 to 65535" in preview.output
    assert "Traceback" not in preview.output
    assert proxy.seen == []


def test_resource_self_signed_then_trusted_ca_bundle(
    tmp_path: Path, fake_hbr: Callable[..., FakeHbr], self_signed: TlsFiles
) -> None:
    """A self-signed endpoint fails preview with the certificate named; ca_bundle trusts it."""
    server = fake_hbr(tls=self_signed.server_context())
    failing = project(tmp_path / "a", server.endpoint, ECS, protocol="https")
    preview = failing.run("preview")
    assert preview.returncode != 0
    assert "certificate verify failed: self-signed certificate" in preview.output
    # Inside a Pulumi operation the fix names the config key and the input, not a flag.
    assert "hbr:caBundle or the ca_bundle input" in preview.output
    assert "--ca-bundle" not in preview.output
    assert server.requests == []

    trusting = project(
        tmp_path / "b",
        server.endpoint,
        {**ECS, "ca_bundle": str(self_signed.ca)},
        protocol="https",
    )
    trusting.run("up", "--yes", "--skip-preview", check=True)
    assert trusting.outputs()["client_ids"] == [CLIENT["ClientId"]]


def test_stack_config_secret_key_where_it_goes(
    tmp_path: Path, fake_hbr: Callable[..., FakeHbr]
) -> None:
    """A secret alicloud:secretKey is encrypted in state, plain in --show-secrets and gRPC logs."""
    server = fake_hbr()
    stack = project(
        tmp_path,
        server.endpoint,
        ECS,
        env={"ALIBABA_CLOUD_ACCESS_KEY_ID": "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": ""},
    )
    stack.run("config", "set", "alicloud:accessKey", "LTAI-hostile-id", check=True)
    stack.run("config", "set", "--secret", "alicloud:secretKey", SECRET, check=True)
    stack.run("up", "--yes", "--skip-preview", check=True)
    assert SECRET not in stack.export()
    shown = stack.run("stack", "export", "--show-secrets", check=True).stdout
    holders = [
        r["type"] for r in json.loads(shown)["deployment"]["resources"] if SECRET in json.dumps(r)
    ]
    assert holders == ["pulumi:providers:pulumi-python"]
    grpc_log = tmp_path / "grpc.json"
    stack.env["PULUMI_DEBUG_GRPC"] = str(grpc_log)
    stack.run("preview", check=True)
    assert SECRET in grpc_log.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeHbr, PulumiProject]]:
    """A stack whose lookup is deployed against a fake endpoint (that a test may turn bad)."""
    server = FakeHbr().start()
    try:
        stack = project(tmp_path_factory.mktemp("deployed"), server.endpoint, ECS)
        stack.run("up", "--yes", "--skip-preview", check=True)
        yield server, stack
    finally:
        server.stop()


@pytest.mark.parametrize(
    "args", [("refresh", "--yes"), ("preview", "--refresh"), ("up", "--refresh", "--yes")]
)
def test_refresh_success_false_is_one_paragraph(
    deployed: tuple[FakeHbr, PulumiProject], args: tuple[str, ...]
) -> None:
    """A refresh meeting Success:false fails with the code and request ID, no traceback.

    The failed refresh changes nothing in the state, so the three commands share one stack.
    """
    server, stack = deployed
    server.mode = "success-false"
    try:
        refreshed = stack.run(*args)
    finally:
        server.mode = "ok"
    assert refreshed.returncode != 0
    assert (
        "DescribeBackupClients failed: InternalError (HTTP 200, request id REQ-FAIL-1): "
        "backend failure" in refreshed.output
    )
    assert "Traceback" not in refreshed.output
    assert 'File "' not in refreshed.output


def test_resource_none_tag_fails_preview_naming_the_path(
    tmp_path: Path, fake_hbr: Callable[..., FakeHbr]
) -> None:
    """tags={"env": None} fails the preview naming tags.env; no request leaves."""
    server = fake_hbr()
    query = {**ECS, "tags": {"env": None}}
    preview = project(tmp_path, server.endpoint, query).run("preview")
    assert preview.returncode != 0
    assert "BackupClients 'clients': tags.env: must not be None" in preview.output
    assert "Traceback" not in preview.output
    assert server.requests == []
