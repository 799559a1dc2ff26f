"""Which setting a message is about, and how each surface names it.

One setting has several names: the command line's flag (``--protocol``), a Pulumi input
(``protocol``, ``caBundle`` in the plugin's schema) and stack config keys (``hbr:protocol``).
An error that tells the user to change a setting carries a :class:`Hint`: the setting it
concerns, the words the command line prints (``str(error)``, unchanged) and the words a
Pulumi operation prints instead. Each surface renders the hint in its own vocabulary at one
boundary:

* the command line prints ``str(error)``: ``use --protocol http (protocol, hbr:protocol)``;
* a Pulumi operation (a Python program's lookup, the dynamic provider, the ``hbr`` plugin,
  the policy pack) prints :func:`pulumi_text` of it with :class:`PulumiNames`, which name the
  input when the value came from an input, else the config key it came from, else the keys
  that would set it: ``set hbr:protocol to http``.

:data:`HINTS` is the one table of those hints; the messages of :mod:`.errors` and of the
API layer are built from it, so no hint can print a flag inside Pulumi.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import attrs

__all__ = [
    "ADDRESS_HINT",
    "CA_BUNDLE_HINT",
    "CONNECT_TIMEOUT_HINT",
    "CONNECT_TO_HINT",
    "CREDENTIALS_HINT",
    "DEADLINE_HINT",
    "DNS_HINT",
    "ENDPOINT_SCHEME_HINT",
    "HINTS",
    "MAX_CLIENTS_HINT",
    "NO_ENDPOINT_HINT",
    "PROFILE_HINT",
    "PROTOCOL_HINT",
    "READ_TIMEOUT_HINT",
    "REDIRECT_HINT",
    "SETTINGS",
    "Hint",
    "PulumiNames",
    "Setting",
    "pulumi_text",
]


@attrs.frozen(kw_only=True)
class Setting:
    """One setting and its name on each surface.

    ``config_keys`` are the stack config keys that give it, the first set one winning
    (:data:`hbr_clients_provider.adapters.stack_config.CONFIG_PRECEDENCE` reads them in
    this order); ``input`` is the snake_case input of a resource or function, ``None``
    where Pulumi offers none; ``flag`` the command line's.
    """

    keyword: str
    flag: str | None
    input: str | None
    config_keys: tuple[str, ...]


#: Every setting a message may tell the user to change, by keyword.
SETTINGS: Mapping[str, Setting] = {
    s.keyword: s
    for s in (
        Setting(
            keyword="region",
            flag="--region",
            input="region",
            config_keys=("hbr:region", "alicloud:region"),
        ),
        Setting(
            keyword="access_key_id",
            flag=None,
            input=None,
            config_keys=("hbr:accessKey", "alicloud:accessKey"),
        ),
        Setting(
            keyword="profile",
            flag="--profile",
            input=None,
            config_keys=("hbr:profile", "alicloud:profile"),
        ),
        Setting(
            keyword="endpoint", flag="--endpoint", input="endpoint", config_keys=("hbr:endpoint",)
        ),
        Setting(
            keyword="protocol", flag="--protocol", input="protocol", config_keys=("hbr:protocol",)
        ),
        Setting(
            keyword="ca_bundle",
            flag="--ca-bundle",
            input="ca_bundle",
            config_keys=("hbr:caBundle",),
        ),
        Setting(
            keyword="connect_to",
            flag="--connect-to",
            input=None,
            config_keys=("hbr:connectTo",),
        ),
        Setting(
            keyword="deadline", flag="--deadline", input="deadline", config_keys=("hbr:deadline",)
        ),
        Setting(
            keyword="max_clients",
            flag="--max-clients",
            input="max_clients",
            config_keys=("hbr:maxClients",),
        ),
        Setting(keyword="connect_timeout", flag="--connect-timeout", input=None, config_keys=()),
        # Where requests went: connect_to when set, else the endpoint, else the region's.
        Setting(keyword="address", flag=None, input=None, config_keys=()),
        Setting(keyword="read_timeout", flag="--read-timeout", input=None, config_keys=()),
    )
}


@attrs.frozen(kw_only=True)
class Hint:
    """What a message tells the user to do about ``settings``.

    ``cli`` is the text as the command line prints it (a literal part of ``str(error)``;
    empty when the command line's message says enough, e.g. it names the address it was
    given); ``pulumi`` the same advice for a Pulumi operation, with one ``{}`` per setting,
    filled with :meth:`PulumiNames.name` (an empty ``pulumi`` drops the advice: Pulumi offers
    no way to set it); ``fallback`` the advice where the surface cannot set one of them (the
    policy pack has no ``deadline``).
    """

    settings: tuple[str, ...]
    cli: str
    pulumi: str
    fallback: str = ""

    def for_pulumi(self, names: PulumiNames) -> str:
        """The advice in the words of a Pulumi operation."""
        named = [names.name(SETTINGS[s]) for s in self.settings]
        return self.pulumi.format(*named) if all(named) else self.fallback


PROTOCOL_HINT = Hint(
    settings=("protocol",),
    cli="use --protocol http (protocol, hbr:protocol)",
    pulumi="set {} to http",
    fallback="set HBR_PROTOCOL to http",
)
CA_BUNDLE_HINT = Hint(
    settings=("ca_bundle",),
    cli="--ca-bundle (ca_bundle, hbr:caBundle)",
    pulumi="{}",
    fallback="SSL_CERT_FILE=/path/ca.pem",
)
REDIRECT_HINT = Hint(
    settings=("endpoint",),
    cli="point --endpoint / hbr:endpoint at the API itself",
    pulumi="point {} at the API itself",
    fallback="point HBR_ENDPOINT at the API itself",
)
DEADLINE_HINT = Hint(
    settings=("deadline",),
    cli="raise it with --deadline / deadline / hbr:deadline",
    pulumi="raise it with {}",
    fallback="audit fewer regions or accounts",
)
MAX_CLIENTS_HINT = Hint(
    settings=("max_clients",),
    cli="raise the bound with --max-clients / max_clients / hbr:maxClients",
    pulumi="raise the bound with {}",
    fallback="audit it with hbr-clients audit, whose bound can be raised",
)
DNS_HINT = Hint(settings=("address",), cli="check --endpoint / --region", pulumi="check {}")
ENDPOINT_SCHEME_HINT = Hint(
    settings=("protocol",),
    cli="leave out the scheme and choose it with --protocol",
    pulumi="leave out the scheme and choose it with {}",
)
CONNECT_TIMEOUT_HINT = Hint(
    settings=("connect_timeout",), cli=" (--connect-timeout sets it)", pulumi=""
)
READ_TIMEOUT_HINT = Hint(settings=("read_timeout",), cli=" (--read-timeout sets it)", pulumi="")
CONNECT_TO_HINT = Hint(
    settings=("connect_to",),
    cli="use connect_to (HBR_CONNECT_TO, --connect-to)",
    pulumi="use {} (or HBR_CONNECT_TO)",
)
ADDRESS_HINT = Hint(settings=("address",), cli="", pulumi="check {}")
CREDENTIALS_HINT = Hint(
    settings=("access_key_id", "profile"),
    cli="pass an AccessKey or a profile explicitly",
    pulumi="set {} (with its secret key) or {}",
    fallback="name a profile with ALIBABA_CLOUD_PROFILE",
)
PROFILE_HINT = Hint(settings=("profile",), cli="", pulumi="check {}")
NO_ENDPOINT_HINT = Hint(
    settings=("region", "endpoint"),
    cli=(
        "pass a region (or set ALIBABA_CLOUD_REGION_ID), or pass an endpoint (or set HBR_ENDPOINT)"
    ),
    pulumi="set {} (or ALIBABA_CLOUD_REGION_ID), or {} (or HBR_ENDPOINT)",
)

#: Every hint a message of this package may carry.
HINTS: tuple[Hint, ...] = (
    PROTOCOL_HINT,
    CA_BUNDLE_HINT,
    REDIRECT_HINT,
    DEADLINE_HINT,
    MAX_CLIENTS_HINT,
    DNS_HINT,
    ENDPOINT_SCHEME_HINT,
    CONNECT_TIMEOUT_HINT,
    READ_TIMEOUT_HINT,
    CONNECT_TO_HINT,
    NO_ENDPOINT_HINT,
    ADDRESS_HINT,
    CREDENTIALS_HINT,
    PROFILE_HINT,
)

_CAMEL = re.compile(r"_([a-z])")


@attrs.frozen(kw_only=True)
class PulumiNames:
    """How one Pulumi operation names a setting.

    ``inputs`` are the snake_case names of the inputs the operation was given, ``origins``
    the config key each stack setting came from (keyword -> key, e.g. ``"region":
    "alicloud:region"``), ``camel`` whether inputs are spelled as in the plugin's schema
    (``caBundle``) rather than in Python (``ca_bundle``). A surface whose inputs are not a
    resource's (the policy pack's config properties) says so with ``label``, names inputs
    :attr:`Setting.input` lacks with ``input_of`` (keyword -> snake_case name), and leaves
    stack config out with ``stack_config=False``, and limits the settings it has with
    ``settable`` (keywords; ``None``: all); ``unread`` are config keys this surface does not
    read (the plugin's ``alicloud:`` credentials), never suggested. A setting the surface
    cannot set is named ``""``, and a hint falls back to :attr:`Hint.fallback`.
    """

    inputs: Collection[str] = frozenset()
    origins: Mapping[str, str] = attrs.field(factory=dict)
    camel: bool = False
    label: str = "the {} input"
    input_of: Mapping[str, str] = attrs.field(factory=dict)
    stack_config: bool = True
    unread: Collection[str] = frozenset()
    settable: Collection[str] | None = None

    def input_name(self, name: str) -> str:
        """``name`` as this surface spells an input."""
        return _CAMEL.sub(lambda m: m.group(1).upper(), name) if self.camel else name

    def name(self, setting: Setting) -> str:
        """The input that gave ``setting``, else its config key, else every way to set it.

        ``address`` (where requests went) is ``connect_to`` when it came from config, else
        the endpoint when one was given, else the region.
        """
        if setting.keyword == "address":
            return self.name(self._address())
        if self.settable is not None and setting.keyword not in self.settable:
            return ""
        given = self.input_of.get(setting.keyword, setting.input)
        label = None if given is None else self.label.format(self.input_name(given))
        if label is not None and given in self.inputs:
            return label
        if setting.keyword in self.origins:
            return self.origins[setting.keyword]
        keys = setting.config_keys if self.stack_config else ()
        ways = [key for key in keys if key not in self.unread]
        if label is not None:
            ways.append(label)
        if len(ways) <= 1:
            return "".join(ways)
        return f"{', '.join(ways[:-1])} or {ways[-1]}"

    def _address(self) -> Setting:
        """The setting that chose where requests went."""
        for keyword in ("connect_to", "endpoint"):
            named = self.input_of.get(keyword, SETTINGS[keyword].input)
            if keyword in self.origins or (named is not None and named in self.inputs):
                return SETTINGS[keyword]
        return SETTINGS["region"]


def pulumi_text(text: str, names: PulumiNames) -> str:
    """``text`` (a message as the command line prints it) in a Pulumi operation's words."""
    for hint in HINTS:
        if hint.cli and hint.cli in text:
            text = text.replace(hint.cli, hint.for_pulumi(names))
    return text
