"""``DescribeBackupClients`` over HTTP, called with the official SDK."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alibabacloud_hbr20170908 import models as hbr_models
from alibabacloud_hbr20170908.client import Client
from alibabacloud_tea_openapi.exceptions import ClientException

from hbr_emulator import (
    DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_CROSS_ACCOUNT_ROLE_NAME,
    DEFAULT_CROSS_ACCOUNT_USER_ID,
    Emulator,
)
from hbr_emulator.defaults import cross_account_key

from .helpers import describe, list_all, raw_call, sdk_client

Tag = hbr_models.DescribeBackupClientsRequestTag
Filter = hbr_models.DescribeBackupClientsRequestFilters


def _error_of(client: Client, **kwargs: object) -> ClientException:
    with pytest.raises(ClientException) as caught:
        describe(client, **kwargs)
    return caught.value


class TestListing:
    """Successful listing."""

    def test_describe_backup_clients_envelope(self, sdk: Client, emulator: Emulator) -> None:
        """The envelope has the documented fields; defaults are page 1 of 10."""
        body = describe(sdk)
        ecs = [c for c in emulator.backend.clients() if c["ClientType"] == "ECS_CLIENT"]
        assert body.success is True
        assert body.code == "200"
        assert body.message == "successful"
        assert (body.page_number, body.page_size) == (1, 10)
        assert body.total_count == len(ecs)
        assert len(body.clients) == 10
        assert body.request_id

    def test_describe_backup_clients_fields_parse(self, sdk: Client, emulator: Emulator) -> None:
        """Every field the SDK models reads comes back with its wire type."""
        body = describe(sdk, page_size=99)
        wire = {c["ClientId"]: c for c in emulator.backend.clients()}
        for client in body.clients:
            assert client.to_map() == wire[client.client_id]
            assert isinstance(client.settings.use_https, str)
            assert isinstance(client.settings.max_cpu_core, str)
            assert isinstance(client.created_time, int)

    def test_describe_backup_clients_every_page(self, sdk: Client, emulator: Emulator) -> None:
        """Listing every page yields each client once, in the backend's order."""
        clients = list_all(sdk, client_type="ECS_CLIENT")
        expected = [
            c["ClientId"] for c in emulator.backend.clients() if c["ClientType"] == "ECS_CLIENT"
        ]
        assert [c.client_id for c in clients] == expected

    def test_describe_backup_clients_container_type(self, sdk: Client) -> None:
        """Container clients come without the ECS-only fields."""
        body = describe(sdk, client_type="CONTAINER_CLIENT", page_size=99)
        assert body.clients
        assert all(c.client_type == "CONTAINER_CLIENT" for c in body.clients)
        assert all(c.zone_id is None and c.os_type is None for c in body.clients)

    def test_describe_backup_clients_local_type_is_empty(self, sdk: Client) -> None:
        """``LOCAL_CLIENT`` is accepted; the seeded fleet has none."""
        body = describe(sdk, client_type="LOCAL_CLIENT")
        assert body.total_count == 0
        assert body.clients == []


class TestFilters:
    """Each filter."""

    def test_describe_backup_clients_by_client_ids(self, sdk: Client, emulator: Emulator) -> None:
        """``ClientIds`` keeps only the named clients."""
        wanted = [c["ClientId"] for c in emulator.backend.clients()[5:8]]
        body = describe(sdk, client_ids=[*wanted, "c-doesnotexist"], page_size=99)
        assert sorted(c.client_id for c in body.clients) == sorted(wanted)
        assert body.total_count == 3

    def test_describe_backup_clients_by_instance_ids(self, sdk: Client, emulator: Emulator) -> None:
        """``InstanceIds`` keeps only clients on the named instances."""
        wanted = [c["InstanceId"] for c in emulator.backend.clients()[:2]]
        body = describe(sdk, instance_ids=wanted)
        assert sorted(c.instance_id for c in body.clients) == sorted(wanted)

    def test_describe_backup_clients_by_tags(self, sdk: Client, emulator: Emulator) -> None:
        """``Tag`` entries must all match."""
        tags = [Tag(key="env", value="prod"), Tag(key="team", value="payments")]
        body = describe(sdk, tag=tags, page_size=99)
        expected = {
            c["ClientId"]
            for c in emulator.backend.clients()
            if c["ClientType"] == "ECS_CLIENT"
            and {"env": "prod", "team": "payments"}.items()
            <= {t["Key"]: t["Value"] for t in c["Tags"]}.items()
        }
        assert expected
        assert {c.client_id for c in body.clients} == expected

    def test_describe_backup_clients_by_cluster(self, sdk: Client, emulator: Emulator) -> None:
        """``ClusterId`` keeps the container clients of one cluster."""
        containers = [
            c
            for c in emulator.backend.clients(internal=True)
            if c["ClientType"] == "CONTAINER_CLIENT"
        ]
        cluster = containers[0]["ClusterId"]
        expected = {c["ClientId"] for c in containers if c["ClusterId"] == cluster}
        body = describe(sdk, client_type="CONTAINER_CLIENT", cluster_id=cluster, page_size=99)
        assert {c.client_id for c in body.clients} == expected

    def test_describe_backup_clients_by_filters(self, sdk: Client, emulator: Emulator) -> None:
        """``Filters`` on ``status`` and ``zoneId`` match any listed value; unknown keys pass."""
        filters = [
            Filter(key="status", values=["ACTIVATED", "STOPPED"]),
            Filter(key="zoneId", values=["cn-hangzhou-h"]),
            Filter(key="noSuchKey", values=["whatever"]),
        ]
        body = describe(sdk, filters=filters, page_size=99)
        expected = {
            c["ClientId"]
            for c in emulator.backend.clients()
            if c.get("ZoneId") == "cn-hangzhou-h" and c["Status"] in {"ACTIVATED", "STOPPED"}
        }
        assert expected
        assert {c.client_id for c in body.clients} == expected

    def test_describe_backup_clients_cross_account(self, sdk: Client, emulator: Emulator) -> None:
        """``CROSS_ACCOUNT`` lists the authorising account's fleet."""
        body = describe(
            sdk,
            cross_account_type="CROSS_ACCOUNT",
            cross_account_user_id=DEFAULT_CROSS_ACCOUNT_USER_ID,
            cross_account_role_name=DEFAULT_CROSS_ACCOUNT_ROLE_NAME,
            page_size=99,
        )
        account = cross_account_key(DEFAULT_CROSS_ACCOUNT_USER_ID, DEFAULT_CROSS_ACCOUNT_ROLE_NAME)
        expected = [
            c["ClientId"]
            for c in emulator.backend.clients(account)
            if c["ClientType"] == "ECS_CLIENT"
        ]
        assert [c.client_id for c in body.clients] == expected


