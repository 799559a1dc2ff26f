"""``EstateRequest.from_inputs``: one check of the estate audit's inputs for every surface."""

from __future__ import annotations

from typing import Any

import pytest

from hbr_clients_provider.adapters.plugin.names import camel
from hbr_clients_provider.api.instances import IN_SCOPE_STATUSES
from hbr_clients_provider.audit.estate import ALL_REGIONS, parse_regions
from hbr_clients_provider.audit.estate_inputs import EstateRequest
from hbr_clients_provider.errors import InvalidQuery


class TestDefaults:
    """Nothing given: every region, a client required, every live instance in scope."""

    def test_defaults(self) -> None:
        """The defaults the README documents."""
        request = EstateRequest.from_inputs({})
        assert request.regions == ALL_REGIONS
        assert request.require_client is True
        assert request.scope.statuses == IN_SCOPE_STATUSES
        assert request.scope.tags == ()
        assert request.allow_unreachable == ()


class TestAccepted:
    """Loosely typed values, as a protobuf Struct or stack config sends them."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("all", ALL_REGIONS),
            (["all"], ALL_REGIONS),
            ("cn-hangzhou, cn-shanghai", ("cn-hangzhou", "cn-shanghai")),
            (["cn-shanghai", "cn-shanghai"], ("cn-shanghai",)),
        ],
    )
    def test_regions(self, value: Any, expected: Any) -> None:
        """'all', a list, or a comma-separated string; duplicates dropped, order kept."""
        assert EstateRequest.from_inputs({"regions": value}).regions == expected

    def test_scope_and_rules(self) -> None:
        """Tags, statuses, "false" as a boolean and the client rules all land in place."""
        request = EstateRequest.from_inputs(
            {
                "instance_tags": {"env": "prod"},
                "instance_statuses": ["Running"],
                "require_client": "false",
                "require_activated": True,
                "allow_unreachable": "cn-beijing",
            }
        )
        assert request.scope.tags == (("env", "prod"),)
        assert request.scope.statuses == ("Running",)
        assert request.require_client is False
        assert request.rules.require_activated is True
        assert request.allow_unreachable == ("cn-beijing",)


class TestRefused:
    """Every bad input is named as the surface spells it, all at once."""

    def test_every_violation_named_in_camel_case(self) -> None:
        """A plugin or policy user reads instanceTags, not instance_tags."""
        with pytest.raises(InvalidQuery) as caught:
            EstateRequest.from_inputs(
                {
                    "regions": "cn_hangzhou",
                    "instance_tags": ["env=prod"],
                    "instance_statuses": ["Deleted"],
                    "require_activated": "maybe",
                    "colour": "blue",
                },
                name=camel,
            )
        fields = [v.field for v in caught.value.violations]
        assert fields == [
            "colour",
            "regions",
            "instanceTags",
            "instanceStatuses[0]",
            "requireActivated",
        ]

    @pytest.mark.parametrize("value", ["", ",", [], "CN-HANGZHOU"])
    def test_bad_regions(self, value: Any) -> None:
        """No region, or not a region ID."""
        with pytest.raises(InvalidQuery) as caught:
            parse_regions(value)
        assert caught.value.violations[0].field == "regions"
