"""Where reports go: the checks made before the audit, the atomic write, the job summary."""

from __future__ import annotations

import stat
from pathlib import Path

from hbr_clients_provider.audit.coverage import Target, TargetListing
from hbr_clients_provider.reports.escape import encodable, html_text, xml_text
from hbr_clients_provider.reports.outputs import (
    append_step_summary,
    parse_report_requests,
    write_report,
)
from hbr_clients_provider.reports.progress import TargetProgress, progress_for

from ._samples import sample


class TestParseReportRequests:
    """--report FORMAT=PATH values, checked without creating anything."""

    def test_good_requests(self, tmp_path: Path) -> None:
        """Each value becomes a request in order."""
        requests, problems = parse_report_requests(
            [f"json={tmp_path}/a.json", f"html={tmp_path}/a.html"], {}
        )
        assert problems == []
        assert [(r.fmt, r.path.name) for r in requests] == [("json", "a.json"), ("html", "a.html")]
        assert list(tmp_path.iterdir()) == []

    def test_violations_name_the_flag_occurrence(self, tmp_path: Path) -> None:
        """A violation's field is report[i]: the CLI names it '--report #i+1'."""
        _, problems = parse_report_requests([f"json={tmp_path}/a", "csv=x"], {})
        assert [p.field for p in problems] == ["report[1]"]

    def test_step_summary_is_checked_only_for_github(self, tmp_path: Path) -> None:
        """GITHUB_STEP_SUMMARY in a missing directory matters only to the github format."""
        env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "missing" / "s.md")}
        assert parse_report_requests([f"json={tmp_path}/a"], env)[1] == []
        _, problems = parse_report_requests([f"github={tmp_path}/a"], env)
        assert [p.field for p in problems] == ["GITHUB_STEP_SUMMARY"]
        _, problems = parse_report_requests([], env, printing_github=True)
        assert [p.field for p in problems] == ["GITHUB_STEP_SUMMARY"]


class TestWriteReport:
    """Writing a report file."""

    def test_replaces_a_file_atomically_keeping_its_mode(self, tmp_path: Path) -> None:
        """The old file is replaced whole, with its permissions, and no temporary is left."""
        path = tmp_path / "r.json"
        path.write_text("old")
        path.chmod(0o640)
        write_report("new", path)
        assert path.read_text() == "new"
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert [p.name for p in tmp_path.iterdir()] == ["r.json"]

    def test_a_device_is_written_not_replaced(self) -> None:
        """/dev/null stays a device: a path that is not a regular file is written in place."""
        write_report("x", Path("/dev/null"))
        assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)

    def test_step_summary_is_appended(self, tmp_path: Path) -> None:
        """The Markdown report is appended after what earlier steps wrote."""
        path = tmp_path / "summary.md"
        path.write_text("before\n")
        append_step_summary(sample(), {"GITHUB_STEP_SUMMARY": str(path)})
        text = path.read_text()
        assert text.startswith("before\n### HBR estate coverage\n")
        assert append_step_summary(sample(), {}) is None


class TestEscape:
    """XML and HTML text."""

    def test_xml_text(self) -> None:
        """Control characters, lone surrogates and U+FFFE become visible escapes."""
        assert xml_text("a\x1b\ud800\ufffe\u202e<&>") == "a\\x1b\\ud800\\ufffe\\u202e<&>"
        assert xml_text("a\nb", keep_newlines=True) == "a\nb"

    def test_html_text(self) -> None:
        """Markup and both quotes are escaped; the text is on one line."""
        assert html_text("<img onerror='x'>\n\"") == "&lt;img onerror=&#x27;x&#x27;&gt; &quot;"

    def test_encodable(self) -> None:
        """Only lone surrogates change."""
        assert encodable("é\ud83d") == "é\\ud83d"
        assert encodable("😀") == "😀"


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.text = ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        return None


class TestProgress:
    """The progress line."""

    def test_shown_on_a_terminal_outside_ci(self) -> None:
        """A terminal gets a line rewritten per target; CI or a pipe gets nothing."""
        assert progress_for(_Terminal(tty=False), {}, total=2) is None  # type: ignore[arg-type]
        assert progress_for(_Terminal(tty=True), {"CI": "1"}, total=2) is None  # type: ignore[arg-type]
        stream = _Terminal(tty=True)
        progress = progress_for(stream, {}, total=None)  # type: ignore[arg-type]
        assert isinstance(progress, TargetProgress)
        progress(TargetListing(target=Target(region="cn-hangzhou")))
        progress.finish()
        assert stream.text == "\rhbr-clients: targets 1/? listed, 0 instances, 0 clients\n"
