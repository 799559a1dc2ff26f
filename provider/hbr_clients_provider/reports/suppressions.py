"""Suppressions that expire: known findings that do not fail the gate, until a date.

A suppressions file (YAML) lists entries; each names a rule and, optionally, where it
applies, and must say why and until when::

    suppressions:
      - rule: no_backup_client          # required: one of the estate's rules
        region: cn-hangzhou             # optional: account_id, region, instance_id, client_id
        instance_id: i-bp1...           #   (a field left out matches any value)
        reason: "decommissioned in TICKET-123; released with the next deploy"  # required
        expires: 2025-07-01             # required: a date, the last day it applies

The rules, applied by the pure :func:`apply_suppressions` (no clock, no I/O: the caller
passes ``today``):

* a finding matched by an entry still in force (``today <= expires``) is **suppressed**: it
  is reported with the entry's reason, and the gate does not count it;
* an **expired** entry suppresses nothing, so what it matched counts again; the entry itself
  is reported (with the findings it would have matched), so the reason can be renewed or the
  finding fixed;
* an entry in force that matches no finding is **stale** (what it excused is gone: remove
  it). An entry is only called stale when a target it could apply to was listed; one that
  names only targets that could not be listed is not judged.

A malformed file (:func:`parse_suppressions`) raises :class:`~.errors.InputFileError` naming
the entry (``suppressions[2]``) and the field; an unknown field is an error too, since a
misspelt ``instance_id`` would otherwise widen an entry to every instance.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import attrs

from hbr_clients_provider.api.sts_api import valid_account_id
from hbr_clients_provider.audit.coverage import COVERAGE_RULES, CoverageFinding, Target
from hbr_clients_provider.errors import NOT_GIVEN, Violation
from hbr_clients_provider.reports.errors import InputFileError

__all__ = [
    "MATCH_FIELDS",
    "SUPPRESSION_FIELDS",
    "ExpiredSuppression",
    "SuppressedFinding",
    "Suppression",
    "SuppressionOutcome",
    "apply_suppressions",
    "load_suppressions",
    "parse_suppressions",
]

#: The fields that say where an entry applies; a field left out matches any value.
MATCH_FIELDS: Final = ("account_id", "region", "instance_id", "client_id")

#: Every field an entry may have, in the order they are checked.
SUPPRESSION_FIELDS: Final = ("rule", *MATCH_FIELDS, "reason", "expires")

_TOP_RULE = "must be a mapping with one key, 'suppressions': a list of entries"


@attrs.frozen(kw_only=True)
class Suppression:
    """One entry of a suppressions file: which findings, why, and the last day it applies."""

    index: int
    """Its position in the file's list, from 0 (``suppressions[index]``)."""
    rule: str
    account_id: str | None = None
    region: str | None = None
    instance_id: str | None = None
    client_id: str | None = None
    reason: str
    expires: date
    """The last day the entry applies: it is expired from the day after."""

    def matches(self, finding: CoverageFinding) -> bool:
        """Whether ``finding`` is one this entry names (whether in force or not)."""
        if finding.rule != self.rule:
            return False
        return all(
            getattr(self, name) is None or getattr(self, name) == getattr(finding, name)
            for name in MATCH_FIELDS
        )

    def could_apply_to(self, target: Target) -> bool:
        """Whether a finding of ``target`` could match this entry."""
        return (self.account_id is None or self.account_id == target.account_id) and (
            self.region is None or self.region == target.region
        )

    def expired(self, today: date) -> bool:
        """Whether ``today`` is after the entry's last day."""
        return today > self.expires

    @property
    def label(self) -> str:
        """``suppressions[2] (no_backup_client cn-hangzhou i-abc)``: how messages name it."""
        where = " ".join(str(getattr(self, n)) for n in MATCH_FIELDS if getattr(self, n))
        return f"suppressions[{self.index}] ({self.rule}{' ' + where if where else ''})"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (``expires`` as ``YYYY-MM-DD``)."""
        return {
            "index": self.index,
            "rule": self.rule,
            **{name: getattr(self, name) for name in MATCH_FIELDS},
            "reason": self.reason,
            "expires": self.expires.isoformat(),
        }


@attrs.frozen(kw_only=True)
class SuppressedFinding:
    """A finding the gate does not count, and the entry that excused it."""

    finding: CoverageFinding
    suppression: Suppression

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict: the finding's fields and ``suppression``."""
        return {**self.finding.to_dict(), "suppression": self.suppression.to_dict()}


