"""``hbr-clients audit --regions ... --report FORMAT=PATH``: one real run against the emulated
cloud writes every format at once, and each is read by its consumer (jsonschema,
junitparser, GitHub's workflow-command grammar, a Markdown check, headless Chromium).

The cloud: three regions of 40 instances (HBR not activated in cn-beijing) and, in
cn-hangzhou, one more client whose instance ID an attacker chose (markup, terminal escapes,
a line break and a workflow command): an orphan the audit must report, inert in every format.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import junitparser
import pytest

from hbr_clients_provider.display import terminal_text
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from hbr_emulator.estate import Estate
from tests.cli_run import HBR_CLIENTS, Run, run_in_process

from ._chromium import WINDOW, Chromium
from ._consumers import check_markdown, failures, parse_github, parse_junit, validate_json
from ._pages import NUMBERS
from .test_html_browser import page_numbers_match, png_size

REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")
LISTED = ("cn-hangzhou", "cn-shanghai")
HOSTILE_ID = "i-evil</script><img src=x onerror=alert(1)>\x1b]0;pwn\x07\r\n::error::x"
FORMATS = ("json", "junit", "github", "markdown", "html")


def _env(emu: Emulator, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HBR_", "ALIBABA_CLOUD_", "GITHUB_"))
        and k != "CI"
        and "PROXY" not in k.upper()
    }
    env.update(
        HBR_CONNECT_TO=emu.endpoint,
        HBR_PROTOCOL="http",
        ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET,
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    """The emulated estate, with a hostile orphan client in cn-hangzhou."""
    estate = Estate(regions=REGIONS, instances_per_region=40, not_activated=("cn-beijing",), seed=3)
    with Emulator(estate=estate) as emu:
        emu.cloud.hbr("cn-hangzhou").add_client(
            {"ClientId": "c-hostile", "ClientType": "ECS_CLIENT", "InstanceId": HOSTILE_ID}
        )
        yield emu


Audit = Callable[..., Run]


@pytest.fixture
def audit(cloud: Emulator) -> Audit:
    """Run ``hbr-clients audit ARGS`` against the cloud (``env=`` adds variables)."""

    def run(*args: str, env: dict[str, str] | None = None) -> Run:
        return run_in_process(["audit", *args], env=_env(cloud, **(env or {})))

    return run


def _truth(emu: Emulator) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The seeded (region, instance) without a client and (region, client) orphans."""
    truth = emu.estate_truth()
    uncovered = {(r, i) for r in LISTED for i in truth.region(r).uncovered_instance_ids}
    orphans = {(r, c) for r in LISTED for c in truth.region(r).orphan_client_ids}
    return uncovered, orphans | {("cn-hangzhou", "c-hostile")}