class TestErrors:
    """Refusals, with the service's codes and statuses."""

    def test_describe_backup_clients_missing_client_type(self, sdk: Client) -> None:
        """No ``ClientType`` answers ``MissingClientType`` (400)."""
        error = _error_of(sdk, client_type=None)
        assert (error.code, error.status_code) == ("MissingClientType", 400)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"client_type": "VM_CLIENT"},
            {"page_size": 0},
            {"page_size": 100},
            {"page_number": 0},
            {"cross_account_type": "OTHER"},
            {"tag": [Tag(key="aliyun:owner", value="x")]},
            {"tag": [Tag(key="env", value="https://example.com")]},
        ],
    )
    def test_describe_backup_clients_invalid_parameter(
        self, sdk: Client, kwargs: dict[str, object]
    ) -> None:
        """A value outside the rules answers ``InvalidParameter`` (400)."""
        error = _error_of(sdk, **kwargs)
        assert (error.code, error.status_code) == ("InvalidParameter", 400)

    def test_describe_backup_clients_malformed_client_ids(self, emulator: Emulator) -> None:
        """``ClientIds`` that is not a JSON array of strings answers ``InvalidParameter``."""
        status, _, body = raw_call(
            emulator.endpoint,
            query={"ClientType": "ECS_CLIENT"},
            form={"ClientIds": "c-1,c-2"},
        )
        assert (status, body["Code"]) == (400, "InvalidParameter")
        assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}

    def test_describe_backup_clients_cross_account_missing_role(self, sdk: Client) -> None:
        """``CROSS_ACCOUNT`` without a role name answers ``MissingParameter``."""
        error = _error_of(
            sdk, cross_account_type="CROSS_ACCOUNT", cross_account_user_id=1234567890123456
        )
        assert (error.code, error.status_code) == ("MissingParameter", 400)

    def test_describe_backup_clients_unknown_cross_account(self, sdk: Client) -> None:
        """A cross account with no fleet answers ``NoPermission`` (403)."""
        error = _error_of(
            sdk,
            cross_account_type="CROSS_ACCOUNT",
            cross_account_user_id=42,
            cross_account_role_name="nobody",
        )
        assert (error.code, error.status_code) == ("NoPermission", 403)

    def test_describe_backup_clients_wrong_secret(self, emulator: Emulator) -> None:
        """A wrong secret answers ``SignatureDoesNotMatch`` (400)."""
        client = sdk_client(emulator.endpoint, access_key_secret="not-the-secret")
        error = _error_of(client)
        assert (error.code, error.status_code) == ("SignatureDoesNotMatch", 400)

    def test_describe_backup_clients_unknown_key(self, emulator: Emulator) -> None:
        """An unknown AccessKey ID answers ``InvalidAccessKeyId.NotFound`` (404)."""
        client = sdk_client(emulator.endpoint, access_key_id="LTAI5tSomeoneElse")
        error = _error_of(client)
        assert (error.code, error.status_code) == ("InvalidAccessKeyId.NotFound", 404)

    def test_describe_backup_clients_security_token(
        self, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """With a token configured, a missing or wrong token is refused and the right one works."""
        emu = emulator_factory(fleet=5, seed=1, security_token="sts-token")
        for token in (None, "other-token"):
            error = _error_of(sdk_client(emu.endpoint, security_token=token))
            assert (error.code, error.status_code) == ("InvalidSecurityToken.Mismatch", 400)
        body = describe(sdk_client(emu.endpoint, security_token="sts-token"))
        assert body.success

    def test_describe_backup_clients_custom_credentials(
        self, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """An emulator started with other credentials accepts only those."""
        emu = emulator_factory(fleet=5, seed=1, access_key_id="AK", access_key_secret="SK")
        assert describe(sdk_client(emu.endpoint, access_key_id="AK", access_key_secret="SK"))
        error = _error_of(sdk_client(emu.endpoint, access_key_secret=DEFAULT_ACCESS_KEY_SECRET))
        assert error.code == "InvalidAccessKeyId.NotFound"

    def test_unknown_action(self, emulator: Emulator) -> None:
        """An action the emulator lacks answers ``InvalidAction.NotFound`` (404)."""
        status, _, body = raw_call(emulator.endpoint, action="DescribeVaults")
        assert (status, body["Code"]) == (404, "InvalidAction.NotFound")

    def test_unknown_version(self, emulator: Emulator) -> None:
        """Another API version answers ``InvalidVersion`` (400)."""
        status, _, body = raw_call(emulator.endpoint, version="2020-01-01")
        assert (status, body["Code"]) == (400, "InvalidVersion")
