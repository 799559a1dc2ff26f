"""Each report format read by what consumes it: a schema validator, a JUnit parser, the
workflow-command grammar GitHub documents, a Markdown and an HTML structure check.

Shared by the renderer tests (crafted reports) and the CLI test (a real run).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final

import attrs
import junitparser
from jsonschema import Draft202012Validator

from hbr_clients_provider.reports.json_report import load_schema

# The workflow command grammar (docs.github.com, "Workflow commands for GitHub Actions", and
# @actions/core's command.ts): "::" name [" " key=value ("," key=value)*] "::" message. A
# message escapes % CR LF as %25 %0D %0A; a property value also : and , as %3A %2C.
_LINE: Final = re.compile(r"::(?P<name>[a-z-]+)(?: (?P<props>[^:\r\n]*))?::(?P<data>[^\r\n]*)")
_PROPERTY: Final = re.compile(
    r"(?P<key>title|file|line|endLine|col|endColumn)=(?P<value>(?:[^,:%\r\n]|%(?:25|0D|0A|3A|2C))*)"
)
_DATA: Final = re.compile(r"(?:[^%\r\n]|%(?:25|0D|0A))*")
_UNESCAPE: Final = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}
#: The annotation commands a report may use.
ANNOTATIONS: Final = ("error", "warning", "notice")


@attrs.frozen
class Command:
    """One parsed workflow command, its properties and message unescaped."""

    name: str
    properties: dict[str, str]
    message: str


def _unescape(text: str) -> str:
    return re.sub(r"%(?:25|0D|0A|3A|2C)", lambda m: _UNESCAPE[m.group()], text)


def parse_github(text: str) -> list[Command]:
    """Every line as a workflow command, checked against the grammar; raises on any other."""
    assert text.endswith("\n")
    commands = []
    for number, line in enumerate(text[:-1].split("\n"), 1):
        match = _LINE.fullmatch(line)
        assert match, f"line {number} is not a workflow command: {line!r}"
        assert match["name"] in ANNOTATIONS, line
        assert _DATA.fullmatch(match["data"]), f"line {number}: bad escaping in {line!r}"
        properties = {}
        for item in (match["props"] or "").split(",") if match["props"] else []:
            prop = _PROPERTY.fullmatch(item)
            assert prop, f"line {number}: bad property {item!r}"
            properties[prop["key"]] = _unescape(prop["value"])
        commands.append(Command(match["name"], properties, _unescape(match["data"])))
    return commands


def validate_json(text: str) -> dict[str, Any]:
    """The report, validated against the schema shipped in the package (formats checked)."""
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    document: dict[str, Any] = json.loads(text)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    return document


def parse_junit(path: Path) -> junitparser.JUnitXml:
    """The JUnit file read by junitparser, its counts checked against its testcases."""
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert suites, "no testsuite"
    for suite in suites:
        cases = list(suite)
        kinds = [type(case.result[0]).__name__ if case.result else "" for case in cases]
        assert suite.tests == len(cases), suite.name
        assert suite.failures == kinds.count("Failure"), suite.name
        assert suite.errors == kinds.count("Error"), suite.name
        assert suite.skipped == kinds.count("Skipped"), suite.name
    assert xml.tests == sum(s.tests for s in suites)
    assert xml.failures == sum(s.failures for s in suites)
    return xml


def failures(xml: junitparser.JUnitXml) -> list[tuple[str, junitparser.Failure]]:
    """Every ``(suite name, <failure>)`` of the target suites (not the gate's)."""
    return [
        (suite.name, result)
        for suite in xml
        if suite.name != "gate"
        for case in suite
        for result in case.result
        if isinstance(result, junitparser.Failure)
    ]


_OWN_MARKDOWN_TAGS: Final = re.compile(r"</?(?:details|summary|sub)>")


def check_markdown(text: str) -> None:
    """No raw HTML but this format's own tags, no control character, no live mention.

    A code span shows its text verbatim (CommonMark 6.1), so what is inside one is skipped.
    """
    for line in text.splitlines():
        if line.startswith("| "):
            assert line.endswith(" |"), line
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028]", text)
    prose = re.sub(r"`[^`\n]*`", "`code`", text)
    for match in re.finditer(r"(?<!\\)<", prose):
        assert _OWN_MARKDOWN_TAGS.match(prose, match.start()), prose[match.start() :][:40]
    assert not re.search(r"(?<![\\`])@\w", prose)


class _Elements(HTMLParser):
    """Every start tag and its attributes, and the text of every script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def html_elements(text: str) -> _Elements:
    """The page parsed: one script, no event-handler attribute, no element from the data."""
    parser = _Elements()
    parser.feed(text)
    parser.close()
    names = [tag for tag, _ in parser.tags]
    assert names.count("script") == 1
    assert "img" not in names
    assert "iframe" not in names
    for tag, attributes in parser.tags:
        handlers = [a for a in attributes if a.startswith("on")]
        assert not handlers, (tag, handlers)
        for name in ("src", "href"):
            value = attributes.get(name)
            assert value is None or value.startswith("data:"), (tag, name, value)
    return parser
