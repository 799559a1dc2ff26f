"""Bounds against a hostile server: an absurd TotalCount, a dripping body, bad numbers, regexes.

The fake HBR endpoint of :mod:`tests.hostile.servers` (plain HTTP on 127.0.0.1, one mode
per test) answers the way a broken or hostile service would and counts what it received,
so each case asserts the exit code, the message and the number of requests sent. The CLI
runs in this process here (``main``), so the hypothesis cases stay fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hbr_clients_provider.api.limits import ListingLimits
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.api.query import ClientQuery, validate_inputs
from hbr_clients_provider.cli import main
from hbr_clients_provider.errors import DeadlineExceeded, TooManyClientsError
from hbr_emulator import Emulator
from tests.hostile.servers import FakeHbr
from tests.provider._support import connect, point_env_at


@pytest.fixture
def fake_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], FakeHbr]]:
    """Start a fake endpoint in a mode and point the CLI's environment at it."""
    started: list[FakeHbr] = []

    def start(mode: str) -> FakeHbr:
        fake = FakeHbr(mode=mode).start()
        started.append(fake)
        point_env_at(monkeypatch, fake.endpoint)
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def refusing_env(fake_env: Callable[[str], FakeHbr]) -> FakeHbr:
    """One fake endpoint for a whole test (hypothesis runs many examples against it)."""
    return fake_env("huge-total")


