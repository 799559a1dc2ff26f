"""Tests of :mod:`hbr_clients_provider.api.query`: every validation rule and the filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.api.query import ClientQuery, Filter, TagFilter, validate_inputs
from hbr_clients_provider.errors import InvalidQuery, Violation


def fields_of(inputs: dict[str, Any]) -> set[str]:
    """Return the offending fields of ``inputs``."""
    return {v.field for v in validate_inputs(inputs)}


class TestFromInputs:
    """Building a query from JSON-ish inputs."""

    def test_from_inputs_minimal_query(self) -> None:
        """Only a client type is needed."""
        query = ClientQuery.from_inputs({"client_type": "ECS_CLIENT"})
        assert query.client_type == "ECS_CLIENT"
        assert not query.single_page
        assert not query.has_client_side_filters

    def test_from_inputs_every_shape(self) -> None:
        """Lists, tag dicts, digit strings and duration strings are converted."""
        query = ClientQuery.from_inputs(
            {
                "client_type": "CONTAINER_CLIENT",
                "cluster_id": "cl-1",
                "client_ids": ["c-1", "c-2", "c-1"],
                "instance_ids": "i-1",
                "tags": {"env": "prod"},
                "cross_account_user_id": "123",
                "cross_account_role_name": "hbrcrossrole",
                "filters": {"k": ["a", "b"]},
                "statuses": ["ACTIVATED"],
                "backup_statuses": ["PROTECTED"],
                "name_regex": "^web",
                "outdated_only": True,
                "heartbeat_older_than": "2h",
            }
        )
        assert query.client_ids == ("c-1", "c-2")
        assert query.instance_ids == ("i-1",)
        assert query.tags == (TagFilter(key="env", value="prod"),)
        assert query.cross_account_type == "CROSS_ACCOUNT"
        assert query.cross_account_user_id == 123
        assert query.filters == (Filter(key="k", values=("a", "b")),)
        assert query.heartbeat_older_than == timedelta(hours=2)
        assert query.has_client_side_filters

    def test_from_inputs_tag_list_shapes(self) -> None:
        """Tags as a list of dicts or KEY=VALUE strings are accepted."""
        a = ClientQuery.from_inputs(
            {"client_type": "ECS_CLIENT", "tags": [{"key": "env", "value": "prod"}]}
        )
        b = ClientQuery.from_inputs({"client_type": "ECS_CLIENT", "tags": ["env=prod"]})
        assert a.tags == b.tags == (TagFilter(key="env", value="prod"),)

    def test_tag_input_in_neither_form_names_both(self) -> None:
        """A Pulumi tag input in neither form is told both forms it may take."""
        assert validate_inputs({"client_type": "ECS_CLIENT", "tags": ["env:prod"]}) == (
            Violation(
                field="tags[0]",
                rule="must be KEY=VALUE or {'key': ..., 'value': ...}",
                value="env:prod",
                suggestion="env=prod",
            ),
        )

    def test_from_inputs_none_means_unset(self) -> None:
        """``None`` values are ignored."""
        query = ClientQuery.from_inputs({"client_type": "ECS_CLIENT", "page_size": None})
        assert query.page_size is None

    def test_from_inputs_reports_every_violation(self) -> None:
        """One InvalidQuery lists every problem, unknown keys included."""
        with pytest.raises(InvalidQuery) as info:
            ClientQuery.from_inputs(
                {"client_type": "NOPE", "page_size": 100, "page_number": 0, "colour": "red"}
            )
        assert set(info.value.fields) == {"client_type", "page_size", "page_number", "colour"}
        assert isinstance(info.value, ValueError)

    def test_from_inputs_non_mapping(self) -> None:
        """A non-mapping input is a violation, not a crash."""
        assert validate_inputs(["ECS_CLIENT"]) == (  # type: ignore[arg-type]
            Violation(
                field="inputs", rule="must be a mapping of input names", value=["ECS_CLIENT"]
            ),
        )


class TestRules:
    """Each documented rule, one test each."""

    def test_client_type_required(self) -> None:
        """A missing client type is reported."""
        assert fields_of({}) == {"client_type"}

    @pytest.mark.parametrize("value", ["ECS_CLIENT", "CONTAINER_CLIENT", "LOCAL_CLIENT"])
    def test_client_type_documented_values(self, value: str) -> None:
        """The three documented client types are valid."""
        assert fields_of({"client_type": value}) == set()

    @pytest.mark.parametrize("value", ["ecs_client", "", "NAS_CLIENT", 3])
    def test_client_type_other_values(self, value: object) -> None:
        """Anything else is rejected."""
        assert fields_of({"client_type": value}) == {"client_type"}

    @pytest.mark.parametrize(("size", "ok"), [(0, False), (1, True), (99, True), (100, False)])
    def test_page_size_range(self, size: int, ok: bool) -> None:
        """Page size is 1 to 99."""
        assert (fields_of({"client_type": "ECS_CLIENT", "page_size": size}) == set()) is ok

    @pytest.mark.parametrize(("number", "ok"), [(0, False), (-1, False), (1, True), ("7", True)])
    def test_page_number_minimum(self, number: object, ok: bool) -> None:
        """Page number is at least 1."""
        assert (fields_of({"client_type": "ECS_CLIENT", "page_number": number}) == set()) is ok

    @pytest.mark.parametrize("value", [True, 1.5, "ten", [1]])
    def test_page_number_not_an_integer(self, value: object) -> None:
        """Booleans, fractions and words are not page numbers."""
        assert fields_of({"client_type": "ECS_CLIENT", "page_number": value}) == {"page_number"}

    def test_tags_at_most_twenty(self) -> None:
        """21 tags are too many; 20 are fine."""
        twenty = {f"k{i}": "v" for i in range(20)}
        assert fields_of({"client_type": "ECS_CLIENT", "tags": twenty}) == set()
        twenty["k20"] = "v"
        assert fields_of({"client_type": "ECS_CLIENT", "tags": twenty}) == {"tags"}

    @pytest.mark.parametrize(
        ("key", "value", "field"),
        [
            ("", "v", "tags[0].key"),
            ("k", "", "tags[0].value"),
            ("aliyun-x", "v", "tags[0].key"),
            ("Aliyun", "v", "tags[0].key"),
            ("acs:env", "v", "tags[0].key"),
            ("k", "acs:x", "tags[0].value"),
            ("k", "aliyunprod", "tags[0].value"),
            ("see http://x", "v", "tags[0].key"),
            ("k", "https://x", "tags[0].value"),
        ],
    )
    def test_tag_key_and_value_rules(self, key: str, value: str, field: str) -> None:
        """Tag keys and values are non-empty, unreserved and URL-free."""
        inputs = {"client_type": "ECS_CLIENT", "tags": [{"key": key, "value": value}]}
        violations = validate_inputs(inputs)
        assert [v.field for v in violations] == [field]

    def test_tag_index_names_the_entry(self) -> None:
        """The field names the offending tag's position."""
        tags = [
            {"key": "a", "value": "1"},
            {"key": "b", "value": "2"},
            {"key": "acs:c", "value": "3"},
        ]
        assert fields_of({"client_type": "ECS_CLIENT", "tags": tags}) == {"tags[2].key"}

    @pytest.mark.parametrize("tags", [5, "env=prod", [5], [{"key": "k", "value": "v", "x": 1}]])
    def test_tags_wrong_shape(self, tags: object) -> None:
        """Tags of the wrong shape are reported under ``tags``."""
        found = fields_of({"client_type": "ECS_CLIENT", "tags": tags})
        assert found
        assert all(f.startswith("tags") for f in found)

    def test_cross_account_needs_user_id_and_role(self) -> None:
        """Cross-account access needs both the user ID and the role name."""
        base = {"client_type": "ECS_CLIENT", "cross_account_type": "CROSS_ACCOUNT"}
        assert fields_of(base) == {"cross_account_user_id", "cross_account_role_name"}
        assert fields_of({**base, "cross_account_user_id": 1}) == {"cross_account_role_name"}
        assert fields_of({**base, "cross_account_role_name": "r"}) == {"cross_account_user_id"}
        assert (
            fields_of({**base, "cross_account_user_id": 1, "cross_account_role_name": "r"}) == set()
        )

    @pytest.mark.parametrize("uid", [0, -5, "abc", True])
    def test_cross_account_user_id_positive_int(self, uid: object) -> None:
        """The user ID is a positive integer."""
        inputs = {
            "client_type": "ECS_CLIENT",
            "cross_account_user_id": uid,
            "cross_account_role_name": "r",
        }
        assert fields_of(inputs) == {"cross_account_user_id"}

    def test_cross_account_type_values(self) -> None:
        """Only SELF_ACCOUNT and CROSS_ACCOUNT exist."""
        assert fields_of({"client_type": "ECS_CLIENT", "cross_account_type": "OTHER"}) == {
            "cross_account_type"
        }
        assert (
            fields_of({"client_type": "ECS_CLIENT", "cross_account_type": "SELF_ACCOUNT"}) == set()
        )

    def test_self_account_rejects_cross_account_fields(self) -> None:
        """SELF_ACCOUNT with a role name is contradictory."""
        inputs = {
            "client_type": "ECS_CLIENT",
            "cross_account_type": "SELF_ACCOUNT",
            "cross_account_role_name": "r",
        }
        assert fields_of(inputs) == {"cross_account_role_name"}

    def test_blank_role_name(self) -> None:
        """A blank role name is rejected."""
        inputs = {
            "client_type": "ECS_CLIENT",
            "cross_account_user_id": 1,
            "cross_account_role_name": " ",
        }
        assert fields_of(inputs) == {"cross_account_role_name"}

    @pytest.mark.parametrize("name", ["client_ids", "instance_ids"])
    def test_ids_not_empty_or_blank(self, name: str) -> None:
        """Empty and blank IDs are reported with their position."""
        assert fields_of({"client_type": "ECS_CLIENT", name: ["c-1", "", " "]}) == {
            f"{name}[1]",
            f"{name}[2]",
        }

    @pytest.mark.parametrize("name", ["client_ids", "instance_ids"])
    def test_ids_wrong_type(self, name: str) -> None:
        """A non-string ID is reported."""
        assert fields_of({"client_type": "ECS_CLIENT", name: ["c-1", 7]}) == {f"{name}[1]"}

    def test_cluster_id_blank(self) -> None:
        """A blank cluster ID is rejected."""
        assert fields_of({"client_type": "CONTAINER_CLIENT", "cluster_id": "  "}) == {"cluster_id"}

    def test_statuses_documented_values(self) -> None:
        """Statuses must be among the twelve documented ones."""
        assert (
            fields_of({"client_type": "ECS_CLIENT", "statuses": ["ACTIVATED", "UNKNOWN"]}) == set()
        )
        assert fields_of({"client_type": "ECS_CLIENT", "statuses": ["ACTIVATED", "ON"]}) == {
            "statuses[1]"
        }

    def test_backup_statuses_values(self) -> None:
        """Backup statuses are PROTECTED or UNPROTECTED."""
        assert fields_of({"client_type": "ECS_CLIENT", "backup_statuses": ["SAFE"]}) == {
            "backup_statuses[0]"
        }

    def test_name_regex_must_compile(self) -> None:
        """An invalid regular expression is reported."""
        assert fields_of({"client_type": "ECS_CLIENT", "name_regex": "(unclosed"}) == {"name_regex"}

    @pytest.mark.parametrize("value", ["soon", "-5m", 0, "", True])
    def test_heartbeat_older_than_invalid(self, value: object) -> None:
        """Durations must be positive and well-formed."""
        inputs = {"client_type": "ECS_CLIENT", "heartbeat_older_than": value}
        assert fields_of(inputs) == {"heartbeat_older_than"}

    def test_outdated_only_boolean(self) -> None:
        """``outdated_only`` is a boolean."""
        assert fields_of({"client_type": "ECS_CLIENT", "outdated_only": "maybe"}) == {
            "outdated_only"
        }

    def test_filters_rules(self) -> None:
        """Filters need a key and non-empty values."""
        inputs = {"client_type": "ECS_CLIENT", "filters": [{"key": "", "values": []}]}
        assert fields_of(inputs) == {"filters[0].key", "filters[0].values"}

    def test_direct_construction_validates(self) -> None:
        """Constructing ClientQuery directly runs the same rules."""
        with pytest.raises(InvalidQuery) as info:
            ClientQuery(client_type="ECS_CLIENT", page_size=500)
        assert info.value.violations == (
            Violation(
                field="page_size", rule="must be between 1 and 99", value=500, suggestion="99"
            ),
        )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=10,
)
input_names = st.sampled_from(
    [
        "client_type", "cluster_id", "client_ids", "instance_ids", "tags", "cross_account_type",
        "cross_account_user_id", "cross_account_role_name", "filters", "page_number",
        "page_size", "statuses", "backup_statuses", "name_regex", "outdated_only",
        "heartbeat_older_than", "unknown",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(input_names, json_values, max_size=8))
def test_from_inputs_random_inputs_only_raise_invalid_query(inputs: dict[str, Any]) -> None:
    """Random JSON-ish inputs either build a query or raise InvalidQuery, nothing else."""
    violations = validate_inputs(inputs)
    if violations:
        with pytest.raises(InvalidQuery) as info:
            ClientQuery.from_inputs(inputs)
        assert info.value.violations == violations
    else:
        ClientQuery.from_inputs(inputs)


def client(**fields: Any) -> BackupClient:
    """A client with defaults for the fields a test does not care about."""
    base: dict[str, Any] = {"client_id": "c-1", "status": "ACTIVATED", "backup_status": "PROTECTED"}
    return BackupClient(**{**base, **fields})


class TestMatches:
    """Client-side filters."""

    def test_matches_status(self) -> None:
        """Status filters keep only the listed statuses."""
        query = ClientQuery(client_type="ECS_CLIENT", statuses=("STOPPED",))
        assert query.matches(client(status="STOPPED"))
        assert not query.matches(client(status="ACTIVATED"))

    def test_matches_backup_status(self) -> None:
        """Backup status filters keep only the listed backup statuses."""
        query = ClientQuery(client_type="ECS_CLIENT", backup_statuses=("UNPROTECTED",))
        assert not query.matches(client())
        assert query.matches(client(backup_status="UNPROTECTED"))

    def test_matches_name_regex_instance_name_or_hostname(self) -> None:
        """The regex is searched in the instance name and the hostname."""
        query = ClientQuery(client_type="ECS_CLIENT", name_regex="^db-")
        assert query.matches(client(instance_name="db-1"))
        assert query.matches(client(hostname="db-2"))
        assert not query.matches(client(instance_name="web", hostname=None))

    def test_matches_outdated_only(self) -> None:
        """Only clients older than the newest version pass."""
        query = ClientQuery(client_type="ECS_CLIENT", outdated_only=True)
        assert query.matches(client(client_version="2.4.5", max_client_version="2.13.10"))
        assert not query.matches(client(client_version="2.13.10", max_client_version="2.13.10"))

    def test_matches_heartbeat_older_than(self) -> None:
        """The heartbeat cut-off is measured from the injected ``now``."""
        now = datetime(2026, 1, 1, tzinfo=UTC)
        query = ClientQuery(client_type="ECS_CLIENT", heartbeat_older_than=timedelta(minutes=15))
        old = int((now - timedelta(hours=1)).timestamp())
        fresh = int((now - timedelta(minutes=1)).timestamp())
        assert query.matches(client(last_heartbeat_time=old), now=now)
        assert not query.matches(client(last_heartbeat_time=fresh), now=now)
