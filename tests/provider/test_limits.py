"""Tests of :mod:`hbr_clients_provider.api.limits` and :mod:`~hbr_clients_provider.api.coerce`
ranges."""

from __future__ import annotations

import math

import pytest

from hbr_clients_provider.adapters.stack_config import connection_options, input_violations
from hbr_clients_provider.api.coerce import BadInputError, closest, int_in, seconds_in, to_int
from hbr_clients_provider.api.limits import (
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_CLIENTS,
    ListingLimits,
    limit_violations,
    resolve_limits,
)
from hbr_clients_provider.api.query import validate_inputs
from hbr_clients_provider.errors import NOT_GIVEN, InvalidQuery, Violation


class TestViolation:
    """A violation is data, rendered one way."""

    def test_render_shows_value_and_suggestion(self) -> None:
        """The message names the field, the rule, the value given and the suggestion."""
        v = Violation(field="client_type", rule="must be one of A, B", value="a", suggestion="A")
        assert str(v) == "client_type: must be one of A, B (got 'a'); did you mean A?"

    def test_render_under_another_name(self) -> None:
        """render(name) names the input as the user wrote it (a flag or a config key)."""
        v = Violation(field="deadline", rule="must be positive", value="-1")
        assert v.render("hbr:deadline") == "hbr:deadline: must be positive (got '-1')"

    def test_missing_value_is_not_shown(self) -> None:
        """A required input that was not given has no value to show."""
        v = Violation(field="client_type", rule="is required")
        assert v.value is NOT_GIVEN
        assert str(v) == "client_type: is required"

    def test_long_values_are_cut(self) -> None:
        """A huge value is cut to 80 characters in the message."""
        text = str(Violation(field="name_regex", rule="is bad", value="x" * 10_000))
        assert len(text) < 120
        assert text.endswith("...)")

    def test_nan_values_compare_equal(self) -> None:
        """Two violations about the same nan are equal (values compare by repr)."""
        a = Violation(field="x", rule="r", value=math.nan)
        assert a == Violation(field="x", rule="r", value=math.nan)


class TestConverters:
    """Numbers have ranges; integers are ASCII digits; suggestions are the nearest value."""

    def test_closest_choice(self) -> None:
        """A near miss or another case suggests the valid choice; nonsense suggests none."""
        choices = ("ECS_CLIENT", "CONTAINER_CLIENT", "LOCAL_CLIENT")
        assert closest("ECS_CLIEN", choices) == "ECS_CLIENT"
        assert closest("local_client", choices) == "LOCAL_CLIENT"
        assert closest("zzz", choices) is None

    def test_int_in_suggests_the_nearest_bound(self) -> None:
        """An integer out of range names the range and suggests the nearest bound."""
        with pytest.raises(BadInputError) as info:
            int_in(1, 64)("concurrency", "0")
        assert info.value.violation == Violation(
            field="concurrency", rule="must be between 1 and 64", value="0", suggestion="1"
        )

    @pytest.mark.parametrize("value", ["inf", "nan", "-inf", float("inf"), float("nan"), "1e12"])
    def test_seconds_must_be_finite_and_in_range(self, value: object) -> None:
        """Infinite, nan and huge numbers of seconds are refused with the value named."""
        with pytest.raises(BadInputError) as info:
            seconds_in(0.01, 3600)("read_timeout", value)
        assert info.value.violation.field == "read_timeout"
        assert repr(info.value.violation.value) == repr(value)

    def test_seconds_in_range_pass(self) -> None:
        """A number of seconds in range comes back as a float."""
        assert seconds_in(0.01, 3600)("read_timeout", "2.5") == 2.5

    @pytest.mark.parametrize("value", ["\u0661\u0662\u0663", "\uff11\uff12", "12a", 12.5, True])
    def test_to_int_refuses_non_ascii_digits(self, value: object) -> None:
        """Only ASCII digits (or an integral number) are integers."""
        with pytest.raises(BadInputError):
            to_int("cross_account_user_id", value)

    def test_to_int_refuses_floats_that_lost_digits(self) -> None:
        """A float above 2**53 (a 16+ digit UID through JSON) is refused, not rounded."""
        with pytest.raises(BadInputError) as info:
            to_int("cross_account_user_id", float(2**53 + 1))
        assert "as a string" in info.value.violation.rule
        assert to_int("cross_account_user_id", "9007199254740993") == 9_007_199_254_740_993


class TestLimits:
    """max_clients and deadline: inputs over stack config over defaults."""

    def test_defaults(self) -> None:
        """Without settings, 1,000,000 clients and 300 s."""
        assert ListingLimits() == ListingLimits.from_inputs({})
        assert (ListingLimits().max_clients, ListingLimits().deadline_s) == (
            DEFAULT_MAX_CLIENTS,
            DEFAULT_DEADLINE_S,
        )

    def test_input_wins_over_stack_config(self) -> None:
        """A resource input wins over hbr:maxClients; stack config wins over the default."""
        options = {"max_clients": "500", "deadline": "60"}
        limits = resolve_limits(options, {"max_clients": 20})
        assert limits == ListingLimits(max_clients=20, deadline_s=60.0)

    def test_bad_stack_config_named_by_its_key(self) -> None:
        """A bad hbr:deadline is reported under the config key, with the value given."""
        with pytest.raises(InvalidQuery) as info:
            resolve_limits({"deadline": "5 min"})
        (violation,) = info.value.violations
        assert violation.field == "hbr:deadline"
        assert violation.value == "5 min"
        assert "hbr:deadline: must be a finite number of seconds" in str(info.value)

    def test_connection_options_read_the_limit_keys(self) -> None:
        """hbr:maxClients and hbr:deadline are read with the connection keys."""
        config = {"hbr:maxClients": "7", "hbr:deadline": "30", "hbr:endpoint": "h:1"}
        options = connection_options(config.get)
        assert resolve_limits(options) == ListingLimits(max_clients=7, deadline_s=30.0)

    def test_limit_inputs_are_checked_with_the_query(self) -> None:
        """A lookup's bad deadline is a violation next to the query's own."""
        found = input_violations({"client_type": "ECS_CLIEN", "deadline": "inf"})
        assert [v.field for v in found] == ["client_type", "deadline"]
        assert limit_violations({"max_clients": 0})[0].suggestion == "1"


def test_unknown_input_named_without_its_value() -> None:
    """An unknown input is named with the closest known name; its value is never shown."""
    found = validate_inputs(
        {"client_type": "ECS_CLIENT", "client_typ": "x", "access_key_secret": "s3cr3t-value"}
    )
    assert [v.field for v in found] == ["client_typ", "access_key_secret"]
    assert found[0].suggestion == "client_type"
    assert all(v.value is NOT_GIVEN for v in found)
    assert "s3cr3t-value" not in "; ".join(map(str, found))
