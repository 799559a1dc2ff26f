"""STS ``AssumeRole`` (2015-04-01), proven with the official ``alibabacloud_sts20150401`` SDK.

The SDK is pointed at the emulator's address (a plain address routes version 2015-04-01
to STS); raw requests send the real host names, ``sts.aliyuncs.com`` and
``sts.<region>.aliyuncs.com``.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_tea_openapi.exceptions import ClientException

from hbr_emulator import Emulator, Member, Organisation

from .conftest import ORGANISATION
from .helpers import assume_role, describe, raw_call, sdk_client, session_config, sts_client

Factory = Callable[..., Emulator]
ACCESS_KEY_ID = re.compile(r"^STS\.[A-Za-z0-9]{25}$")
EXPIRATION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MEMBER = ORGANISATION.members[0]
ROLELESS = ORGANISATION.members[1]
REMOVED = ORGANISATION.members[4]


def _error(call: Callable[[], object]) -> tuple[str, int]:
    with pytest.raises(ClientException) as caught:
        call()
    return caught.value.code, caught.value.status_code


def _sts_via_host(
    emu: Emulator, host: str, *, sign: dict[str, Any] | None = None, **query: str
) -> tuple[int, dict[str, Any]]:
    status, _, body = raw_call(
        emu.endpoint,
        host=host,
        action="AssumeRole",
        version="2015-04-01",
        query=query,
        **(sign or {}),
    )
    return status, body


class TestAssumeRole:
    """A member's role is assumed; the answer reads as the SDK's ``AssumeRoleResponseBody``."""

    def test_assume_role_answers_credentials(self, organisation_emulator: Emulator) -> None:
        """The SDK gets STS. credentials, a token, an ISO 8601 expiry and the assumed role."""
        before = time.time()
        body = assume_role(sts_client(organisation_emulator.endpoint), str(MEMBER.role_arn))
        credentials = body.credentials
        assert ACCESS_KEY_ID.match(credentials.access_key_id)
        assert len(credentials.access_key_secret) >= 30
        assert credentials.security_token.startswith("CAIS")
        assert EXPIRATION.match(credentials.expiration)
        expires = calendar.timegm(time.strptime(credentials.expiration, "%Y-%m-%dT%H:%M:%SZ"))
        assert before + 3600 - 2 <= expires <= time.time() + 3600
        assert body.assumed_role_user.arn == f"{MEMBER.role_arn}/audit"
        assert body.assumed_role_user.assumed_role_id.endswith(":audit")
        assert re.match(r"^[0-9A-F-]{36}$", body.request_id)

    def test_duration_seconds_sets_the_expiry(self, organisation_emulator: Emulator) -> None:
        """``DurationSeconds=900`` expires the credentials 15 minutes from now."""
        body = assume_role(
            sts_client(organisation_emulator.endpoint), str(MEMBER.role_arn), duration_seconds=900
        )
        expires = calendar.timegm(time.strptime(body.credentials.expiration, "%Y-%m-%dT%H:%M:%SZ"))
        assert abs(expires - (time.time() + 900)) <= 2

    def test_role_name_compares_without_case(self, organisation_emulator: Emulator) -> None:
        """``role/ResourceDirectoryAccountAccessRole`` names the same role as its lowercase."""
        arn = f"acs:ram::{MEMBER.account_id}:role/ResourceDirectoryAccountAccessRole"
        body = assume_role(sts_client(organisation_emulator.endpoint), arn)
        assert body.credentials.access_key_id.startswith("STS.")

    def test_rpc_signature_v2(self, organisation_emulator: Emulator) -> None:
        """The SDK's classic RPC HMAC-SHA1 signature (``signature_algorithm="v2"``) works too."""
        client = sts_client(organisation_emulator.endpoint, signature_algorithm="v2")
        body = assume_role(client, str(MEMBER.role_arn), policy='{"Version": "1"}')
        assert body.credentials.access_key_id.startswith("STS.")

    @pytest.mark.parametrize("host", ["sts.aliyuncs.com", "sts.cn-shanghai.aliyuncs.com"])
    def test_real_host_names(self, organisation_emulator: Emulator, host: str) -> None:
        """``Host: sts.aliyuncs.com`` (and a regional STS host) reaches STS, signed for it."""
        status, body = _sts_via_host(
            organisation_emulator, host, RoleArn=str(MEMBER.role_arn), RoleSessionName="raw"
        )
        assert status == 200
        assert body["Credentials"]["AccessKeyId"].startswith("STS.")
        log = organisation_emulator.backend.request_log()[-1]
        assert (log["product"], log["account"]) == ("sts", ORGANISATION.management_account_id)


