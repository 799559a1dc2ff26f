"""The estate audit across the accounts of an emulated Resource Directory.

The emulator is an organisation: the caller's (management) account with its own estate, and
member accounts, each with its own fleets and access role (one without it). Members are
reached with STS ``AssumeRole`` through the real signature checks; each member's listings
are signed with its temporary credentials and see that member's estate alone.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import attrs
import pytest

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.audit.accounts import RoleSessions
from hbr_clients_provider.audit.coverage import Target
from hbr_clients_provider.audit.estate import audit_estate, list_target
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Organisation
from hbr_emulator.estate import Estate
from tests.cli_run import Run, run_in_process

REGIONS = ("cn-hangzhou", "cn-shanghai")


def _organisation(**overrides: object) -> Organisation:
    settings: dict[str, object] = {
        "members": 3,
        "seed": 2,
        "member_regions": REGIONS,
        "without_role": (3,),
        "estate": Estate(regions=REGIONS, instances_per_region=10, seed=1),
        **overrides,
    }
    return Organisation.generate(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def org() -> Iterator[Emulator]:
    """A management account and three members; the third has no access role."""
    with Emulator(organisation=_organisation()) as emu:
        yield emu


def _audit(emu: Emulator, *args: str) -> Run:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HBR_", "ALIBABA_CLOUD_")) and "PROXY" not in k.upper()
    }
    env.update(
        HBR_CONNECT_TO=emu.endpoint,
        HBR_PROTOCOL="http",
        ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET,
    )
    return run_in_process(
        ["audit", "--regions", ",".join(REGIONS), "--require-client", *args], env=env
    )


def _members(emu: Emulator) -> tuple[list[str], str]:
    truth = emu.organisation_truth()
    reachable = [a.account_id for a in truth.members if a.role_assumable]
    without = next(a.account_id for a in truth.members if not a.role_assumable)
    return reachable, without


def _seeded_gaps(emu: Emulator, account_id: str | None) -> set[tuple[str | None, str, str]]:
    estate = (
        emu.estate_truth()
        if account_id is None
        else emu.organisation_truth().account(account_id).estate
    )
    return {(account_id, r, i) for r in REGIONS for i in estate.region(r).uncovered_instance_ids}


def _connection(emu: Emulator) -> ConnectionSettings:
    return ConnectionSettings.resolve(
        region="cn-hangzhou",
        protocol="http",
        connect_to=emu.endpoint,
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        environ={},
    )


class TestEveryAccount:
    """``--accounts all``: the caller and every member, each finding labelled by account."""

    def test_all_accounts_find_each_accounts_gaps_and_fail_on_the_role_less_one(
        self, org: Emulator
    ) -> None:
        """Every reachable account's seeded gaps; the member without the role fails the report
        as one target naming EntityNotExist.Role and its request ID (exit 3)."""
        run = _audit(org, "--accounts", "all", "--format", "json")
        assert run.returncode == 3, run.stderr
        report = json.loads(run.stdout)
        reachable, without = _members(org)
        expected_targets = [(None, r) for r in REGIONS] + [
            (a, r) for a in sorted([*reachable, without]) for r in REGIONS if a != without
        ]
        expected_targets.append((without, "*"))
        got = [(t["account_id"], t["region"]) for t in report["targets"]]
        assert sorted(got, key=lambda t: (t[0] or "", t[1])) == sorted(
            expected_targets, key=lambda t: (t[0] or "", t[1])
        )
        failed = next(t for t in report["targets"] if t["account_id"] == without)
        assert failed["error"]["code"] == "EntityNotExist.Role"
        assert failed["error"]["request_id"]
        assert f"{without}/*: EntityNotExist.Role (request id " in run.stderr
        # The caller's own targets are "the caller's" (null); STS named its account.
        truth = org.organisation_truth()
        assert truth is not None
        assert report["query"]["caller_account_id"] == truth.management_account_id
        found = {
            (f["account_id"], f["region"], f["instance_id"])
            for f in report["findings"]
            if f["rule"] == "no_backup_client"
        }
        expected = _seeded_gaps(org, None)
        for account_id in reachable:
            expected |= _seeded_gaps(org, account_id)
        assert found == expected

    def test_the_role_less_account_accepted_by_name(self, org: Emulator) -> None:
        """--allow-unreachable ACCOUNT makes the report complete; the gaps still fail (exit 1)."""
        _, without = _members(org)
        run = _audit(org, "--accounts", "all", "--allow-unreachable", without, "--format", "json")
        assert run.returncode == 1, run.stderr
        assert json.loads(run.stdout)["complete"] is True

    def test_a_directory_that_lists_its_management_account(self) -> None:
        """ListAccounts naming the caller's own account: audited once, as the caller's, with no
        role to assume into it (the management account has none)."""
        organisation = attrs.evolve(_organisation(), list_management_account=True)
        with Emulator(organisation=organisation) as emu:
            reachable, without = _members(emu)
            run = _audit(
                emu, "--accounts", "all", "--allow-unreachable", without, "--format", "json"
            )
            truth = emu.organisation_truth()
        assert run.returncode == 1, run.stderr  # complete; the seeded gaps fail the gate
        report = json.loads(run.stdout)
        assert truth is not None
        management = truth.management_account_id
        assert report["query"]["caller_account_id"] == management
        accounts = {t["account_id"] for t in report["targets"]}
        assert accounts == {None, *reachable, without}
        assert management not in accounts

    def test_named_member_without_the_caller(self, org: Emulator) -> None:
        """--accounts ID --no-include-caller: that member's regions alone."""
        reachable, _ = _members(org)
        run = _audit(org, "--accounts", reachable[0], "--no-include-caller", "--format", "json")
        report = json.loads(run.stdout)
        assert {t["account_id"] for t in report["targets"]} == {reachable[0]}
        assert report["query"]["caller_account_id"] is None  # not audited, not asked
        found = {
            (f["account_id"], f["region"], f["instance_id"])
            for f in report["findings"]
            if f["rule"] == "no_backup_client"
        }
        assert found == _seeded_gaps(org, reachable[0])

    def test_no_credential_reaches_the_output(self, org: Emulator) -> None:
        """The STS credentials issued for the members appear in no output, JSON or text."""
        runs = [_audit(org, "--accounts", "all", "--format", fmt) for fmt in ("json", "table")]
        issued = [s.credentials for s in org.directory.sessions.sessions()]  # type: ignore[union-attr]
        assert issued
        for run in runs:
            for credentials in issued:
                for secret in (credentials.access_key_secret, credentials.security_token):
                    assert secret
                    assert secret not in run.stdout + run.stderr
            assert DEFAULT_ACCESS_KEY_SECRET not in run.stdout + run.stderr

    @pytest.mark.parametrize(
        ("args", "named"),
        [
            (["--accounts", "12ab"], "--accounts"),
            (["--accounts", "all", "--role-name", "a b"], "--role-name"),
        ],
    )
    def test_bad_accounts_input_exits_2_sending_nothing(
        self, org: Emulator, args: list[str], named: str
    ) -> None:
        """A malformed account ID or role name is named before anything is sent."""
        before = len(org.backend.request_log())
        run = _audit(org, *args)
        assert run.returncode == 2, run.stderr
        assert named in run.stderr
        assert len(org.backend.request_log()) == before