@pytest.fixture(scope="module")
def run(cloud: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The run: its result, its files, and how long it took."""
    out = tmp_path_factory.mktemp("reports")
    summary = out / "step-summary.md"
    summary.write_text("earlier step\n")
    paths = {fmt: out / f"estate.{fmt}" for fmt in FORMATS}
    started = time.monotonic()
    result = run_in_process(
        [
            "audit", "--regions", "all", "--require-client",
            *(a for fmt, p in paths.items() for a in ("--report", f"{fmt}={p}")),
            "--format", "json",
        ],
        env=_env(cloud, GITHUB_STEP_SUMMARY=str(summary)),
    )  # fmt: skip
    seconds = time.monotonic() - started
    return {"result": result, "paths": paths, "summary": summary, "seconds": seconds}


class TestEveryFormatFromOneRun:
    """One run, five reports and the printed JSON, each checked by its consumer."""

    def test_exit_code_and_printed_json(self, run: dict[str, Any]) -> None:
        """Incomplete (cn-beijing): exit 3; what is printed is the JSON report written."""
        result: Run = run["result"]
        assert result.returncode == 3, result.stderr
        assert result.stdout == run["paths"]["json"].read_text()
        assert run["seconds"] < 30

    def test_json_against_its_schema_and_the_truth(
        self, run: dict[str, Any], cloud: Emulator
    ) -> None:
        """jsonschema validates it; its findings are exactly what the emulator seeded."""
        document = validate_json(run["paths"]["json"].read_text())
        assert (document["passed"], document["complete"]) == (False, False)
        assert document["gate"]["reasons"] == ["incomplete", "too_many_findings"]
        assert document["tool"]["name"] == "hbr-clients"
        assert document["query"]["regions"] == "all"
        assert document["query"]["flags"]["require_client"] is True
        uncovered, orphans = _truth(cloud)
        found = document["findings"]
        assert {
            (f["region"], f["instance_id"]) for f in found if f["rule"] == "no_backup_client"
        } == uncovered
        assert {
            (f["region"], f["client_id"]) for f in found if f["rule"] == "orphan_client"
        } == orphans
        assert HOSTILE_ID in {f["instance_id"] for f in found}

    def test_junit_by_junitparser(self, run: dict[str, Any], cloud: Emulator) -> None:
        """A suite per region, a case per instance in scope and client, a failure per finding."""
        xml = parse_junit(run["paths"]["junit"])
        document = json.loads(run["paths"]["json"].read_text())
        assert [s.name for s in xml] == ["gate", "cn-beijing", "cn-hangzhou", "cn-shanghai"]
        truth = cloud.estate_truth()
        for suite in xml:
            if suite.name in LISTED:
                cases = list(suite)
                instances = [c for c in cases if c.classname.endswith(".instance")]
                assert len(instances) == len(truth.region(suite.name).instances)
                target = next(t for t in document["targets"] if t["region"] == suite.name)
                assert suite.failures == len(
                    [f for f in document["findings"] if f["region"] == suite.name]
                )
                assert len(cases) > target["instances"]
        found = {(name, f.type, f.message) for name, f in failures(xml)}
        expected = {
            (
                f["region"],
                f["rule"],
                terminal_text(
                    f"{f['rule']} "
                    + " ".join(i for i in (f["instance_id"], f["client_id"]) if i)
                    + f": {f['detail']}"
                ),
            )
            for f in document["findings"]
        }
        assert found == expected
        beijing = next(s for s in xml if s.name == "cn-beijing")
        (case,) = list(beijing)
        assert isinstance(case.result[0], junitparser.Error)
        assert case.result[0].type == "ServiceNotActivated"
        gate = next(s for s in xml if s.name == "gate")
        assert {p.name: p.value for p in gate.properties()}["complete"] == "false"

    def test_github_commands_by_the_grammar(self, run: dict[str, Any]) -> None:
        """Every line is a workflow command; one error per finding; the summary is appended."""
        commands = parse_github(run["paths"]["github"].read_text())
        document = json.loads(run["paths"]["json"].read_text())
        assert commands[0].name == "error"
        assert commands[0].properties["title"] == "HBR estate coverage FAIL"
        assert commands[1].properties["title"] == "could not list cn-beijing"
        errors = [c for c in commands[2:] if c.name == "error"]
        assert len(errors) == len(document["findings"])
        hostile = [c for c in errors if "</script>" in c.properties["title"]]
        assert len(hostile) == 1
        assert terminal_text(HOSTILE_ID, keep_newlines=True) in hostile[0].message
        summary = run["summary"].read_text()
        markdown = run["paths"]["markdown"].read_text()
        assert summary == "earlier step\n" + markdown + "\n"

    def test_markdown_complete_and_inert(self, run: dict[str, Any]) -> None:
        """Every finding's instance is in it; nothing is raw HTML, a mention or a control."""
        text = run["paths"]["markdown"].read_text()
        check_markdown(text)
        document = json.loads(run["paths"]["json"].read_text())
        for item in document["findings"]:
            if item["instance_id"] != HOSTILE_ID:
                assert f"`{item['instance_id']}`" in text
        assert "i-evil\\</script\\>\\<img" in text

    def test_html_in_chromium(self, run: dict[str, Any], tmp_path: Path) -> None:
        """Loads clean and offline; shows the JSON's numbers; a screenshot is taken."""
        document = json.loads(run["paths"]["json"].read_text())
        with Chromium() as browser:
            page = browser.load(run["paths"]["html"])
            numbers = page.evaluate(NUMBERS)
            shot = page.screenshot(tmp_path / "estate-report.png")
            problems, requests = page.problems, page.requests
        page_numbers_match(numbers, document)
        assert numbers["images"] == 0
        assert problems == []
        assert [u for u in requests if not u.startswith("file:")] == []
        assert png_size(shot) == WINDOW


class TestReportInputs:
    """Bad report flags and files exit 2 naming them, before anything is sent or written."""

    @pytest.mark.parametrize(
        ("value", "words"),
        [
            ("xml={dir}/r.xml", "FORMAT must be one of json, junit, github, markdown, html"),
            ("jsn={dir}/r.json", "did you mean json?"),
            ("json", "must be FORMAT=PATH"),
            ("json={dir}/missing/r.json", "does not exist"),
            ("json={dir}", "is a directory"),
        ],
    )
    def test_bad_report_exits_2_before_anything(
        self, cloud: Emulator, audit: Audit, tmp_path: Path, value: str, words: str
    ) -> None:
        """The message names --report and why; no request is sent; no file is written."""
        before = len(cloud.backend.request_log())
        good = f"json={tmp_path}/good.json"
        run = audit("--regions", "cn-hangzhou", "--require-client", "--report", good,
                    "--report", value.format(dir=tmp_path))  # fmt: skip
        assert run.returncode == 2, run.stderr
        assert "--report #2" in run.stderr
        assert words in run.stderr
        assert len(cloud.backend.request_log()) == before
        assert list(tmp_path.iterdir()) == []

    def test_the_same_path_twice_is_refused(self, audit: Audit, tmp_path: Path) -> None:
        """Two reports to one file would overwrite each other: exit 2."""
        path = tmp_path / "r"
        run = audit("--regions", "cn-hangzhou", "--report", f"json={path}",
                    "--report", f"html={path}")  # fmt: skip
        assert run.returncode == 2
        assert "already the file of --report #1" in run.stderr

    def test_unwritable_step_summary_is_refused(self, audit: Audit, tmp_path: Path) -> None:
        """A github report with GITHUB_STEP_SUMMARY in a missing directory: exit 2 naming it."""
        run = audit("--regions", "cn-hangzhou", "--format", "github",
                    env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "summary.md")})  # fmt: skip
        assert run.returncode == 2
        assert "GITHUB_STEP_SUMMARY" in run.stderr

    def test_malformed_suppressions_name_file_entry_and_field(
        self, cloud: Emulator, audit: Audit, tmp_path: Path
    ) -> None:
        """Exit 2; each problem names the file, the entry and the field; nothing is sent."""
        path = tmp_path / "suppressions.yaml"
        path.write_text(
            "suppressions:\n"
            "  - {rule: orphan_client, reason: ok, expires: 2030-01-01}\n"
            "  - {rule: no_backup_client, instance: i-1, expires: 2030-02-30}\n"
        )
        before = len(cloud.backend.request_log())
        run = audit("--regions", "cn-hangzhou", "--suppressions", str(path))
        assert run.returncode == 2, run.stderr
        prefix = f"--suppressions {path}: suppressions[1]"
        assert f"{prefix}.instance: is not a field" in run.stderr
        assert f"{prefix}.reason: is required" in run.stderr
        assert f"{prefix}.expires: is required" in run.stderr
        assert len(cloud.backend.request_log()) == before

    def test_bad_baseline_is_named(self, audit: Audit, tmp_path: Path) -> None:
        """A baseline that is not a report: exit 2 naming --baseline and the file."""
        path = tmp_path / "previous.json"
        path.write_text('{"findings": [{"rule": "orphan_client"}]}')
        run = audit("--regions", "cn-hangzhou", "--baseline", str(path))
        assert run.returncode == 2
        assert f"--baseline {path}: findings[0].region: must be a string" in run.stderr

    def test_the_client_audit_refuses_estate_report_flags(self, audit: Audit) -> None:
        """Without an estate flag, --report/--suppressions/--format html are refused (exit 2)."""
        run = audit("--client-type", "ECS_CLIENT", "--report", "json=x.json", "--format", "html")
        assert run.returncode == 2
        assert "--report" in run.stderr
        assert "--format" in run.stderr