class TestErrors:
    """Bad parameters, missing roles and callers that may not assume roles get named errors."""

    @pytest.mark.parametrize(
        ("kwargs", "code"),
        [
            ({"role_arn": "acs:ram::123:user/x"}, "InvalidParameter.RoleArn"),
            ({"role_arn": "arn:aws:iam::123456789012:role/x"}, "InvalidParameter.RoleArn"),
            ({"role_session_name": "a"}, "InvalidParameter.RoleSessionName"),
            ({"role_session_name": "x" * 65}, "InvalidParameter.RoleSessionName"),
            ({"role_session_name": "has space"}, "InvalidParameter.RoleSessionName"),
            ({"duration_seconds": 899}, "InvalidParameter.DurationSeconds"),
            ({"duration_seconds": 3601}, "InvalidParameter.DurationSeconds"),
            ({"policy": "not json"}, "InvalidParameter.PolicyGrammar"),
            ({"policy": '{"a": "' + "x" * 2050 + '"}'}, "InvalidParameter.PolicyGrammar"),
        ],
    )
    def test_bad_parameters(
        self, organisation_emulator: Emulator, kwargs: dict[str, Any], code: str
    ) -> None:
        """Each bad parameter answers 400 with its ``InvalidParameter.<Name>`` code."""
        fields = {"role_arn": str(MEMBER.role_arn), "role_session_name": "audit", **kwargs}
        client = sts_client(organisation_emulator.endpoint)
        request = sts_models.AssumeRoleRequest(**fields)
        assert _error(lambda: client.assume_role(request)) == (code, 400)

    def test_missing_parameters(self, organisation_emulator: Emulator) -> None:
        """Without ``RoleArn`` or ``RoleSessionName``: 400 ``MissingRoleArn``, ``Missing...``."""
        emu = organisation_emulator
        status, body = _sts_via_host(emu, "sts.aliyuncs.com", RoleSessionName="x1")
        assert (status, body["Code"]) == (400, "MissingRoleArn")
        status, body = _sts_via_host(emu, "sts.aliyuncs.com", RoleArn=str(MEMBER.role_arn))
        assert (status, body["Code"], body["HostId"]) == (
            400,
            "MissingRoleSessionName",
            "sts.aliyuncs.com",
        )

    @pytest.mark.parametrize(
        "arn",
        [
            f"acs:ram::{ROLELESS.account_id}:role/resourcedirectoryaccountaccessrole",
            f"acs:ram::{MEMBER.account_id}:role/someotherrole",
            "acs:ram::1999999999999999:role/resourcedirectoryaccountaccessrole",
            f"acs:ram::{ORGANISATION.management_account_id}:role/resourcedirectoryaccountaccessrole",
            f"acs:ram::{REMOVED.account_id}:role/resourcedirectoryaccountaccessrole",
        ],
        ids=["member-without-role", "other-role", "not-in-directory", "management", "removed"],
    )
    def test_role_that_does_not_exist(self, organisation_emulator: Emulator, arn: str) -> None:
        """A role no member of the directory has answers 404 ``EntityNotExist.Role``."""
        client = sts_client(organisation_emulator.endpoint)
        assert _error(lambda: assume_role(client, arn)) == ("EntityNotExist.Role", 404)

    def test_member_credentials_may_not_assume_roles(self, organisation_emulator: Emulator) -> None:
        """A member's STS credentials calling ``AssumeRole`` answer 403 ``NoPermission``."""
        emu = organisation_emulator
        config = session_config(assume_role(sts_client(emu.endpoint), str(MEMBER.role_arn)))
        member_sts = sts_client(emu.endpoint, **config)
        assert _error(lambda: assume_role(member_sts, str(MEMBER.role_arn))) == (
            "NoPermission",
            403,
        )

    def test_assume_role_callers_restrict_the_management_key(
        self, emulator_factory: Factory
    ) -> None:
        """``assume_role_callers=()``: even the management account's key gets ``NoPermission``."""
        organisation = attrs.evolve(ORGANISATION, assume_role_callers=())
        emu = emulator_factory(organisation=organisation)
        client = sts_client(emu.endpoint)
        assert _error(lambda: assume_role(client, str(MEMBER.role_arn))) == ("NoPermission", 403)

    def test_configured_role_name(self, emulator_factory: Factory) -> None:
        """A member whose access role has another name is assumed by that name only."""
        member = Member(account_id="1234567812345678", display_name="ops", role_name="AuditRole")
        emu = emulator_factory(organisation=Organisation(members=(member,)))
        client = sts_client(emu.endpoint)
        assert assume_role(client, "acs:ram::1234567812345678:role/auditrole").credentials
        assert _error(lambda: assume_role(client, str(MEMBER.role_arn))) == (
            "EntityNotExist.Role",
            404,
        )

    def test_get_caller_identity_names_the_account_the_key_acts_in(
        self, organisation_emulator: Emulator
    ) -> None:
        """The management key is its account's root; a role session acts in the member."""
        client = sts_client(organisation_emulator.endpoint)
        own = client.get_caller_identity().body
        management = ORGANISATION.management_account_id
        assert (own.account_id, own.identity_type, own.arn) == (
            management,
            "Account",
            f"acs:ram::{management}:root",
        )
        session = assume_role(client, str(MEMBER.role_arn))
        member = sts_client(organisation_emulator.endpoint, **session_config(session))
        seen = member.get_caller_identity().body
        assert (seen.account_id, seen.identity_type) == (MEMBER.account_id, "AssumedRoleUser")
        assert seen.arn == session.assumed_role_user.arn
        assert seen.principal_id == session.assumed_role_user.assumed_role_id

    def test_unknown_sts_action_at_a_plain_address(self, organisation_emulator: Emulator) -> None:
        """Version 2015-04-01 at the plain address is STS: an unknown action is its 404."""
        status, _, body = raw_call(
            organisation_emulator.endpoint, action="AssumeRoleWithSAML", version="2015-04-01"
        )
        assert (status, body["Code"], body["HostId"]) == (
            404,
            "InvalidAction.NotFound",
            "sts.aliyuncs.com",
        )

    def test_sts_is_only_served_to_an_organisation(self, estate_emulator: Emulator) -> None:
        """Without an organisation ``sts.aliyuncs.com`` is still an unknown product: 404."""
        status, body = _sts_via_host(
            estate_emulator, "sts.aliyuncs.com", RoleArn=str(MEMBER.role_arn), RoleSessionName="x1"
        )
        assert (status, body["Code"]) == (404, "InvalidAction.NotFound")


