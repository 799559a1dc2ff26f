"""Hostile text from the server through the installed ``hbr-clients`` command.

A fake endpoint (:class:`~tests.hostile.servers.ScriptedHbr`) answers well-formed pages whose
hostnames, statuses, IDs, zones, versions and error messages hold terminal escapes, bidi
overrides, Markdown, CSV formulas or 5 MB of text. Each case runs the command's entry point
(in this process, :func:`~tests.cli_run.run_in_process`) and asserts its exit code, that no
control byte reaches stdout or stderr, and what the reader sees instead. The 5 MB cases run
the installed command as a process: their output size and its peak memory are measured.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from hbr_clients_provider.cli import CSV_COLUMNS
from tests.cli_run import HBR_CLIENTS, Run, run_in_process
from tests.hostile.conftest import cli_env
from tests.hostile.servers import CLIENT, Reply, Script, ScriptedHbr, answer, page_of

#: An OSC window title, a screen clear, a C1 CSI and a right-to-left override.
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"
#: How the command shows them: as text.
SHOWN = r"\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"

HOSTILE_CLIENT: dict[str, Any] = {
    **CLIENT,
    "ClientId": "c-hostile-1",
    "InstanceId": "i-" + ESCAPES,
    "Hostname": "web" + ESCAPES,
    "Status": "ACTIV" + ESCAPES,
    "ZoneId": "z|`*_[x](y)<img src=x onerror=alert(1)>&amp;#",
    "ClientVersion": '=HYPERLINK("http://evil.example","open")',
    "MaxClientVersion": "9.9.9",
    "InstanceName": "+1+cmd|' /C calc'!A0",
    "Tags": [{"Key": "@SUM(1+1)", "Value": "x"}, {"Key": "a;=b", "Value": "-2+3"}],
}


def _unsafe(text: str) -> list[str]:
    """The C0 (but newline), DEL, C1 and bidi characters in ``text``."""
    return [
        hex(ord(c))
        for c in text
        if (ord(c) < 0x20 and c != "\n")
        or 0x7F <= ord(c) <= 0x9F
        or 0x202A <= ord(c) <= 0x202E
        or 0x2066 <= ord(c) <= 0x2069
    ]


def serve_pages(clients: Sequence[dict[str, Any]], page_size: int = 99) -> Script:
    """A script that serves ``clients`` page by page, as HBR does."""

    def script(_number: int, path: str) -> Reply:
        page = page_of(path)
        items = list(clients[(page - 1) * page_size : page * page_size])
        body = answer(items, PageNumber=page, PageSize=page_size, TotalCount=len(clients))
        return Reply.json(body)

    return script


@attrs.frozen
class Measured:
    """One finished ``hbr-clients`` process, its output and its peak memory."""

    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: int
    peak_rss_mb: float


#: Starts the command in argv[1:], waits for it, prints its exit status and peak RSS (KiB).
#: The kernel counts in a child's peak what its parent held when it forked (the pages are
#: shared until ``exec``), so a child of a pytest worker that has grown to 350 MB would report
#: 350 MB; a child of this small launcher reports its own peak.
_MEASURE = (
    "import os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, file=sys.__stderr__)\n"
)


def run(endpoint: str, *args: str) -> Run:
    """Run ``hbr-clients *args`` against ``endpoint`` (in this process)."""
    return run_in_process(args, env=cli_env(endpoint, "http", None))


def measured(endpoint: str, *args: str) -> Measured:
    """Run ``hbr-clients *args`` against ``endpoint`` as a process; stdout goes to a file.

    The peak resident memory is the kernel's accounting of that one child (``os.wait4``),
    started by a small launcher (:data:`_MEASURE`).
    """
    environ = cli_env(endpoint, "http", None)
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path = Path(tmp, "out"), Path(tmp, "err")
        with out_path.open("wb") as out, err_path.open("wb") as err:
            launcher = [sys.executable, "-c", _MEASURE, str(HBR_CLIENTS), *args]
            launched = subprocess.run(
                launcher, stdout=out, stderr=err, env=environ, check=True, timeout=120
            )
        assert launched.returncode == 0
        size = out_path.stat().st_size
        # A table of the 5 MB hostname as it was printed before (755 MB) is never read whole.
        with out_path.open("rb") as out:
            stdout = out.read(2_000_000).decode()
        *lines, facts = err_path.read_text().splitlines(keepends=True)
        stderr = "".join(lines)
    status, peak_kib = (int(n) for n in facts.split())
    return Measured(status, stdout, stderr, size, peak_kib / 1024)


@pytest.fixture
def serve() -> Iterator[Callable[[Script], ScriptedHbr]]:
    """A factory of started scripted endpoints; all stopped afterwards."""
    started: list[ScriptedHbr] = []

    def start(script: Script) -> ScriptedHbr:
        server = ScriptedHbr(script=script).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


Serve = Callable[[Script], ScriptedHbr]


@pytest.fixture
def hostile(serve: Serve) -> ScriptedHbr:
    """An endpoint whose one client is :data:`HOSTILE_CLIENT`."""
    return serve(serve_pages([HOSTILE_CLIENT]))


def _list_args(fmt: str, *args: str) -> tuple[str, ...]:
    return ("list", "--client-type", "ECS_CLIENT", "--format", fmt, *args)


def _audit_args(fmt: str) -> tuple[str, ...]:
    return ("audit", "--client-type", "ECS_CLIENT", "--require-activated", "--require-latest",
            "--format", fmt)  # fmt: skip


def _list(server: ScriptedHbr, fmt: str, *args: str) -> Run:
    return run(server.endpoint, *_list_args(fmt, *args))


def _audit(server: ScriptedHbr, fmt: str) -> Run:
    return run(server.endpoint, *_audit_args(fmt))


class TestTerminal:
    """The table formats and stderr show control characters as escapes."""

    def test_list_table_shows_escapes_as_text(self, hostile: ScriptedHbr) -> None:
        """list --format table: no ESC, BEL, C1 or bidi byte; the hostname reads web\\x1b..."""
        result = _list(hostile, "table")
        assert result.returncode == 0
        assert _unsafe(result.stdout) == []
        assert _unsafe(result.stderr) == []
        assert f"web{SHOWN}" in result.stdout
        assert f"i-{SHOWN}" in result.stdout
        assert result.stdout.endswith("1 client(s)\n")

    def test_audit_table_shows_escapes_as_text(self, hostile: ScriptedHbr) -> None:
        """audit --format table: findings and summary escaped; exit 1 for the findings."""
        result = _audit(hostile, "table")
        assert result.returncode == 1
        assert _unsafe(result.stdout + result.stderr) == []
        assert f"status is ACTIV{SHOWN}, not ACTIVATED" in result.stdout
        assert f"by status:        ACTIV{SHOWN}: 1" in result.stdout

    def test_api_error_message_on_stderr_is_escaped(self, serve: Serve) -> None:
        """A Success:false envelope whose code, message and request ID hold escapes: exit 3."""
        server = serve(
            lambda _n, _p: Reply.json(
                {
                    "Success": False,
                    "Code": "Denied" + ESCAPES,
                    "Message": "boom\r\n" + ESCAPES,
                    "RequestId": "REQ" + ESCAPES,
                }
            )
        )
        result = _list(server, "table", "--max-attempts", "1")
        assert result.returncode == 3
        assert result.stdout == ""
        assert _unsafe(result.stderr) == []
        assert result.stderr.startswith(
            f"hbr-clients: error: DescribeBackupClients failed: Denied{SHOWN}"
        )
        assert f"request id REQ{SHOWN}" in result.stderr
        assert "Traceback" not in result.stderr
        assert len(server.requests) == 1

    def test_non_json_body_quoted_on_stderr_is_escaped(self, serve: Serve) -> None:
        """A body that is not JSON is quoted in the message, its escapes shown as text."""
        server = serve(lambda _n, _p: Reply(content_type="text/plain", body=ESCAPES.encode()))
        result = _list(server, "table", "--max-attempts", "1")
        assert result.returncode == 3
        assert _unsafe(result.stderr) == []
        assert "the response is not JSON" in result.stderr


class TestMarkdown:
    """audit --format markdown, meant for a PR comment, escapes what Markdown or HTML reads."""

    def test_markdown_report_is_escaped(self, hostile: ScriptedHbr) -> None:
        """No control byte; the zone's pipe, link, HTML and entity are escaped; IDs are code."""
        result = _audit(hostile, "markdown")
        assert result.returncode == 1
        assert _unsafe(result.stdout) == []
        assert re.search(r"(?<!\\)[<>&]", result.stdout) is None  # no tag, no entity
        assert (
            r"- **By zone:** z\|\`\*\_\[x\](y)\<img src=x onerror=alert(1)\>\&amp;\#: 1"
            in result.stdout
        )
        assert f"| `c-hostile-1` | `i-{SHOWN}` | `not_activated` |" in result.stdout
        rows = [line for line in result.stdout.splitlines() if line.startswith("| `c-")]
        assert len(rows) == 2  # not_activated and outdated, each on one line


