"""Suppressions: which findings they excuse, until when, and what a malformed file says."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hbr_clients_provider.audit.coverage import Target
from hbr_clients_provider.reports.errors import InputFileError
from hbr_clients_provider.reports.suppressions import (
    apply_suppressions,
    load_suppressions,
    parse_suppressions,
)

from ._samples import ACCOUNT, TODAY, finding, standard_findings, suppression

LISTED = (Target(region="cn-hangzhou"), Target(account_id=ACCOUNT, region="cn-hangzhou"))


class TestApplySuppressions:
    """apply_suppressions over findings and a ``today``."""

    def test_match_suppresses_only_the_named_finding(self) -> None:
        """An entry naming rule, region and instance excuses that finding and no other."""
        entry = suppression(0, "no_backup_client", region="cn-hangzhou", instance_id="i-bbb")
        outcome = apply_suppressions(standard_findings(), [entry], today=TODAY, listed=LISTED)
        assert [s.finding.instance_id for s in outcome.suppressed] == ["i-bbb"]
        assert outcome.suppressed[0].suppression is entry
        assert [f.instance_id for f in outcome.kept] == ["i-aaa", "i-gone", "i-ccc"]
        assert outcome.expired == ()
        assert outcome.stale == ()

    def test_left_out_fields_match_any_value(self) -> None:
        """An entry with a rule and an account excuses every finding of that rule there."""
        entry = suppression(0, "no_backup_client", account_id=ACCOUNT)
        outcome = apply_suppressions(standard_findings(), [entry], today=TODAY, listed=LISTED)
        assert [s.finding.instance_id for s in outcome.suppressed] == ["i-ccc"]

    def test_the_last_day_still_suppresses(self) -> None:
        """An entry expiring today is in force; the day after it is expired."""
        entry = suppression(0, "orphan_client", expires=TODAY)
        assert len(apply_suppressions(standard_findings(), [entry], today=TODAY).suppressed) == 1
        later = date(2025, 6, 2)
        outcome = apply_suppressions(standard_findings(), [entry], today=later)
        assert outcome.suppressed == ()
        assert [e.suppression for e in outcome.expired] == [entry]

    def test_expired_entry_no_longer_suppresses_and_is_reported(self) -> None:
        """An expired entry excuses nothing: what it matched counts again, and is listed."""
        entry = suppression(0, "no_backup_client", region="cn-hangzhou", expires=date(2025, 5, 31))
        outcome = apply_suppressions(standard_findings(), [entry], today=TODAY, listed=LISTED)
        assert outcome.suppressed == ()
        assert len(outcome.kept) == 4
        (expired,) = outcome.expired
        assert expired.suppression is entry
        assert [f.instance_id for f in expired.findings] == ["i-aaa", "i-bbb", "i-ccc"]
        assert expired.to_dict()["matched"] == 3
        assert outcome.stale == ()

    def test_entry_matching_nothing_is_stale(self) -> None:
        """An entry in force that matches no finding of a listed target is stale."""
        entry = suppression(0, "no_backup_client", instance_id="i-fixed-long-ago")
        outcome = apply_suppressions(standard_findings(), [entry], today=TODAY, listed=LISTED)
        assert outcome.stale == (entry,)
        assert len(outcome.kept) == 4

    def test_entry_for_a_target_not_listed_is_not_called_stale(self) -> None:
        """An entry whose region could not be listed is not judged: nothing proves it stale."""
        entry = suppression(0, "no_backup_client", region="cn-beijing")
        outcome = apply_suppressions(standard_findings(), [entry], today=TODAY, listed=LISTED)
        assert outcome.stale == ()

    def test_first_entry_in_force_wins(self) -> None:
        """Two matching entries: the first excuses the finding, the second is stale."""
        first = suppression(0, "orphan_client", client_id="c-orphan")
        second = suppression(1, "orphan_client", region="cn-hangzhou")
        outcome = apply_suppressions(standard_findings(), [first, second], today=TODAY)
        assert [s.suppression for s in outcome.suppressed] == [first]
        assert outcome.stale == (second,)

    def test_caller_findings_match_an_entry_without_account(self) -> None:
        """The caller's findings (account ``None``) match an entry naming no account only."""
        caller = finding("orphan_client", "cn-hangzhou", instance="i-x", client="c-x")
        named = suppression(0, "orphan_client", account_id=ACCOUNT)
        assert apply_suppressions([caller], [named], today=TODAY).kept == (caller,)


