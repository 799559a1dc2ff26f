"""Request signatures: hand-signed ACS3 requests, and the older RPC SDK."""

from __future__ import annotations

import datetime as dt
import http.client
import json
from urllib.parse import urlencode

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkhbr.request.v20170908.DescribeBackupClientsRequest import (
    DescribeBackupClientsRequest,
)

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from hbr_emulator.signing import TIME_FORMAT, rpc_signature, rpc_string_to_sign, sign_acs3

from .helpers import raw_call


def _post(endpoint: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    host, port = endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())["Code"]
    finally:
        connection.close()


def _signed(
    emulator: Emulator, form: dict[str, str] | None = None
) -> tuple[str, dict[str, str], bytes]:
    """A correctly signed ``DescribeBackupClients`` for ECS clients, ready to tamper with."""
    return sign_acs3(
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        host=emulator.endpoint,
        action="DescribeBackupClients",
        version="2017-09-08",
        query={"ClientType": "ECS_CLIENT"},
        form=form,
    )


class TestAcs3:
    """ACS3-HMAC-SHA256, signed by hand."""

    def test_signed_request_succeeds(self, emulator: Emulator) -> None:
        """A correctly hand-signed request lists clients."""
        status, _, body = raw_call(emulator.endpoint, query={"ClientType": "ECS_CLIENT"})
        assert status == 200
        assert body["Success"] is True

    def test_timestamp_an_hour_old_is_expired(self, emulator: Emulator) -> None:
        """A date an hour in the past answers ``InvalidTimeStamp.Expired``."""
        old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        status, _, body = raw_call(emulator.endpoint, date=old)
        assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")

    def test_timestamp_within_fifteen_minutes_is_accepted(self, emulator: Emulator) -> None:
        """A clock 14 minutes ahead is still accepted."""
        ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=14)
        status, _, _ = raw_call(emulator.endpoint, date=ahead)
        assert status == 200

    def test_timestamp_malformed(self, emulator: Emulator) -> None:
        """A date in another format answers ``InvalidTimeStamp.Format``."""
        target, headers, body = _signed(emulator)
        headers["x-acs-date"] = "yesterday"
        assert _post(emulator.endpoint, target, headers, body) == (400, "InvalidTimeStamp.Format")

    def test_nonce_replayed_is_refused(self, emulator: Emulator) -> None:
        """The same nonce twice answers ``SignatureNonceUsed`` the second time."""
        first, _, _ = raw_call(emulator.endpoint, nonce="fixed-nonce-1")
        second, _, body = raw_call(emulator.endpoint, nonce="fixed-nonce-1")
        assert first == 200
        assert (second, body["Code"]) == (400, "SignatureNonceUsed")

    def test_missing_authorization(self, emulator: Emulator) -> None:
        """No ``Authorization`` and no RPC signature answers ``IncompleteSignature``."""
        headers = {"x-acs-action": "DescribeBackupClients", "x-acs-version": "2017-09-08"}
        assert _post(emulator.endpoint, "/?ClientType=ECS_CLIENT", headers, b"") == (
            400,
            "IncompleteSignature",
        )

    @pytest.mark.parametrize(
        "authorization",
        [
            "garbage",
            "ACS3-HMAC-SHA256 Credential=LTAI5tHbrEmulatorLocal",
            "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=00",
        ],
    )
    def test_garbled_authorization(self, emulator: Emulator, authorization: str) -> None:
        """A garbled or unsupported ``Authorization`` answers ``IncompleteSignature``."""
        status, _, body = raw_call(emulator.endpoint, headers={"Authorization": authorization})
        assert (status, body["Code"]) == (400, "IncompleteSignature")

    def test_required_header_not_signed(self, emulator: Emulator) -> None:
        """Leaving ``x-acs-signature-nonce`` out of ``SignedHeaders`` is incomplete."""
        target, headers, body = _signed(emulator)
        headers["Authorization"] = headers["Authorization"].replace("x-acs-signature-nonce;", "")
        assert _post(emulator.endpoint, target, headers, body) == (400, "IncompleteSignature")

    def test_body_changed_after_signing(self, emulator: Emulator) -> None:
        """A body that does not match ``x-acs-content-sha256`` is refused."""
        target, headers, _ = _signed(emulator, form={"ClientIds": '["c-1"]'})
        tampered = b"ClientIds=%5B%22c-2%22%5D"
        status, code = _post(emulator.endpoint, target, headers, tampered)
        assert (status, code) == (400, "SignatureDoesNotMatch")

    def test_query_changed_after_signing(self, emulator: Emulator) -> None:
        """A query changed after signing answers ``SignatureDoesNotMatch``."""
        target, headers, body = _signed(emulator)
        status, code = _post(emulator.endpoint, target + "&PageSize=99", headers, body)
        assert (status, code) == (400, "SignatureDoesNotMatch")