class TestCsv:
    """--format csv follows OWASP's CSV-injection guidance and keeps its columns."""

    def test_formula_cells_start_with_a_quote(self, hostile: ScriptedHbr) -> None:
        """=, +, -, @ cells get a leading ' and every cell is quoted; no control byte."""
        result = _list(hostile, "csv")
        assert result.returncode == 0
        assert _unsafe(result.stdout) == []
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert len(rows) == 1
        row = rows[0]
        assert row["client_version"] == "'" + HOSTILE_CLIENT["ClientVersion"]
        assert row["instance_name"] == "'+1+cmd|' /C calc'!A0"
        assert row["tags"] == "'@SUM(1+1)=x;a;=b=-2+3"
        assert row["hostname"] == f"web{SHOWN}"
        assert all(line.startswith('"') for line in result.stdout.splitlines())

    def test_empty_result_has_the_full_header(self, serve: Serve) -> None:
        """An empty listing's CSV header is the same as a non-empty one's."""
        empty = _list(serve(serve_pages([])), "csv")
        full = _list(serve(serve_pages([CLIENT])), "csv")
        assert empty.returncode == full.returncode == 0
        header = next(csv.reader(io.StringIO(empty.stdout)))
        assert header == list(CSV_COLUMNS)
        assert empty.stdout.splitlines() == full.stdout.splitlines()[:1]