@attrs.frozen(kw_only=True)
class ExpiredSuppression:
    """An entry past its date, and the findings it would have matched (which count again)."""

    suppression: Suppression
    findings: tuple[CoverageFinding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict: the entry's fields and ``matched`` (a count)."""
        return {**self.suppression.to_dict(), "matched": len(self.findings)}


@attrs.frozen(kw_only=True)
class SuppressionOutcome:
    """The findings split by the suppressions, and the entries to look at again."""

    kept: tuple[CoverageFinding, ...]
    """The findings no entry in force matched, in report order."""
    suppressed: tuple[SuppressedFinding, ...]
    expired: tuple[ExpiredSuppression, ...]
    stale: tuple[Suppression, ...]


def apply_suppressions(
    findings: Iterable[CoverageFinding],
    suppressions: Sequence[Suppression],
    *,
    today: date,
    listed: Iterable[Target] | None = None,
) -> SuppressionOutcome:
    """Split ``findings`` by ``suppressions`` as of ``today`` (module docstring).

    The first entry in force that matches a finding excuses it. ``listed`` are the targets
    that were listed (``None``: all of them), which an entry must be able to apply to before
    it is called stale.
    """
    active = [s for s in suppressions if not s.expired(today)]
    old = [s for s in suppressions if s.expired(today)]
    kept: list[CoverageFinding] = []
    suppressed: list[SuppressedFinding] = []
    used: set[int] = set()
    expired_matches: dict[int, list[CoverageFinding]] = {s.index: [] for s in old}
    for finding in findings:
        for entry in old:
            if entry.matches(finding):
                expired_matches[entry.index].append(finding)
        excuse = next((s for s in active if s.matches(finding)), None)
        if excuse is None:
            kept.append(finding)
        else:
            used.add(excuse.index)
            suppressed.append(SuppressedFinding(finding=finding, suppression=excuse))
    targets = None if listed is None else tuple(listed)
    stale = tuple(
        s
        for s in active
        if s.index not in used and (targets is None or any(s.could_apply_to(t) for t in targets))
    )
    return SuppressionOutcome(
        kept=tuple(kept),
        suppressed=tuple(suppressed),
        expired=tuple(
            ExpiredSuppression(suppression=s, findings=tuple(expired_matches[s.index])) for s in old
        ),
        stale=stale,
    )


def _closest(value: str, choices: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(value, choices, n=1)
    return found[0] if found else None


def _text(value: Any) -> str | None:
    """A non-empty string (an account ID may be written as a YAML number), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _date(value: Any) -> date | None:
    """A YAML date (``2025-07-01``) or the same as a quoted string; a date-time is refused."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _entry(index: int, item: Any) -> tuple[Suppression | None, list[Violation]]:
    """One entry, or the violations of its fields (``suppressions[index].field``)."""
    path = f"suppressions[{index}]"
    if not isinstance(item, Mapping):
        rule = f"must be a mapping with the fields {', '.join(SUPPRESSION_FIELDS)}"
        return None, [Violation(field=path, rule=rule, value=item)]
    found: list[Violation] = []
    for key in item:
        if key not in SUPPRESSION_FIELDS:
            found.append(
                Violation(
                    field=f"{path}.{key}",
                    rule=f"is not a field; the fields are {', '.join(SUPPRESSION_FIELDS)}",
                    suggestion=_closest(str(key), SUPPRESSION_FIELDS),
                )
            )
    fields: dict[str, Any] = {}
    rule = item.get("rule", NOT_GIVEN)
    if rule not in COVERAGE_RULES:
        found.append(
            Violation(
                field=f"{path}.rule",
                rule=f"is required: one of {', '.join(COVERAGE_RULES)}",
                value=rule,
                suggestion=_closest(rule, COVERAGE_RULES) if isinstance(rule, str) else None,
            )
        )
    fields["rule"] = rule
    for name in MATCH_FIELDS:
        if item.get(name) is None:
            continue
        text = _text(item[name])
        if text is None:
            found.append(
                Violation(
                    field=f"{path}.{name}", rule="must be a non-empty string", value=item[name]
                )
            )
        elif name == "account_id" and not valid_account_id(text):
            found.append(
                Violation(field=f"{path}.{name}", rule="must be an account ID (digits)", value=text)
            )
        fields[name] = text
    reason = item.get("reason", NOT_GIVEN)
    fields["reason"] = reason.strip() if isinstance(reason, str) else reason
    if not isinstance(reason, str) or not reason.strip():
        found.append(
            Violation(
                field=f"{path}.reason",
                rule="is required: why this finding is accepted (a non-empty string)",
                value=reason,
            )
        )
    expires = item.get("expires", NOT_GIVEN)
    fields["expires"] = _date(expires)
    if fields["expires"] is None:
        found.append(
            Violation(
                field=f"{path}.expires",
                rule="is required: the last day the entry applies, a date YYYY-MM-DD",
                value=expires,
            )
        )
    if found:
        return None, found
    return Suppression(index=index, **fields), []


def parse_suppressions(document: Any, *, source: str) -> tuple[Suppression, ...]:
    """The entries of a parsed suppressions document (module docstring).

    :raises InputFileError: naming ``source``, and each bad entry and field.
    """
    if not isinstance(document, Mapping) or set(document) != {"suppressions"}:
        raise InputFileError(source, (Violation(field="(top level)", rule=_TOP_RULE),))
    items = document["suppressions"]
    if items is None:
        return ()
    if not isinstance(items, list):
        rule = "must be a list of entries"
        raise InputFileError(source, (Violation(field="suppressions", rule=rule, value=items),))
    entries: list[Suppression] = []
    found: list[Violation] = []
    for index, item in enumerate(items):
        entry, problems = _entry(index, item)
        found += problems
        if entry is not None:
            entries.append(entry)
    if found:
        raise InputFileError(source, tuple(found))
    return tuple(entries)


@functools.cache
def _loader() -> type[Any]:
    """PyYAML's safe loader, with dates left as text for :func:`_date` to check.

    The safe loader itself raises a bare ``ValueError`` for ``2025-02-30``, which names no
    entry; left as text, the date is checked with the other fields of its entry. Imported on
    first use: a run without ``--suppressions`` does not pay for PyYAML.
    """
    import yaml  # noqa: PLC0415

    class Loader(yaml.SafeLoader):
        """The safe loader, dates as text."""

    def date_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        return str(loader.construct_scalar(node))  # type: ignore[arg-type]  # a scalar

    Loader.add_constructor("tag:yaml.org,2002:timestamp", date_as_text)
    return Loader


def load_suppressions(path: str | Path) -> tuple[Suppression, ...]:
    """Read and check a suppressions file (YAML; JSON is YAML too).

    :raises InputFileError: the file cannot be read, is not YAML, or breaks a rule.
    """
    import yaml  # noqa: PLC0415 - see _loader

    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        rule = f"cannot be read: {error.strerror if isinstance(error, OSError) else error}"
        raise InputFileError(source, (Violation(field="(file)", rule=rule),)) from error
    try:
        document = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise InputFileError(
            source, (Violation(field=where, rule=f"is not YAML: {problem}"),)
        ) from error
    return parse_suppressions(document, source=source)