def _rpc_request(emulator: Emulator) -> DescribeBackupClientsRequest:
    request = DescribeBackupClientsRequest()
    request.set_endpoint(emulator.endpoint)
    request.set_protocol_type("http")
    request.set_ClientType("ECS_CLIENT")
    return request


class TestRpc:
    """The RPC HMAC-SHA1 signature of ``aliyun-python-sdk-core``."""

    def test_rpc_sdk_lists_with_filters(self, emulator: Emulator) -> None:
        """The older SDK lists clients, with ids in the form body and tags."""
        clients = emulator.backend.clients()[:4]
        request = _rpc_request(emulator)
        request.set_PageSize(99)
        request.set_ClientIds([c["ClientId"] for c in clients])
        request.set_InstanceIds([c["InstanceId"] for c in clients])
        client = AcsClient(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, "cn-hangzhou")
        body = json.loads(client.do_action_with_exception(request))
        assert sorted(c["ClientId"] for c in body["Clients"]) == sorted(
            c["ClientId"] for c in clients
        )

    def test_rpc_sdk_wrong_secret(self, emulator: Emulator) -> None:
        """A wrong secret is refused; the SDK recognises the service's string to sign."""
        client = AcsClient(DEFAULT_ACCESS_KEY_ID, "wrong-secret", "cn-hangzhou")
        with pytest.raises(ServerException) as caught:
            client.do_action_with_exception(_rpc_request(emulator))
        # aliyunsdkcore renames SignatureDoesNotMatch when the strings to sign agree.
        assert caught.value.get_error_code() == "InvalidAccessKeySecret"
        assert caught.value.get_http_status() == 400

    def test_rpc_sdk_unknown_key(self, emulator: Emulator) -> None:
        """An unknown key answers ``InvalidAccessKeyId.NotFound`` to the older SDK too."""
        client = AcsClient("LTAI5tNobody", DEFAULT_ACCESS_KEY_SECRET, "cn-hangzhou")
        with pytest.raises(ServerException) as caught:
            client.do_action_with_exception(_rpc_request(emulator))
        assert caught.value.get_error_code() == "InvalidAccessKeyId.NotFound"
        assert caught.value.get_http_status() == 404

    def test_rpc_get_request(self, emulator: Emulator) -> None:
        """An RPC-signed ``GET`` with every parameter in the query works."""
        params = {
            "Action": "DescribeBackupClients",
            "Version": "2017-09-08",
            "Format": "JSON",
            "AccessKeyId": DEFAULT_ACCESS_KEY_ID,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": "rpc-get-nonce",
            "Timestamp": dt.datetime.now(dt.UTC).strftime(TIME_FORMAT),
            "ClientType": "CONTAINER_CLIENT",
            "PageSize": "3",
        }
        params["Signature"] = rpc_signature(
            secret=DEFAULT_ACCESS_KEY_SECRET,
            string_to_sign=rpc_string_to_sign(method="GET", params=params.items()),
            algorithm="HMAC-SHA1",
        )
        host, port = emulator.endpoint.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/?" + urlencode(params))
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
        assert response.status == 200
        assert len(body["Clients"]) == 3
