"""build_report: suppressions and the baseline filter what the one gate counts."""

from __future__ import annotations

from datetime import date

import attrs

from hbr_clients_provider.audit.coverage_render import verdict_line
from hbr_clients_provider.audit.gate import Gate, judge
from hbr_clients_provider.reports.baseline import FindingIdentity
from hbr_clients_provider.reports.verdict import verdict_text

from ._samples import baseline_of, coverage, sample, standard_findings, suppression


class TestBuildReport:
    """The gate judges the counted findings; completeness and scope still decide."""

    def test_without_suppressions_the_verdict_is_the_gates(self) -> None:
        """No suppression, no baseline: the same verdict and line as judge() and verdict_line."""
        report = sample(accept_beijing=True)
        plain = attrs.evolve(coverage(standard_findings()), targets=report.coverage.targets)
        assert report.verdict == judge(plain, Gate())
        assert verdict_text(report) == verdict_line(plain, report.verdict)
        assert len(report.counted) == 4

    def test_suppressed_findings_are_not_counted(self) -> None:
        """Every finding suppressed, the unreachable region accepted: the gate passes."""
        entries = (suppression(0, "no_backup_client"), suppression(1, "orphan_client"))
        report = sample(suppressions=entries, accept_beijing=True)
        assert report.passed
        assert report.verdict.findings == 0
        assert len(report.suppressed) == 4
        assert report.findings == ()
        assert "; 4 suppressed" in verdict_text(report)

    def test_suppressions_cannot_hide_an_incomplete_estate(self) -> None:
        """Nothing counted, but a region could not be listed: the gate still fails."""
        entries = (suppression(0, "no_backup_client"), suppression(1, "orphan_client"))
        report = sample(suppressions=entries)
        assert not report.passed
        assert report.verdict.reasons == ("incomplete",)

    def test_an_expired_suppression_counts_its_findings_again(self) -> None:
        """An entry past its date: its findings fail the gate, and the verdict says so."""
        entry = suppression(0, "orphan_client", expires=date(2025, 1, 1))
        report = sample(suppressions=(entry,), accept_beijing=True)
        assert report.verdict.findings == 4
        assert "1 expired suppression" in verdict_text(report)

    def test_only_new_findings_count_against_a_baseline(self) -> None:
        """Three findings in the baseline, one new: the gate counts one."""
        known = [FindingIdentity.of(f) for f in standard_findings()[:3]]
        report = sample(baseline=baseline_of(*known), accept_beijing=True)
        assert report.verdict.findings == 1
        assert [r.baseline for r in report.findings] == ["unchanged"] * 3 + ["new"]
        assert "more new findings than the 0 allowed" in verdict_text(report)
        assert "(1 new, 3 unchanged, 0 fixed since the baseline)" in verdict_text(report)

    def test_max_findings_tolerates_counted_findings(self) -> None:
        """--max-findings 4: counted findings are tolerated (advisory) and the gate passes."""
        report = sample(gate=Gate(max_findings=4), accept_beijing=True)
        assert report.passed
        assert report.tolerated
