"""The ``hbr-emulator serve`` command, used the way a foreign program would use it.

Nothing of the project is imported here: the command runs as a subprocess, the
official SDK is the client, and the hand-signed requests are signed below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alibabacloud_hbr20170908 import models as hbr_models
from alibabacloud_hbr20170908.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException

COMMAND = str(Path(sys.executable).with_name("hbr-emulator"))
AK = "LTAI5tHbrEmulatorLocal"
SK = "hbr-emulator-local-secret"


def _signed_call(
    endpoint: str, *, date: dt.datetime | None = None, nonce: str | None = None
) -> tuple[int, str]:
    """POST an ACS3-HMAC-SHA256 request signed by hand; return status and error code."""
    query = "ClientType=ECS_CLIENT"
    headers = {
        "host": endpoint,
        "x-acs-action": "DescribeBackupClients",
        "x-acs-version": "2017-09-08",
        "x-acs-date": (date or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
    }
    names = sorted(headers)
    canonical = "\n".join(
        [
            "POST",
            "/",
            query,
            "".join(f"{n}:{headers[n]}\n" for n in names),
            ";".join(names),
            headers["x-acs-content-sha256"],
        ]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(SK.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"ACS3-HMAC-SHA256 Credential={AK},SignedHeaders={';'.join(names)},Signature={signature}"
    )
    host, port = endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", "/?" + query, body=b"", headers=headers)
        response = connection.getresponse()
        return response.status, str(json.loads(response.read()).get("Code"))
    finally:
        connection.close()


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [COMMAND, "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("HBR_ENDPOINT="), line
    return process, line.strip().split("=", 1)[1]


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``hbr-emulator serve --port 0 --fleet 250 --seed 3`` and its endpoint."""
    process, endpoint = _start("--port", "0", "--fleet", "250", "--seed", "3")
    yield process, endpoint
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def _client(endpoint: str, *, ak: str = AK, sk: str = SK) -> Client:
    return Client(
        open_api_models.Config(
            access_key_id=ak,
            access_key_secret=sk,
            endpoint=endpoint,
            protocol="HTTP",
            region_id="cn-hangzhou",
        )
    )


def _call(client: Client, **kwargs: object) -> hbr_models.DescribeBackupClientsResponseBody:
    kwargs.setdefault("client_type", "ECS_CLIENT")
    request = hbr_models.DescribeBackupClientsRequest(**kwargs)
    body: hbr_models.DescribeBackupClientsResponseBody = client.describe_backup_clients(
        request
    ).body
    return body


def _code(client: Client, **kwargs: object) -> tuple[str, int]:
    with pytest.raises(ClientException) as caught:
        _call(client, **kwargs)
    return caught.value.code, caught.value.status_code


def test_serve_done_when(served: tuple[subprocess.Popen[str], str]) -> None:
    """The command serves the SDK every page, each filter and the documented errors."""
    process, endpoint = served
    client = _client(endpoint)

    listed: list[hbr_models.DescribeBackupClientsResponseBodyClients] = []
    totals = 0
    for client_type in ("ECS_CLIENT", "CONTAINER_CLIENT"):
        page, seen = 1, []
        while True:
            body = _call(client, client_type=client_type, page_number=page, page_size=99)
            seen.extend(body.clients)
            if not body.clients or len(seen) >= body.total_count:
                break
            page += 1
        assert len(seen) == body.total_count
        totals += body.total_count
        listed.extend(seen)
    ids = [c.client_id for c in listed]
    assert totals == 250
    assert len(set(ids)) == len(ids)

    ecs = [c for c in listed if c.client_type == "ECS_CLIENT"]
    by_instance = _call(client, instance_ids=[ecs[0].instance_id, ecs[1].instance_id])
    assert {c.client_id for c in by_instance.clients} == {ecs[0].client_id, ecs[1].client_id}
    by_id = _call(client, client_ids=[ecs[2].client_id])
    assert [c.client_id for c in by_id.clients] == [ecs[2].client_id]
    tag = ecs[0].tags[0]
    by_tag = _call(
        client,
        tag=[hbr_models.DescribeBackupClientsRequestTag(key=tag.key, value=tag.value)],
        page_size=99,
    )
    expected = {c.client_id for c in ecs if any(t.to_map() == tag.to_map() for t in c.tags)}
    assert {c.client_id for c in by_tag.clients} == expected

    assert _code(_client(endpoint, sk="wrong")) == ("SignatureDoesNotMatch", 400)
    assert _code(_client(endpoint, ak="LTAI5tUnknown")) == ("InvalidAccessKeyId.NotFound", 404)
    assert _code(client, client_type=None) == ("MissingClientType", 400)
    hour_old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert _signed_call(endpoint, date=hour_old) == (400, "InvalidTimeStamp.Expired")
    assert _signed_call(endpoint, nonce="replayed-nonce") == (200, "200")
    assert _signed_call(endpoint, nonce="replayed-nonce") == (400, "SignatureNonceUsed")

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_serve_sigint_with_open_connection(served: tuple[subprocess.Popen[str], str]) -> None:
    """SIGINT ends the command with code 0 even with a keep-alive connection open."""
    process, endpoint = served
    host, port = endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/_emulator/requests")
    assert connection.getresponse().read()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    connection.close()


def test_serve_data_file(tmp_path: Path) -> None:
    """``--data`` serves the fleet of a JSON file."""
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({"Clients": [{"ClientId": "c-fromfile", "Hostname": "h"}]}))
    process, endpoint = _start("--data", str(path))
    try:
        body = _call(_client(endpoint))
        assert [c.client_id for c in body.clients] == ["c-fromfile"]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    "args",
    [["serve", "--fleet", "-1"], ["serve", "--error-rate", "2"], ["serve", "--nope"], []],
)
def test_serve_bad_flags_exit_2(args: list[str]) -> None:
    """A bad flag is an argparse error: exit code 2."""
    result = subprocess.run(
        [COMMAND, *args], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 2
    assert "usage:" in result.stderr
