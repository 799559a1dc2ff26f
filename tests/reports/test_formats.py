"""Every format of one crafted report, read by its consumer; hostile text stays inert."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from importlib import resources
from pathlib import Path

import junitparser
import pytest

from hbr_clients_provider.audit.coverage import audit_coverage
from hbr_clients_provider.audit.gate import Gate
from hbr_clients_provider.display import terminal_text
from hbr_clients_provider.reports.baseline import FindingIdentity
from hbr_clients_provider.reports.formats import PRINT_FORMATS, render
from hbr_clients_provider.reports.github import escape_data, escape_property, render_github
from hbr_clients_provider.reports.html import render_html
from hbr_clients_provider.reports.json_report import render_json
from hbr_clients_provider.reports.junit import render_junit
from hbr_clients_provider.reports.markdown import OPEN_ROWS, render_markdown
from hbr_clients_provider.reports.model import EstateReport, build_report
from hbr_clients_provider.reports.table import render_table

from ._consumers import (
    check_markdown,
    failures,
    html_elements,
    parse_github,
    parse_junit,
    validate_json,
)
from ._samples import HOSTILE, baseline_of, coverage, finding, sample, suppression


def _rich() -> EstateReport:
    """A report with every part: suppressed, expired, stale, a baseline, a failed region."""
    entries = (
        suppression(0, "orphan_client", client_id="c-orphan"),
        suppression(1, "no_backup_client", instance_id="i-bbb", expires=date(2025, 1, 1)),
        suppression(2, "no_backup_client", instance_id="i-long-gone"),
    )
    base = sample()
    known = baseline_of(FindingIdentity.of(base.coverage.findings[0]))
    return sample(name=HOSTILE, hostile_error=True, suppressions=entries, baseline=known)


class TestJson:
    """The JSON report against the schema shipped in the package."""

    def test_every_variant_validates(self) -> None:
        """Plain, hostile, suppressed, expired, stale and baseline reports all validate."""
        for report in (sample(), _rich(), sample(accept_beijing=True)):
            document = validate_json(render_json(report))
            assert document["passed"] is report.passed

    def test_counts_agree(self) -> None:
        """Findings by rule count the reported findings; the gate counts the counted ones."""
        document = validate_json(render_json(_rich()))
        summary = document["summary"]
        assert sum(summary["findings_by_rule"].values()) == len(document["findings"])
        assert document["gate"]["findings"] == sum(f["counted"] for f in document["findings"])
        assert summary["suppressed_findings"] == len(document["suppressed"]) == 1
        assert [e["index"] for e in document["suppressions"]["expired"]] == [1]
        assert [e["index"] for e in document["suppressions"]["stale"]] == [2]
        assert document["baseline"]["unchanged"] == 1

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            (("passed",), None),
            (("surprise",), 1),
            (("findings", 0, "counted"), "yes"),
            (("gate", "reasons"), ["too_many_findigs"]),
            (("suppressions", "expired", 0, "expires"), "soon"),
        ],
    )
    def test_the_schema_refuses_a_broken_report(
        self, path: tuple[object, ...], value: object
    ) -> None:
        """A missing key, an unknown one, a wrong type or value: the schema says so."""
        document = json.loads(render_json(_rich()))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if value is None:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
        with pytest.raises(AssertionError):
            validate_json(json.dumps(document))

    def test_hostile_text_is_kept_exact(self) -> None:
        """JSON holds the name exactly as the cloud sent it (lone surrogate included)."""
        document = json.loads(render_json(_rich()))
        assert repr(HOSTILE) in document["findings"][0]["detail"]
        assert HOSTILE in document["suppressed"][0]["detail"]


class TestJunit:
    """The JUnit report read by junitparser."""

    def test_suites_cases_and_failures(self, tmp_path: Path) -> None:
        """A suite per target, a case per instance or client, a failure per counted finding."""
        path = tmp_path / "r.xml"
        path.write_text(render_junit(sample()))
        xml = parse_junit(path)
        names = [s.name for s in xml]
        assert names == [
            "gate",
            "cn-beijing",
            "cn-hangzhou",
            "cn-shanghai",
            "1234567890123456/cn-hangzhou",
        ]
        hangzhou = next(s for s in xml if s.name == "cn-hangzhou")
        assert {c.name for c in hangzhou} == {
            "i-aaa",
            "i-bbb",
            "i-ok1",
            "i-ok2",
            "c-ok1",
            "c-ok2",
            "c-orphan",
        }
        assert sorted(f.type for _, f in failures(xml)) == ["no_backup_client"] * 3 + [
            "orphan_client"
        ]
        (beijing,) = (s for s in xml if s.name == "cn-beijing")
        (case,) = beijing
        assert isinstance(case.result[0], junitparser.Error)
        assert case.result[0].type == "ServiceNotActivated"
        gate = next(s for s in xml if s.name == "gate")
        assert {p.name: p.value for p in gate.properties()}["passed"] == "false"

    def test_uncounted_findings_are_skipped_not_failed(self, tmp_path: Path) -> None:
        """Suppressed and baseline findings are <skipped>; expired and stale entries too."""
        path = tmp_path / "r.xml"
        path.write_text(render_junit(_rich()))
        xml = parse_junit(path)
        assert len(failures(xml)) == len(_rich().counted)
        suppressions = next(s for s in xml if s.name == "suppressions")
        assert suppressions.skipped == 2

    def test_hostile_text_is_well_formed_and_visible(self, tmp_path: Path) -> None:
        """Markup is escaped by the serializer; control and non-XML characters are shown."""
        text = render_junit(_rich())
        ET.fromstring(text.encode())  # noqa: S314 - our own document
        path = tmp_path / "r.xml"
        path.write_text(text, encoding="utf-8")
        xml = parse_junit(path)
        messages = " ".join(f.message or "" for _, f in failures(xml))
        messages += " ".join(f.text or "" for _, f in failures(xml))
        beijing = next(s for s in xml if s.name == "cn-beijing")
        messages += next(iter(beijing)).result[0].message
        assert "</script><img" in messages
        assert "\\x1b]0;owned\\x07" in messages
        assert "\\ud800" in messages
        assert "\x1b" not in text
        assert "\ud800" not in text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class TestGithub:
    """The workflow commands against GitHub's documented grammar and escaping."""

    def test_escaping_is_githubs(self) -> None:
        """%, CR, LF in data; also : and , in properties."""
        assert escape_data("50% a\r\nb") == "50%25 a\\x0d%0Ab"
        assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"

    def test_every_line_is_a_command(self) -> None:
        """Verdict first; one line per finding, target error, suppression matter."""
        commands = parse_github(render_github(_rich()))
        verdict = commands[0]
        assert (verdict.name, verdict.properties["title"]) == ("error", "HBR estate coverage FAIL")
        titles = [c.properties["title"] for c in commands]
        assert "could not list cn-beijing" in titles
        assert any(t.startswith("suppressed orphan_client") for t in titles)
        assert any(t.startswith("known no_backup_client") for t in titles)
        assert any(t.startswith("expired suppression suppressions[1]") for t in titles)
        assert any(t.startswith("stale suppression suppressions[2]") for t in titles)
        levels = {c.properties["title"].split()[0]: c.name for c in commands[1:]}
        assert levels["suppressed"] == levels["known"] == levels["stale"] == "warning"

    def test_hostile_text_cannot_start_a_command(self) -> None:
        """A name holding CR LF and '::error::' stays inside its own message, shown exactly."""
        text = render_github(_rich())
        commands = parse_github(text)
        hostile = [c for c in commands if "</script>" in c.message]
        assert hostile
        assert all(
            line.startswith(("::error ", "::warning ", "::notice ")) for line in text.splitlines()
        )
        expected = terminal_text(HOSTILE, keep_newlines=True)
        assert any(expected in c.message for c in hostile)

    def test_tolerated_findings_are_warnings(self) -> None:
        """--max-findings tolerating them: counted findings are warnings, the verdict a notice."""
        commands = parse_github(
            render_github(sample(gate=Gate(max_findings=10), accept_beijing=True))
        )
        assert commands[0].name == "notice"
        assert {c.name for c in commands[1:]} == {"warning"}