class TestTotalCountBound:
    """A TotalCount above max_clients is refused after one request."""

    def test_cli_huge_total_refused_before_page_2(
        self, fake_env: Callable[[str], FakeHbr], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """TotalCount 100,000,000 exits 3 naming the count and the bound, after 1 request."""
        fake = fake_env("huge-total")
        started = time.monotonic()
        code = main(["list", "--client-type", "ECS_CLIENT", "--format", "json"])
        elapsed = time.monotonic() - started
        err = capsys.readouterr().err
        assert code == 3
        assert "TotalCount 100000000, more than max_clients 1000000" in err
        assert "--max-clients" in err
        assert len(fake.requests) == 1
        assert elapsed < 5

    def test_cli_max_clients_flag_lowers_the_bound(
        self, fake_env: Callable[[str], FakeHbr], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--max-clients 50 sets the bound the refusal names, after 1 request."""
        fake = fake_env("huge-total")
        assert main(["list", "--client-type", "ECS_CLIENT", "--max-clients", "50"]) == 3
        assert "more than max_clients 50" in capsys.readouterr().err
        assert len(fake.requests) == 1

    def test_list_clients_raises_too_many_clients(self, fake_hbr: Callable[..., FakeHbr]) -> None:
        """The engine raises TooManyClientsError carrying the count and the bound."""
        fake = fake_hbr(mode="huge-total")
        with pytest.raises(TooManyClientsError) as info:
            list_clients(ClientQuery(client_type="ECS_CLIENT"), connection=connect(fake))
        assert (info.value.total_count, info.value.max_clients) == (100_000_000, 1_000_000)
        assert len(fake.requests) == 1


class TestDeadline:
    """The overall deadline cuts a listing, a dripping body included."""

    def test_cli_dripping_body_cut_by_deadline(
        self, fake_env: Callable[[str], FakeHbr], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A body dripped at 2 bytes/s ends at --deadline 1.5, exit 3, the deadline named."""
        fake = fake_env("drip")
        started = time.monotonic()
        code = main(["list", "--client-type", "ECS_CLIENT", "--deadline", "1.5"])
        elapsed = time.monotonic() - started
        err = capsys.readouterr().err
        assert code == 3
        assert "deadline of 1.5 s" in err
        assert "--deadline" in err
        assert "Traceback" not in err
        assert len(fake.requests) == 1
        assert 1.4 < elapsed < 4.0

    def test_list_clients_deadline_names_the_budget(self, fake_hbr: Callable[..., FakeHbr]) -> None:
        """In the engine, a dripping answer ends in DeadlineExceeded naming the budget."""
        fake = fake_hbr(mode="drip")
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            list_clients(
                ClientQuery(client_type="ECS_CLIENT"),
                connection=connect(fake),
                limits=ListingLimits(deadline_s=1.0),
            )
        assert time.monotonic() - started < 2.5
        assert info.value.deadline_s == 1.0
        assert info.value.endpoint == fake.endpoint


#: Values of the numeric flags that are out of range or not numbers at all.
_OUT_OF_RANGE = {
    "--read-timeout": ["inf", "nan", "1e12", "0", "-1", "ten"],
    "--connect-timeout": ["inf", "0", "3601"],
    "--concurrency": ["0", "65", "-3", "1.5"],
    "--max-attempts": ["0", "101"],
    "--max-clients": ["0", "2147483648"],
    "--deadline": ["0", "nan", "86401", "inf"],
    "--page-number": ["0", "2147483648"],
    "--heartbeat-older-than": ["100000000w", "0s", "5x"],
    "--cross-account-user-id": ["١٢٣", "-5", "9223372036854775808"],
}


class TestOutOfRangeInputs:
    """Out-of-range numbers exit 2, naming the flag, the value and the rule; nothing is sent."""

    @pytest.mark.parametrize(
        ("flag", "value"), [(f, v) for f, values in _OUT_OF_RANGE.items() for v in values]
    )
    def test_cli_out_of_range_refused(
        self,
        flag: str,
        value: str,
        fake_env: Callable[[str], FakeHbr],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The flag and the value given are named, exit 2, no request, no traceback."""
        fake = fake_env("huge-total")
        argv = ["list", "--client-type", "ECS_CLIENT", flag, value]
        if flag == "--cross-account-user-id":
            argv += ["--cross-account-role-name", "hbrcrossrole"]
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2
        assert f"{flag}: " in err
        assert f"(got {value!r})" in err
        assert "Traceback" not in err
        assert len(fake.requests) == 0

    @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        flag=st.sampled_from(["--read-timeout", "--connect-timeout", "--deadline"]),
        number=st.one_of(
            st.floats(max_value=0.009),
            st.floats(min_value=86_401, allow_infinity=True),
            st.just(float("nan")),
        ),
    )
    def test_cli_generated_out_of_range_seconds_refused(
        self,
        flag: str,
        number: float,
        refusing_env: FakeHbr,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Any generated out-of-range or non-finite number of seconds exits 2, nothing sent."""
        code = main(["list", "--client-type", "ECS_CLIENT", f"{flag}={number!r}"])
        assert code == 2
        assert f"{flag}: must be a finite number of seconds" in capsys.readouterr().err
        assert len(refusing_env.requests) == 0

    @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        flag=st.sampled_from(["--concurrency", "--max-attempts", "--max-clients", "--page-number"]),
        number=st.one_of(st.integers(max_value=0), st.integers(min_value=2**31)),
    )
    def test_cli_generated_out_of_range_integers_refused(
        self,
        flag: str,
        number: int,
        refusing_env: FakeHbr,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Any generated out-of-range integer exits 2 and sends nothing."""
        assert main(["list", "--client-type", "ECS_CLIENT", f"{flag}={number}"]) == 2
        assert f"{flag}: must be between" in capsys.readouterr().err
        assert len(refusing_env.requests) == 0

    @settings(max_examples=40)
    @given(weeks=st.integers(min_value=522, max_value=10**12))
    def test_generated_durations_past_the_maximum_are_violations(self, weeks: int) -> None:
        """heartbeat_older_than beyond 3650 days is a violation naming it, never an error."""
        found = validate_inputs({"client_type": "ECS_CLIENT", "heartbeat_older_than": f"{weeks}w"})
        assert [v.field for v in found] == ["heartbeat_older_than"]
        assert found[0].value == f"{weeks}w"


class TestNameRegex:
    """name_regex cannot hang a listing."""

    def test_catastrophic_pattern_matches_in_linear_time(self, emulator: Emulator) -> None:
        """``(a+)+$`` over 34 a's and '!' filters a listing in well under a second."""
        first = emulator.backend.clients()[0]["ClientId"]
        emulator.backend.update_client(first, {"Hostname": "a" * 34 + "!", "InstanceName": ""})
        started = time.monotonic()
        listing = list_clients(
            {"client_type": "ECS_CLIENT", "name_regex": "(a+)+$"},
            connection=connect(emulator),
        )
        assert time.monotonic() - started < 5
        assert first not in listing.client_ids

    def test_backreference_refused_before_sending(
        self, fake_env: Callable[[str], FakeHbr], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A backreference RE2 cannot run exits 2 naming --name-regex; nothing is sent."""
        fake = fake_env("huge-total")
        code = main(["list", "--client-type", "ECS_CLIENT", "--name-regex", r"(a)\1"])
        err = capsys.readouterr().err
        assert code == 2
        assert "--name-regex: must be an RE2 regular expression" in err
        assert len(fake.requests) == 0
