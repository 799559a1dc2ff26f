"""What a Pulumi operation says when something went wrong: inputs and config keys, no flags.

The messages of :mod:`hbr_clients_provider.errors` are worded for the command line
(``check --endpoint / --region``). Inside ``pulumi preview`` the user has no flags: they
have the inputs of a resource or function and the stack's config. Every Pulumi surface (a
Python program's lookups, the dynamic provider, the ``hbr`` plugin) words an error here:

* a violation of a setting that came from stack config is named by its key
  (``alicloud:region: is not a published HBR region ...``), one of an input by the input;
* a hint names the input when the operation was given it, else the config key the value
  came from, else the keys that would set it (:class:`~hbr_clients_provider.settings.PulumiNames`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from hbr_clients_provider.display import terminal_text
from hbr_clients_provider.errors import HbrError, InvalidQuery, Violation
from hbr_clients_provider.settings import SETTINGS, PulumiNames, pulumi_text

__all__ = [
    "WordedError",
    "given_inputs",
    "pulumi_message",
    "pulumi_names",
    "pulumi_violation",
    "worded",
]


class WordedError(HbrError):
    """An error of this package in a Pulumi operation's words; ``cause`` is the original."""

    def __init__(self, text: str, cause: BaseException) -> None:
        super().__init__(text)
        self.cause = cause


def pulumi_names(
    options: Mapping[str, str],
    inputs: Collection[str],
    *,
    camel: bool = False,
    unread: Collection[str] = frozenset(),
) -> PulumiNames:
    """The names of one operation: the ``inputs`` it was given and the stack ``options``
    (``unread``: config keys this surface does not read)."""
    origins: Mapping[str, str] = getattr(options, "origins", {})
    return PulumiNames(
        inputs=frozenset(inputs), origins=dict(origins), camel=camel, unread=frozenset(unread)
    )


def _field(field: str, names: PulumiNames) -> str:
    """A violation's field: the config key when the setting came from config, else the input."""
    head, sep, rest = field.partition("[")
    setting = SETTINGS.get(head)
    if setting is not None and head not in names.inputs and head in names.origins:
        return names.origins[head] + sep + rest
    if ":" in head:  # already a config key
        return field
    return names.input_name(head) + sep + rest


def pulumi_violation(violation: Violation, names: PulumiNames) -> str:
    """``violation`` rendered for a Pulumi operation (its field as the user set it)."""
    return pulumi_text(violation.render(_field(violation.field, names)), names)


def pulumi_message(error: BaseException, names: PulumiNames) -> str:
    """The message of ``error`` in a Pulumi operation's words; anything else unchanged."""
    if isinstance(error, InvalidQuery):
        lines = "; ".join(pulumi_violation(v, names) for v in error.violations)
        text = f"invalid query ({len(error.violations)} problem(s)): {lines}"
        return terminal_text(text, keep_newlines=True)
    if isinstance(error, HbrError | ValueError):
        text = pulumi_text(str(error), names)
        for hint in getattr(error, "hints", ()):
            advice = "" if hint.cli else hint.for_pulumi(names)
            if advice:  # advice the command line needs no words for
                text = f"{text}; {advice}"
        return text
    return str(error)


def given_inputs(inputs: Mapping[str, Any]) -> frozenset[str]:
    """The names of the inputs that were set (not ``None``)."""
    return frozenset(k for k, v in inputs.items() if v is not None)


@contextlib.contextmanager
def worded(message: Callable[[BaseException], str]) -> Iterator[None]:
    """Re-raise an error of this package as a :class:`WordedError` with ``message(error)``.

    An error whose wording does not change is re-raised as it is.
    """
    try:
        yield
    except (HbrError, ValueError) as error:
        text = message(error)
        if text == str(error):
            raise
        raise WordedError(text, error) from error