class TestRoleSessions:
    """Sessions are renewed before they expire, and after an expired-token answer."""

    def test_short_lived_tokens_are_renewed_before_each_listing(self) -> None:
        """Tokens shorter than the renewal margin: a session per listing, all complete."""
        with Emulator(organisation=_organisation(token_lifetime_s=30.0)) as emu:
            sessions: list[RoleSessions] = []
            report = audit_estate(
                _connection(emu),
                regions=REGIONS,
                accounts="all",
                require_client=True,
                allow_unreachable=[_members(emu)[1]],
                sessions=sessions,
            )
            reachable, _ = _members(emu)
        assert report.complete
        for account_id in reachable:
            # one AssumeRole to reach the account, then one per region's listing
            assert sessions[0].assumed[account_id] == 1 + len(REGIONS)

    def test_an_expired_token_is_renewed_and_the_target_listed_again(self) -> None:
        """InvalidSecurityToken.Expired in a listing renews the session once and succeeds."""
        with Emulator(organisation=_organisation()) as emu:
            reachable, _ = _members(emu)
            account_id = reachable[0]
            sessions = RoleSessions(_connection(emu), deadline=time.monotonic() + 60)
            sessions.connection_for(account_id)
            assert emu.directory is not None
            assert emu.directory.expire_credentials(account_id) >= 1

            def connect(renew: bool) -> ConnectionSettings:
                return sessions.connection_for(account_id, renew=renew)

            listing = list_target(
                connect,
                Target(account_id=account_id, region="cn-hangzhou"),
                deadline=time.monotonic() + 60,
            )
        assert listing.error is None, listing.error
        assert listing.instances
        assert sessions.assumed[account_id] == 2
