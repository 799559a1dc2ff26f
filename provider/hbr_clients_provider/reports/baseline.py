"""A baseline: the JSON report of an earlier run, so that only new findings fail the gate.

A finding's identity is ``rule`` + ``account_id`` + ``region`` + ``instance_id`` +
``client_id`` (:class:`FindingIdentity`): its ``detail`` may change from run to run (a
heartbeat's age, a tag) without it being another finding. Against a baseline each finding
of this run is

* **new**: not in the baseline; only these are counted by the gate;
* **unchanged**: in the baseline; reported, not counted;

and each finding of the baseline that is not in this run (counting suppressed findings) is
**fixed**, but only when its target was listed in this run: a finding of a region that could
not be listed, or was not asked for, is **not rechecked** rather than fixed.

The baseline is read from a report's ``findings`` and ``suppressed`` lists (any JSON report
of ``hbr-clients audit --regions ...``, this version's or the one before, which had no
``suppressed``); only the identity fields are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from hbr_clients_provider.audit.coverage import CoverageFinding, Target
from hbr_clients_provider.errors import Violation
from hbr_clients_provider.reports.errors import InputFileError

__all__ = [
    "IDENTITY_FIELDS",
    "Baseline",
    "BaselineDiff",
    "FindingIdentity",
    "diff_baseline",
    "load_baseline",
    "parse_baseline",
]

#: The fields that make a finding the same finding from one run to the next.
IDENTITY_FIELDS: Final = ("rule", "account_id", "region", "instance_id", "client_id")


@attrs.frozen(kw_only=True, order=True)
class FindingIdentity:
    """What makes a finding the same finding in another run (module docstring)."""

    rule: str
    account_id: str | None
    region: str
    instance_id: str | None
    client_id: str | None

    @classmethod
    def of(cls, finding: CoverageFinding) -> FindingIdentity:
        """The identity of ``finding``."""
        return cls(**{name: getattr(finding, name) for name in IDENTITY_FIELDS})

    @property
    def target(self) -> Target:
        """The target the finding was made in."""
        return Target(account_id=self.account_id, region=self.region)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class Baseline:
    """The findings of an earlier report, by identity."""

    source: str
    """The file it was read from, as the user named it."""
    findings: frozenset[FindingIdentity]


@attrs.frozen(kw_only=True)
class BaselineDiff:
    """This run's findings against a :class:`Baseline` (module docstring)."""

    source: str
    new: tuple[CoverageFinding, ...]
    unchanged: tuple[CoverageFinding, ...]
    fixed: tuple[FindingIdentity, ...]
    not_rechecked: int
    """Findings of the baseline in targets this run did not list."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict: the counts and the fixed findings' identities."""
        return {
            "file": self.source,
            "new": len(self.new),
            "unchanged": len(self.unchanged),
            "fixed": len(self.fixed),
            "not_rechecked": self.not_rechecked,
            "fixed_findings": [f.to_dict() for f in self.fixed],
        }


def diff_baseline(
    findings: Iterable[CoverageFinding],
    baseline: Baseline,
    *,
    listed: Iterable[Target],
    also_present: Iterable[CoverageFinding] = (),
) -> BaselineDiff:
    """Split ``findings`` into new and unchanged; find what was fixed (module docstring).

    :param listed: the targets this run listed.
    :param also_present: findings of this run that are not judged here (the suppressed
        ones), which are not fixed either.
    """
    new: list[CoverageFinding] = []
    unchanged: list[CoverageFinding] = []
    seen: set[FindingIdentity] = set()
    for finding in findings:
        identity = FindingIdentity.of(finding)
        seen.add(identity)
        (unchanged if identity in baseline.findings else new).append(finding)
    seen.update(FindingIdentity.of(f) for f in also_present)
    targets = set(listed)
    gone = sorted(baseline.findings - seen)
    fixed = tuple(f for f in gone if f.target in targets)
    return BaselineDiff(
        source=baseline.source,
        new=tuple(new),
        unchanged=tuple(unchanged),
        fixed=fixed,
        not_rechecked=len(gone) - len(fixed),
    )


def _optional_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _identity(path: str, item: Any) -> tuple[FindingIdentity | None, list[Violation]]:
    if not isinstance(item, Mapping):
        return None, [Violation(field=path, rule="must be a finding (an object)", value=item)]
    found = [
        Violation(field=f"{path}.{name}", rule="must be a string", value=item.get(name))
        for name in ("rule", "region")
        if not isinstance(item.get(name), str)
    ]
    found += [
        Violation(field=f"{path}.{name}", rule="must be a string or null", value=item[name])
        for name in ("account_id", "instance_id", "client_id")
        if not _optional_text(item.get(name))
    ]
    if found:
        return None, found
    return (
        FindingIdentity(
            rule=item["rule"],
            account_id=item.get("account_id"),
            region=item["region"],
            instance_id=item.get("instance_id"),
            client_id=item.get("client_id"),
        ),
        [],
    )


def parse_baseline(document: Any, *, source: str) -> Baseline:
    """The finding identities of a parsed JSON report (``findings`` and ``suppressed``).

    :raises InputFileError: naming ``source`` and each bad finding and field.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("findings"), list):
        rule = "must be a JSON report of 'hbr-clients audit --regions ...' (with 'findings')"
        raise InputFileError(source, (Violation(field="(top level)", rule=rule),))
    suppressed = document.get("suppressed") or []
    if not isinstance(suppressed, list):
        rule = "must be a list of findings"
        raise InputFileError(source, (Violation(field="suppressed", rule=rule),))
    identities: set[FindingIdentity] = set()
    found: list[Violation] = []
    for key, items in (("findings", document["findings"]), ("suppressed", suppressed)):
        for index, item in enumerate(items):
            identity, problems = _identity(f"{key}[{index}]", item)
            found += problems
            if identity is not None:
                identities.add(identity)
    if found:
        raise InputFileError(source, tuple(found))
    return Baseline(source=source, findings=frozenset(identities))


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline report.

    :raises InputFileError: the file cannot be read, is not JSON, or is not a report.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        rule = f"cannot be read: {error.strerror if isinstance(error, OSError) else error}"
        raise InputFileError(source, (Violation(field="(file)", rule=rule),)) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InputFileError(
            source, (Violation(field=where, rule=f"is not JSON: {error.msg}"),)
        ) from error
    return parse_baseline(document, source=source)
