"""Wrapped pages (ECS DescribeInstances, ResourceManager ListAccounts) and their encoders."""

from __future__ import annotations

from typing import Any

import pytest

from hbr_clients_provider.api import ecs_api, rm_api, sts_api
from hbr_clients_provider.errors import ApiError, MalformedResponseError

INSTANCE = {
    "InstanceId": "i-1",
    "Status": "Running",
    "Tags": {"Tag": [{"TagKey": "env", "TagValue": "prod"}]},
}
ANSWER = {
    "RequestId": "R1",
    "TotalCount": 1,
    "PageNumber": 1,
    "Instances": {"Instance": [INSTANCE]},
}


class TestReadWrappedPage:
    """One reading of ``{Wrapper: {Element: [...]}}`` for every API that answers so."""

    def test_instances_and_accounts_are_read_into_their_models(self) -> None:
        """The items, the count, the echoed page and the request ID."""
        page = ecs_api.read_page(ANSWER, "ecs.example")
        assert (page.request_id, page.page_number, page.total_count) == ("R1", 1, 1)
        assert page.items[0].instance_id == "i-1"
        assert page.items[0].tag_map == {"env": "prod"}
        accounts = rm_api.read_page(
            {"TotalCount": 1, "Accounts": {"Account": [{"AccountId": "123", "Type": "X"}]}}, "rm"
        )
        assert accounts.items == (rm_api.Account(account_id="123", type="X"),)

    def test_an_empty_listing_may_leave_the_list_out(self) -> None:
        """TotalCount 0 without the wrapper is an empty page, not malformed."""
        assert ecs_api.read_page({"TotalCount": 0}, "e").items == ()

    @pytest.mark.parametrize(
        ("answer", "problem"),
        [
            ({**ANSWER, "TotalCount": "many"}, "TotalCount is 'many', not a non-negative integer"),
            (
                {"TotalCount": 2},
                "Instances.Instance is missing or not an array while TotalCount is 2",
            ),
            (
                {**ANSWER, "Instances": {"Instance": [{"Status": "Running"}]}},
                "Instances.Instance[0] has no InstanceId",
            ),
            (
                {**ANSWER, "Instances": {"Instance": [INSTANCE, {"InstanceId": ""}]}},
                "Instances.Instance[1] has an empty InstanceId",
            ),
        ],
    )
    def test_malformed_answers_name_what_is_wrong(self, answer: Any, problem: str) -> None:
        """A MalformedResponseError naming the operation, the field and the index."""
        with pytest.raises(MalformedResponseError) as caught:
            ecs_api.read_page(answer, "ecs.example")
        assert caught.value.problem == problem
        assert "malformed DescribeInstances response" in str(caught.value)

    def test_an_account_id_must_be_digits(self) -> None:
        """ListAccounts names the account it cannot read."""
        with pytest.raises(
            MalformedResponseError, match=r"Accounts\.Account\[0\] has no AccountId"
        ):
            rm_api.read_page(
                {"TotalCount": 1, "Accounts": {"Account": [{"AccountId": "x1"}]}}, "rm"
            )

    def test_an_error_envelope_is_an_api_error(self) -> None:
        """Code and RequestId at HTTP 200 are the API's error, never an empty page."""
        with pytest.raises(ApiError) as caught:
            ecs_api.read_page({"Code": "Forbidden.RAM", "RequestId": "R9", "Message": "no"}, "e")
        assert (caught.value.code, caught.value.request_id) == ("Forbidden.RAM", "R9")


class TestQueryEncoder:
    """Every parameter in the query under its wire name; an unknown one is a bug."""

    def test_names_and_values(self) -> None:
        """None is left out; numbers become strings."""
        query, body = ecs_api.encode({"region_id": "cn-x", "page_number": 2, "page_size": None})
        assert (query, body) == ({"RegionId": "cn-x", "PageNumber": "2"}, {})

    @pytest.mark.parametrize("encode", [ecs_api.encode, rm_api.encode, sts_api.encode])
    def test_an_unknown_parameter_is_refused(self, encode: Any) -> None:
        """Each operation's encoder refuses what it does not send."""
        with pytest.raises(ValueError, match="takes no parameter 'colour' here"):
            encode({"colour": "blue"})