class TestParseSuppressions:
    """Reading a suppressions file; a malformed one names the entry and the field."""

    def test_a_valid_file_reads_every_entry(self, tmp_path: Path) -> None:
        """YAML dates, quoted dates and numeric account IDs are read as such."""
        path = tmp_path / "s.yaml"
        path.write_text(
            "suppressions:\n"
            "  - rule: no_backup_client\n"
            "    account_id: 1234567890123456\n"
            "    region: cn-hangzhou\n"
            "    instance_id: i-aaa\n"
            "    reason: decommissioned in TICKET-1\n"
            "    expires: 2025-07-01\n"
            "  - {rule: orphan_client, client_id: c-1, reason: known, expires: '2025-08-01'}\n"
        )
        first, second = load_suppressions(path)
        assert first.account_id == ACCOUNT
        assert first.expires == date(2025, 7, 1)
        assert (first.index, second.index) == (0, 1)
        assert second.expires == date(2025, 8, 1)
        assert second.region is None

    @pytest.mark.parametrize(
        ("entry", "field", "words"),
        [
            ({"rule": "no_backup_client", "expires": "2025-01-01"}, "reason", "is required"),
            ({"rule": "no_backup_client", "reason": "x"}, "expires", "is required"),
            (
                {"rule": "no_backup_client", "reason": "x", "expires": "2025-13-01"},
                "expires",
                "date",
            ),
            (
                {"rule": "no_backup_client", "reason": "x", "expires": "2025-01-01T00:00:00"},
                "expires",
                "date",
            ),
            ({"rule": "no_backup_clien", "reason": "x", "expires": "2025-01-01"}, "rule", "one of"),
            ({"reason": "x", "expires": "2025-01-01"}, "rule", "is required"),
            (
                {"rule": "orphan_client", "reason": "  ", "expires": "2025-01-01"},
                "reason",
                "non-empty",
            ),
            (
                {
                    "rule": "orphan_client",
                    "instance": "i-1",
                    "reason": "x",
                    "expires": "2025-01-01",
                },
                "instance",
                "is not a field",
            ),
            (
                {
                    "rule": "orphan_client",
                    "account_id": "acme",
                    "reason": "x",
                    "expires": "2025-01-01",
                },
                "account_id",
                "account ID",
            ),
            (
                {"rule": "orphan_client", "region": ["a"], "reason": "x", "expires": "2025-01-01"},
                "region",
                "string",
            ),
        ],
    )
    def test_malformed_entry_names_index_and_field(
        self, entry: dict[str, object], field: str, words: str
    ) -> None:
        """The error names the file, the entry's index and the field, and says the rule."""
        good = {"rule": "orphan_client", "reason": "ok", "expires": "2025-01-01"}
        with pytest.raises(InputFileError) as caught:
            parse_suppressions({"suppressions": [good, entry]}, source="s.yaml")
        assert caught.value.source == "s.yaml"
        (violation,) = caught.value.violations
        assert violation.field == f"suppressions[1].{field}"
        assert words in violation.rule

    def test_misspelt_field_gets_a_suggestion(self) -> None:
        """``instance`` for ``instance_id`` is refused, suggesting the right name."""
        entry = {"rule": "orphan_client", "instance": "i-1", "reason": "x", "expires": "2025-01-01"}
        with pytest.raises(InputFileError) as caught:
            parse_suppressions({"suppressions": [entry]}, source="s.yaml")
        assert caught.value.violations[0].suggestion == "instance_id"

    @pytest.mark.parametrize(
        "document", [None, [], {"suppression": []}, {"suppressions": "x"}, {"suppressions": [1]}]
    )
    def test_wrong_shape_is_refused(self, document: object) -> None:
        """Not a mapping of 'suppressions' to a list of mappings: refused."""
        with pytest.raises(InputFileError):
            parse_suppressions(document, source="s.yaml")

    def test_not_yaml_names_line_and_column(self, tmp_path: Path) -> None:
        """A YAML syntax error names where it is."""
        path = tmp_path / "s.yaml"
        path.write_text("suppressions:\n  - rule: [unclosed\n")
        with pytest.raises(InputFileError) as caught:
            load_suppressions(path)
        assert caught.value.violations[0].field.startswith("line ")

    def test_missing_file_is_refused(self, tmp_path: Path) -> None:
        """A file that does not exist is an input error, not a traceback."""
        with pytest.raises(InputFileError) as caught:
            load_suppressions(tmp_path / "nope.yaml")
        assert "cannot be read" in caught.value.violations[0].rule

    def test_an_empty_list_suppresses_nothing(self) -> None:
        """``suppressions: []`` (or null) is valid and empty."""
        assert parse_suppressions({"suppressions": []}, source="s") == ()
        assert parse_suppressions({"suppressions": None}, source="s") == ()