class TestSuppressionsAndBaseline:
    """The suppressions file and the baseline through the real command."""

    def test_suppressed_expired_stale_and_baseline(self, audit: Audit, tmp_path: Path) -> None:
        """Suppressed and known findings do not fail the gate; new ones do; each is reported."""
        first = tmp_path / "first.json"
        run = audit("--regions", "cn-hangzhou,cn-shanghai", "--require-client",
                    "--report", f"json={first}")  # fmt: skip
        assert run.returncode == 1, run.stderr
        findings = json.loads(first.read_text())["findings"]
        uncovered = [f for f in findings if f["rule"] == "no_backup_client"]
        today = datetime.now(UTC).date()
        suppressions = tmp_path / "suppressions.yaml"
        suppressions.write_text(
            "suppressions:\n"
            f"  - rule: no_backup_client\n    region: {uncovered[0]['region']}\n"
            f"    instance_id: {uncovered[0]['instance_id']}\n"
            f"    reason: being decommissioned\n    expires: {today + timedelta(days=30)}\n"
            f"  - rule: no_backup_client\n    instance_id: {uncovered[1]['instance_id']}\n"
            f"    reason: was waived\n    expires: {today - timedelta(days=1)}\n"
            f"  - rule: orphan_client\n    client_id: c-long-gone\n"
            f"    reason: cleaned up\n    expires: {today + timedelta(days=30)}\n"
        )
        known = json.loads(first.read_text())
        fixed = {**known["findings"][0], "instance_id": "i-fixed-since", "client_id": None}
        new = known["findings"].pop()
        known["findings"].append(fixed)
        baseline = tmp_path / "baseline.json"
        baseline.write_text(json.dumps(known))
        second = tmp_path / "second.json"
        run = audit("--regions", "cn-hangzhou,cn-shanghai", "--require-client",
                    "--suppressions", str(suppressions), "--baseline", str(baseline),
                    "--report", f"json={second}", "--format", "table")  # fmt: skip
        assert run.returncode == 1, run.stderr
        report = validate_json(second.read_text())
        assert [s["instance_id"] for s in report["suppressed"]] == [uncovered[0]["instance_id"]]
        assert [e["index"] for e in report["suppressions"]["expired"]] == [1]
        assert report["suppressions"]["expired"][0]["matched"] == 1
        assert [e["index"] for e in report["suppressions"]["stale"]] == [2]
        assert report["baseline"]["new"] == 1
        assert report["baseline"]["fixed"] == 1
        assert report["baseline"]["unchanged"] == len(findings) - 2
        assert report["gate"]["findings"] == 1
        assert [f["instance_id"] for f in report["findings"] if f["counted"]] == [
            new["instance_id"]
        ]
        assert "more new findings than the 0 allowed" in run.stderr
        assert "expired suppression suppressions[1]" in run.stdout
        assert "stale suppression suppressions[2]" in run.stdout
        baseline.write_text(json.dumps({**known, "findings": [*known["findings"], new]}))
        run = audit("--regions", "cn-hangzhou,cn-shanghai", "--require-client",
                    "--suppressions", str(suppressions), "--baseline", str(baseline))  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.startswith("PASS: ")


def _with_tty_stderr(command: list[str], env: dict[str, str]) -> str:
    """Run ``command`` with stderr on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(leader, 4096)
            except OSError:  # the terminal closed when the process ended
                break
            if not data:
                break
            chunks.append(data)
        process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


class TestProgress:
    """Targets done on a terminal; silence in CI and off a terminal."""

    def test_progress_on_a_terminal(self, cloud: Emulator) -> None:
        """stderr a terminal: targets done out of the total, with instances and clients."""
        command = [str(HBR_CLIENTS), "audit", "--regions", ",".join(REGIONS), "--require-client"]
        shown = _with_tty_stderr(command, _env(cloud))
        assert "\rhbr-clients: targets 1/3 listed" in shown
        assert "targets 3/3 listed, 80 instances, 77 clients" in shown

    def test_silent_in_ci_and_off_a_terminal(self, cloud: Emulator, audit: Audit) -> None:
        """CI set, or stderr a pipe: no progress line."""
        command = [str(HBR_CLIENTS), "audit", "--regions", ",".join(REGIONS), "--require-client"]
        assert "listed, " not in _with_tty_stderr(command, _env(cloud, CI="true"))
        assert "listed, " not in audit("--regions", "cn-hangzhou", "--require-client").stderr