class TestExpiry:
    """Credentials expire when the organisation's ``token_lifetime_s`` says; a refresh works."""

    def test_expired_token_answers_expired_and_refresh_works(
        self, emulator_factory: Factory
    ) -> None:
        """Past the shortened lifetime: ``InvalidSecurityToken.Expired``; new credentials work."""
        emu = emulator_factory(organisation=attrs.evolve(ORGANISATION, token_lifetime_s=0.3))
        sts = sts_client(emu.endpoint)
        body = assume_role(sts, str(MEMBER.role_arn))
        expires = calendar.timegm(time.strptime(body.credentials.expiration, "%Y-%m-%dT%H:%M:%SZ"))
        assert expires <= time.time() + 1
        hbr = sdk_client(emu.endpoint, **session_config(body))
        assert describe(hbr).total_count >= 0
        time.sleep(0.35)
        assert _error(lambda: describe(hbr)) == ("InvalidSecurityToken.Expired", 400)
        refreshed = sdk_client(
            emu.endpoint, **session_config(assume_role(sts, str(MEMBER.role_arn)))
        )
        assert describe(refreshed).total_count >= 0

    def test_expire_credentials_now(self, organisation_emulator: Emulator) -> None:
        """``directory.expire_credentials()`` expires what was issued, without waiting."""
        emu = organisation_emulator
        hbr = sdk_client(
            emu.endpoint,
            **session_config(assume_role(sts_client(emu.endpoint), str(MEMBER.role_arn))),
        )
        assert emu.directory is not None
        assert emu.directory.expire_credentials(MEMBER.account_id) == 1
        assert _error(lambda: describe(hbr)) == ("InvalidSecurityToken.Expired", 400)

    @pytest.mark.parametrize("token", [None, "CAISwrong"])
    def test_wrong_or_missing_token(
        self, organisation_emulator: Emulator, token: str | None
    ) -> None:
        """An STS key with no token, or another token, answers ``InvalidSecurityToken.Mismatch``."""
        emu = organisation_emulator
        config = session_config(assume_role(sts_client(emu.endpoint), str(MEMBER.role_arn)))
        config["security_token"] = token
        hbr = sdk_client(emu.endpoint, **config)
        assert _error(lambda: describe(hbr)) == ("InvalidSecurityToken.Mismatch", 400)

    def test_unknown_sts_key(self, organisation_emulator: Emulator) -> None:
        """An ``STS.`` key the emulator did not issue is 404 ``InvalidAccessKeyId.NotFound``."""
        hbr = sdk_client(
            organisation_emulator.endpoint,
            access_key_id="STS.NotIssuedByTheEmulator0",
            security_token="CAISx",
        )
        assert _error(lambda: describe(hbr)) == ("InvalidAccessKeyId.NotFound", 404)
