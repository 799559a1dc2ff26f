"""The CI examples under examples/ci: valid YAML of the expected shape, real flags, files.

Each ``hbr-clients audit`` command they run is parsed by the real command-line parser, and
the example suppressions file by the real loader, so an example cannot drift from the tool.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import yaml

from hbr_clients_provider.cli import build_parser
from hbr_clients_provider.reports.formats import REPORT_FORMATS
from hbr_clients_provider.reports.suppressions import load_suppressions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ci"


def _load(name: str) -> Any:
    return yaml.safe_load((EXAMPLES / name).read_text())


def _audit_commands(scripts: list[str]) -> list[list[str]]:
    commands = [shlex.split(s) for s in scripts if s.lstrip().startswith("hbr-clients audit")]
    assert commands, "no hbr-clients audit command"
    return commands


def _check_command(argv: list[str]) -> Any:
    args = build_parser().parse_args(argv[1:])
    assert args.regions == "all"
    assert args.require_client
    reports = dict(r.split("=", 1) for r in args.reports)
    assert set(reports) <= set(REPORT_FORMATS)
    assert reports["junit"].endswith(".xml")
    assert reports["html"].endswith(".html")
    return reports


class TestGithubActions:
    """examples/ci/github-actions.yml."""

    def test_a_workflow_that_publishes_junit_and_keeps_the_html(self) -> None:
        """One job: the audit with --format github, a JUnit publisher, an artifact of the HTML."""
        workflow = _load("github-actions.yml")
        assert workflow["permissions"]["checks"] == "write"
        (job,) = workflow["jobs"].values()
        steps = job["steps"]
        assert all(("run" in s) != ("uses" in s) for s in steps)
        (command,) = _audit_commands([s["run"] for s in steps if "run" in s])
        reports = _check_command(command)
        assert "--format" in command
        assert command[command.index("--format") + 1] == "github"
        junit = next(s for s in steps if s.get("uses", "").startswith("mikepenz/action-junit"))
        assert junit["with"]["report_paths"] == reports["junit"]
        upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
        assert reports["html"] in upload["with"]["path"].split()
        assert upload["if"] == junit["if"] == "${{ !cancelled() }}"


class TestGitlabCi:
    """examples/ci/gitlab-ci.yml."""

    def test_a_job_that_publishes_junit_and_keeps_the_html(self) -> None:
        """JUnit as a test report, the HTML as an exposed artifact, kept when the job fails."""
        (job,) = _load("gitlab-ci.yml").values()
        (command,) = _audit_commands(job["script"])
        reports = _check_command(command)
        artifacts = job["artifacts"]
        assert artifacts["when"] == "always"
        assert artifacts["reports"]["junit"] == reports["junit"]
        assert reports["html"] in artifacts["paths"]


def test_the_example_suppressions_load() -> None:
    """The example suppressions file is valid for the real loader."""
    entries = load_suppressions(EXAMPLES / "suppressions.yaml")
    assert [e.rule for e in entries] == ["no_backup_client", "orphan_client"]