class TestJson:
    """--format json stays exact: json.dumps already escapes every control character."""

    def test_json_is_exact_and_has_no_control_byte(self, hostile: ScriptedHbr) -> None:
        """The hostile values read back unchanged, yet no raw control byte is printed."""
        result = _list(hostile, "json")
        assert result.returncode == 0
        assert _unsafe(result.stdout) == []
        (client,) = json.loads(result.stdout)
        assert client["hostname"] == HOSTILE_CLIENT["Hostname"]
        assert client["status"] == HOSTILE_CLIENT["Status"]
        assert client["client_version"] == HOSTILE_CLIENT["ClientVersion"]


#: The fleet of the wide-cell case: 150 clients, the first with a 5 MB hostname.
_WIDE_FLEET = 150
_HUGE = 5_000_000


def _fleet(hostname_chars: int) -> list[dict[str, Any]]:
    clients = [
        {**CLIENT, "ClientId": f"c-{n}", "InstanceId": f"i-{n}"} for n in range(1, _WIDE_FLEET + 1)
    ]
    clients[0]["Hostname"] = "h" * hostname_chars
    return clients


class TestWideCells:
    """One client with a 5 MB hostname in a 150-client table: bounded output, flat memory."""

    def test_table_of_a_5mb_hostname_is_bounded(self, serve: Serve) -> None:
        """The table is about 17 KB (755 MB before) and says once that cells were cut."""
        result = measured(serve(serve_pages(_fleet(_HUGE))).endpoint, *_list_args("table"))
        assert result.returncode == 0
        assert result.stdout_bytes < 64_000
        lines = result.stdout.splitlines()
        assert len(lines) == 1 + _WIDE_FLEET + 2
        assert lines[-2] == f"{_WIDE_FLEET} client(s)"
        assert lines[-1] == (
            "cells longer than 80 characters were cut; use --format json for full values"
        )
        assert max(len(line) for line in lines) < 250
        assert "h" * 77 + "..." in lines[1]

    def test_peak_memory_stays_flat(self, serve: Serve) -> None:
        """The 5 MB hostname costs the CLI less than 60 MB more than a short one."""
        short = measured(serve(serve_pages(_fleet(5))).endpoint, *_list_args("table"))
        huge = measured(serve(serve_pages(_fleet(_HUGE))).endpoint, *_list_args("table"))
        assert short.returncode == huge.returncode == 0
        assert "cells longer than" not in short.stdout
        assert huge.peak_rss_mb - short.peak_rss_mb < 60, (short.peak_rss_mb, huge.peak_rss_mb)
        assert huge.peak_rss_mb < 200

    def test_audit_table_of_a_5mb_detail_is_bounded(self, serve: Serve) -> None:
        """A 5 MB status quoted in a finding and in the summary is cut there too."""
        fleet = _fleet(5)
        fleet[0]["Status"] = "S" * _HUGE
        result = measured(serve(serve_pages(fleet)).endpoint, *_audit_args("table"))
        assert result.returncode == 1
        assert result.stdout_bytes < 64_000
        assert result.stdout.rstrip().endswith(
            "cells longer than 80 characters were cut; use --format json for full values"
        )