class TestMarkdown:
    """The Markdown report: complete, collapsed when long, inert."""

    def test_hostile_text_is_escaped(self) -> None:
        """Markup, mentions, pipes and control characters cannot act."""
        text = render_markdown(_rich())
        check_markdown(text)
        assert "\\</script\\>\\<img" in text

    def test_long_sections_collapse_and_nothing_is_cut(self) -> None:
        """More findings than OPEN_ROWS: every row is there, inside <details>."""
        many = tuple(
            finding("no_backup_client", "cn-hangzhou", instance=f"i-{n:03d}", detail="x" * 300)
            for n in range(OPEN_ROWS + 5)
        )
        text = render_markdown(build_report(coverage(many), gate=Gate()))
        check_markdown(text)
        assert "<details><summary>no_backup_client: 15 findings</summary>" in text
        assert all(f"`i-{n:03d}`" in text for n in range(OPEN_ROWS + 5))
        assert "x" * 300 in text


class TestHtml:
    """The HTML page, parsed (the browser tests load it for real)."""

    def test_one_script_no_handlers_nothing_from_the_data(self) -> None:
        """Hostile names stay text: no img, no handler attribute, one script (ours)."""
        text = render_html(_rich())
        elements = html_elements(text)
        ours = (
            resources.files("hbr_clients_provider.reports")
            .joinpath("assets", "report.js")
            .read_text()
        )
        assert elements.scripts == [ours]
        assert "&lt;/script&gt;&lt;img src=x onerror=" in text
        assert "\x1b" not in text

    def test_self_contained(self) -> None:
        """No URL but data: and the SVG namespace; a CSP forbids everything else."""
        text = render_html(sample())
        urls = set(re.findall(r"(?:https?|ftp)://[^\s\"'<>]+", text))
        assert urls == {"http://www.w3.org/2000/svg"}
        assert "default-src 'none'" in text


class TestTable:
    """The terminal table."""

    def test_hostile_text_is_escaped_and_cut(self) -> None:
        """Control characters are shown as escapes; long cells end with '...'."""
        text = render_table(_rich())
        assert "\x1b" not in text
        assert "suppressed (1):" in text
        assert "expired suppression suppressions[1]" in text
        assert "stale suppression suppressions[2]" in text


@pytest.mark.parametrize("fmt", PRINT_FORMATS)
def test_every_format_renders_an_empty_estate(fmt: str) -> None:
    """No target at all: every format still renders, saying the gate failed."""
    report = build_report(audit_coverage([]), gate=Gate())
    assert not report.passed
    assert render(report, fmt)


@pytest.mark.parametrize("fmt", PRINT_FORMATS)
def test_every_format_of_hostile_text_encodes_as_utf8(fmt: str) -> None:
    """A lone surrogate from the cloud cannot make printing or saving a report fail."""
    render(_rich(), fmt).encode("utf-8")
