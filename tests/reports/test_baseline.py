"""The baseline: new, unchanged and fixed findings, by identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from hbr_clients_provider.audit.coverage import Target
from hbr_clients_provider.reports.baseline import (
    FindingIdentity,
    diff_baseline,
    load_baseline,
    parse_baseline,
)
from hbr_clients_provider.reports.errors import InputFileError
from hbr_clients_provider.reports.json_report import render_json

from ._samples import baseline_of, finding, sample, standard_findings

LISTED = (Target(region="cn-hangzhou"),)


class TestDiffBaseline:
    """diff_baseline: identity is rule + account + region + instance + client."""

    def test_new_unchanged_and_fixed(self) -> None:
        """In both: unchanged; only now: new; only before, in a listed target: fixed."""
        now = standard_findings()[:3]
        before = baseline_of(
            FindingIdentity.of(now[0]),
            FindingIdentity.of(finding("no_backup_client", "cn-hangzhou", instance="i-fixed")),
        )
        diff = diff_baseline(now, before, listed=LISTED)
        assert diff.unchanged == (now[0],)
        assert diff.new == now[1:]
        assert [f.instance_id for f in diff.fixed] == ["i-fixed"]
        assert diff.not_rechecked == 0

    def test_detail_does_not_change_identity(self) -> None:
        """The same IDs with another detail (a heartbeat's age) is the same finding."""
        old = finding("stale_heartbeat", "cn-hangzhou", instance="i-1", client="c-1", detail="3d")
        new = finding("stale_heartbeat", "cn-hangzhou", instance="i-1", client="c-1", detail="4d")
        diff = diff_baseline([new], baseline_of(FindingIdentity.of(old)), listed=LISTED)
        assert diff.unchanged == (new,)

    def test_a_finding_of_an_unlisted_target_is_not_fixed(self) -> None:
        """A baseline finding in a region this run could not list is not rechecked."""
        gone = finding("no_backup_client", "cn-beijing", instance="i-b")
        diff = diff_baseline([], baseline_of(FindingIdentity.of(gone)), listed=LISTED)
        assert diff.fixed == ()
        assert diff.not_rechecked == 1

    def test_a_suppressed_finding_is_not_fixed(self) -> None:
        """A finding now suppressed is still there: not fixed."""
        item = standard_findings()[0]
        diff = diff_baseline(
            [], baseline_of(FindingIdentity.of(item)), listed=LISTED, also_present=[item]
        )
        assert diff.fixed == ()


class TestReadBaseline:
    """A baseline is read from a JSON report, this version's or an older one."""

    def test_a_report_is_its_own_baseline(self, tmp_path: Path) -> None:
        """This version's JSON report read back: every finding, suppressed ones too, unchanged."""
        path = tmp_path / "previous.json"
        path.write_text(render_json(sample()))
        again = sample(baseline=load_baseline(path))
        assert again.baseline is not None
        assert (len(again.baseline.new), len(again.baseline.fixed)) == (0, 0)
        assert len(again.baseline.unchanged) == 4
        assert again.counted == ()

    def test_an_older_report_without_suppressed_is_read(self) -> None:
        """The report of the version before (no 'suppressed', no 'counted') still works."""
        old = {"findings": [{"rule": "orphan_client", "account_id": None, "region": "r",
                             "instance_id": "i", "client_id": "c", "detail": "d"}]}  # fmt: skip
        assert len(parse_baseline(old, source="old.json").findings) == 1

    @pytest.mark.parametrize(
        ("document", "field"),
        [
            ({"findings": [{"rule": 1, "region": "r"}]}, "findings[0].rule"),
            ({"findings": [{"rule": "x"}]}, "findings[0].region"),
            ({"findings": [{"rule": "x", "region": "r", "client_id": 5}]}, "findings[0].client_id"),
            ({"findings": ["x"]}, "findings[0]"),
            ({"targets": []}, "(top level)"),
        ],
    )
    def test_malformed_baseline_names_the_field(self, document: object, field: str) -> None:
        """A baseline that is not a report names the offending finding and field."""
        with pytest.raises(InputFileError) as caught:
            parse_baseline(document, source="b.json")
        assert caught.value.violations[0].field == field

    def test_not_json_names_line(self, tmp_path: Path) -> None:
        """A file that is not JSON names the line and column."""
        path = tmp_path / "b.json"
        path.write_text("{\n  nope\n}")
        with pytest.raises(InputFileError) as caught:
            load_baseline(path)
        assert caught.value.violations[0].field == "line 2, column 3"
