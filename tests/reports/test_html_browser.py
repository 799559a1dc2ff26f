"""The HTML report in a real headless Chromium: it loads clean, offline, shows the JSON's
numbers, sorts and filters, keeps hostile text as text, and is captured as a PNG."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from hbr_clients_provider.reports.html import render_html
from hbr_clients_provider.reports.json_report import render_json
from hbr_clients_provider.reports.model import EstateReport

from ._chromium import WINDOW, Chromium, Page, chromium_binary
from ._pages import CELL_TEXT, FILTER, NUMBERS, SORT
from ._samples import HOSTILE, sample, suppression


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """One headless Chromium for the module (the test fails if none is installed)."""
    with Chromium() as chromium:
        yield chromium


def _open(browser: Chromium, report: EstateReport, directory: Path) -> Page:
    path = directory / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return browser.load(path)


def png_size(path: Path) -> tuple[int, int]:
    """The width and height a PNG file's header declares."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def page_numbers_match(numbers: dict[str, object], document: dict[str, object]) -> None:
    """The page's verdict, key numbers, rule bars and heatmap cells equal the JSON report's."""
    summary = document["summary"]
    assert isinstance(summary, dict)
    assert numbers["passed"] == str(document["passed"]).lower()
    assert numbers["complete"] == str(document["complete"]).lower()
    gate = document["gate"]
    assert isinstance(gate, dict)
    assert numbers["reasons"] == " ".join(gate["reasons"])
    kpis = numbers["kpis"]
    assert isinstance(kpis, dict)
    for key in (
        "instances",
        "covered_instances",
        "coverage_percent",
        "clients",
        "orphan_clients",
        "targets",
        "failed_targets",
        "counted_findings",
        "reported_findings",
        "suppressed_findings",
    ):
        assert kpis[key] == summary[key], key
    assert numbers["rules"] == summary["findings_by_rule"]
    targets = document["targets"]
    assert isinstance(targets, list)
    cells = numbers["cells"]
    assert isinstance(cells, dict)
    for target in targets:
        label = (
            target["region"]
            if target["account_id"] is None
            else (f"{target['account_id']}/{target['region']}")
        )
        error = None if target["error"] is None else target["error"]["code"]
        assert cells[label] == {
            "instances": target["instances"],
            "covered": target["covered_instances"],
            "error": error,
        }
    assert len(cells) == len(targets)
    assert numbers["rows"] == len(document["findings"]) + len(document["suppressed"])  # type: ignore[arg-type]


class TestHarness:
    """The checks themselves: a broken page is seen as broken."""

    def test_console_errors_blocked_handlers_and_requests_are_seen(
        self, browser: Chromium, tmp_path: Path
    ) -> None:
        """console.error, an uncaught exception and a network request are all recorded."""
        path = tmp_path / "broken.html"
        path.write_text(
            "<!DOCTYPE html><title>t</title><img src='http://127.0.0.1:9/x.png'>"
            "<script>console.error('boom'); setTimeout(() => { throw new Error('late'); });"
            "</script>"
        )
        page = browser.load(path, ready=False)
        page.evaluate("new Promise(r => setTimeout(r, 50))")
        problems = " ".join(page.problems)
        assert "console.error: boom" in problems
        assert "late" in problems
        assert "http://127.0.0.1:9/x.png" in page.requests


class TestReportPage:
    """The HTML report of a crafted estate."""

    def test_loads_with_no_console_error_and_no_network(
        self, browser: Chromium, tmp_path: Path
    ) -> None:
        """Nothing is fetched but the file itself; no error of any kind is logged."""
        page = _open(browser, sample(), tmp_path)
        assert page.problems == []
        assert [u for u in page.requests if not u.startswith(("file:", "data:"))] == []

    def test_numbers_equal_the_json_report(self, browser: Chromium, tmp_path: Path) -> None:
        """Instances, covered, findings per rule and each target's cell are the JSON's."""
        entries = (suppression(0, "orphan_client"),)
        report = sample(suppressions=entries)
        page = _open(browser, report, tmp_path)
        page_numbers_match(page.evaluate(NUMBERS), json.loads(render_json(report)))
        assert page.problems == []

    def test_filter_by_text_rule_and_status(self, browser: Chromium, tmp_path: Path) -> None:
        """The filters hide rows that do not match, and say how many are shown."""
        page = _open(browser, sample(suppressions=(suppression(0, "orphan_client"),)), tmp_path)
        assert page.evaluate(f"{FILTER}('', '', '')") == ["i-aaa", "i-bbb", "i-ccc", "i-gone"]
        assert page.evaluate(f"{FILTER}('i-b', '', '')") == ["i-bbb"]
        assert page.evaluate(f"{FILTER}('', 'orphan_client', '')") == ["i-gone"]
        assert page.evaluate(f"{FILTER}('', '', 'suppressed')") == ["i-gone"]
        assert page.evaluate(f"{FILTER}('1234567890123456', 'no_backup_client', 'counted')") == [
            "i-ccc"
        ]
        assert page.evaluate("document.getElementById('shown').textContent") == "1 of 4 shown"
        assert page.problems == []

    def test_sort_by_a_column_both_ways(self, browser: Chromium, tmp_path: Path) -> None:
        """A click sorts ascending, a second descending; aria-sort says which."""
        page = _open(browser, sample(), tmp_path)
        first = page.evaluate(f"{SORT}(3)")
        assert first == {"order": ["i-aaa", "i-bbb", "i-ccc", "i-gone"], "sort": "ascending"}
        second = page.evaluate(f"{SORT}(3)")
        assert second == {"order": ["i-gone", "i-ccc", "i-bbb", "i-aaa"], "sort": "descending"}
        assert page.problems == []

    def test_hostile_names_stay_text(self, browser: Chromium, tmp_path: Path) -> None:
        """'</script><img onerror>' and '<svg onload>' show as text: nothing runs, no element."""
        report = sample(name=HOSTILE, hostile_error=True)
        page = _open(browser, report, tmp_path)
        numbers = page.evaluate(NUMBERS)
        assert numbers["images"] == 0
        assert numbers["svgs"] == 2
        assert numbers["title"] == "HBR estate coverage: FAIL"
        cells = " ".join(page.evaluate(CELL_TEXT))
        assert "</script><img src=x onerror=" in cells
        assert "\\x1b]0;owned\\x07" in cells
        assert page.problems == []

    def test_screenshot(self, browser: Chromium, tmp_path: Path) -> None:
        """The page is captured as a PNG of the window's size."""
        page = _open(browser, sample(), tmp_path)
        shot = page.screenshot(tmp_path / "estate-report.png")
        assert png_size(shot) == WINDOW
        assert shot.stat().st_size > 10_000  # a blank page compresses to far less


class TestNoBrowser:
    """Without Chromium the browser tests fail, naming what to install."""

    def test_missing_chromium_fails_naming_the_package(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """No chromium on PATH and no CHROMIUM: a failure saying 'apt-get install chromium'."""
        monkeypatch.setenv("PATH", str(tmp_path))
        monkeypatch.delenv("CHROMIUM", raising=False)
        with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
            chromium_binary()
