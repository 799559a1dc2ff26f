"""One configuration vocabulary: the keys every surface reads, and how each names a setting."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hbr_clients_provider.adapters.stack_config import (
    CONFIG_PRECEDENCE,
    read_stack_config,
    resolve_connection,
)
from hbr_clients_provider.adapters.wording import pulumi_message, pulumi_names
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.errors import (
    ConnectError,
    CredentialsError,
    DeadlineExceeded,
    HttpStatusError,
    InvalidQuery,
    NoEndpointError,
    RequestTimeoutError,
    TlsError,
    TooManyClientsError,
    Violation,
)
from hbr_clients_provider.settings import (
    ADDRESS_HINT,
    HINTS,
    SETTINGS,
    PulumiNames,
    pulumi_text,
)

#: A command-line flag in a message: ``--protocol``, ``--ca-bundle``...
FLAG = re.compile(r"(?<![\w-])--[a-z]")

#: The ways an operation may have been given its settings.
NAMES = (
    PulumiNames(),
    PulumiNames(camel=True),
    PulumiNames(inputs=frozenset(s.input for s in SETTINGS.values() if s.input)),
    PulumiNames(origins={k: s.config_keys[-1] for k, s in SETTINGS.items() if s.config_keys}),
)


def _errors() -> list[Exception]:
    """One error of each kind whose command-line message names a flag."""
    return [
        TlsError(endpoint="e:1", problem="WRONG_VERSION_NUMBER", verification=False, ca_source="x"),
        TlsError(endpoint="e:1", problem="self-signed", verification=True, ca_source="certifi"),
        HttpStatusError(
            endpoint="e:1", status=302, content_type=None, body_head=b"", location="http://x/"
        ),
        RequestTimeoutError(endpoint="e:1", which="connect", timeout_s=5),
        RequestTimeoutError(endpoint="e:1", which="read", timeout_s=5),
        DeadlineExceeded(deadline_s=3, endpoint="e:1"),
        TooManyClientsError(total_count=10, max_clients=5),
        NoEndpointError(),
    ]


class TestHints:
    def test_command_line_words_are_unchanged(self) -> None:
        """str() of an error keeps the command line's flags, as its tests assert."""
        texts = [str(e) for e in _errors()]
        assert "use --protocol http (protocol, hbr:protocol)" in texts[0]
        assert "--ca-bundle (ca_bundle, hbr:caBundle)" in texts[1]
        assert "point --endpoint / hbr:endpoint at the API itself" in texts[2]
        assert "(--connect-timeout sets it)" in texts[3]
        assert "raise it with --deadline / deadline / hbr:deadline" in texts[5]
        assert texts[7] == (
            "no HBR endpoint: pass a region (or set ALIBABA_CLOUD_REGION_ID), or pass an "
            "endpoint (or set HBR_ENDPOINT)"
        )

    @pytest.mark.parametrize("names", NAMES)
    def test_no_flag_inside_pulumi(self, names: PulumiNames) -> None:
        """Every hint, worded for a Pulumi operation, names no command-line flag."""
        for error in _errors():
            assert FLAG.search(str(error)) or isinstance(error, NoEndpointError)
            worded = pulumi_message(error, names)
            assert not FLAG.search(worded), worded
        for hint in HINTS:
            assert not FLAG.search(hint.for_pulumi(names))

    def test_every_hint_names_known_settings(self) -> None:
        """A hint's settings are in the table, and its template has a slot for each."""
        for hint in HINTS:
            assert all(s in SETTINGS for s in hint.settings)
            if hint.pulumi:
                assert hint.pulumi.count("{}") == len(hint.settings)

    def test_errors_carry_their_setting(self) -> None:
        """Errors say which setting their advice concerns, as data."""
        hints = [e.hints for e in _errors() if hasattr(e, "hints")]
        assert hints[0][0].settings == ("protocol",)
        assert hints[5][0].settings == ("deadline",)


class TestPulumiNames:
    def test_an_input_given_is_named_as_the_input(self) -> None:
        """The plugin spells the input as its schema does (caBundle)."""
        names = PulumiNames(inputs={"ca_bundle"}, camel=True)
        assert names.name(SETTINGS["ca_bundle"]) == "the caBundle input"

    def test_a_value_from_config_is_named_by_its_key(self) -> None:
        """The key that gave the value, not its hbr: twin."""
        names = PulumiNames(origins={"region": "alicloud:region"})
        assert names.name(SETTINGS["region"]) == "alicloud:region"

    def test_an_unset_setting_lists_every_way_to_set_it(self) -> None:
        """Both keys in their order, then the input."""
        assert PulumiNames().name(SETTINGS["region"]) == (
            "hbr:region, alicloud:region or the region input"
        )
        assert PulumiNames().name(SETTINGS["connect_to"]) == "hbr:connectTo"

    def test_the_address_is_the_setting_that_chose_it(self) -> None:
        """connectTo when set, else the endpoint when given, else the region."""
        address = SETTINGS["address"]
        assert PulumiNames(origins={"connect_to": "hbr:connectTo"}).name(address) == (
            "hbr:connectTo"
        )
        assert PulumiNames(inputs={"endpoint"}).name(address) == "the endpoint input"
        assert PulumiNames(origins={"region": "alicloud:region"}).name(address) == (
            "alicloud:region"
        )

    def test_a_policy_names_its_config_properties(self) -> None:
        """Without stack config: the property of the policy's config."""
        names = PulumiNames(
            inputs={"connect_to"},
            camel=True,
            label="the {} property of the policy config",
            input_of={"connect_to": "connect_to"},
            stack_config=False,
        )
        assert names.name(SETTINGS["protocol"]) == "the protocol property of the policy config"
        assert names.name(SETTINGS["address"]) == "the connectTo property of the policy config"


POLICY = PulumiNames(
    camel=True,
    label="the {} property of the policy config",
    input_of={"connect_to": "connect_to"},
    stack_config=False,
    settable={"region", "endpoint", "protocol", "connect_to"},
)


class TestPolicyNames:
    def test_a_setting_the_policy_lacks_falls_back(self) -> None:
        """The pack has no deadline or keys: its advice says what it can do instead."""
        deadline = pulumi_message(DeadlineExceeded(deadline_s=3, endpoint="e:1"), POLICY)
        assert deadline.endswith(
            "; audit fewer regions or accounts if the fleet is large or the network slow"
        )
        with pytest.raises(CredentialsError) as caught:
            ConnectionSettings.resolve(endpoint="h:1", environ={})
        credentials = pulumi_message(caught.value, POLICY)
        assert "name a profile with ALIBABA_CLOUD_PROFILE" in credentials
        assert not FLAG.search(deadline + credentials)

    def test_a_setting_the_policy_has_is_its_property(self) -> None:
        """The protocol is a property of the pack's config."""
        error = _errors()[0]
        assert pulumi_message(error, POLICY).endswith(
            "set the protocol property of the policy config to http"
        )


class TestStackConfig:
    def test_hbr_key_wins_over_its_alicloud_twin(self) -> None:
        """hbr:region first; alicloud:region is not even read then."""
        asked: list[str] = []
        config = {"hbr:region": "cn-shanghai", "alicloud:region": "cn-hangzhou"}

        def get(key: str) -> Any:
            asked.append(key)
            return config.get(key)

        options = read_stack_config(get)
        assert options["region"] == "cn-shanghai"
        assert options.origins["region"] == "hbr:region"
        assert "alicloud:region" not in asked

    def test_alicloud_key_is_read_when_the_twin_is_unset(self) -> None:
        """An empty hbr:profile passes to alicloud:profile; numbers lose their float."""
        config = {"hbr:profile": "", "alicloud:profile": "ops", "hbr:deadline": 30.0}
        options = read_stack_config(config.get)
        assert dict(options) == {"profile": "ops", "deadline": "30"}
        assert options.origins == {"profile": "alicloud:profile", "deadline": "hbr:deadline"}

    def test_every_setting_with_keys_is_read_in_the_table_order(self) -> None:
        """The settings table and the precedence agree on the keys and their order."""
        for keyword, setting in SETTINGS.items():
            if setting.config_keys:
                assert CONFIG_PRECEDENCE[keyword] == setting.config_keys

    def test_bad_protocol_from_config_is_named_by_its_key(self) -> None:
        """hbr:protocol: must be one of http, https (got 'htp'); nothing resolved."""
        options = read_stack_config({"hbr:protocol": "htp", "hbr:endpoint": "h:1"}.get)
        with pytest.raises(InvalidQuery) as caught:
            resolve_connection(options)
        assert caught.value.fields == ("hbr:protocol",)
        assert "hbr:protocol: must be one of http, https (got 'htp')" in str(caught.value)

    def test_an_input_overrides_a_bad_config_value(self) -> None:
        """The input's value is the one used, so the config's is not judged."""
        options = read_stack_config({"hbr:protocol": "htp", "hbr:endpoint": "h:1"}.get)
        env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "a", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "b"}
        with pytest.MonkeyPatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            connection = resolve_connection(options, {"protocol": "http"})
        assert connection.protocol == "http"


class TestWording:
    def test_a_config_region_violation_names_the_key(self) -> None:
        """A misspelt alicloud:region is reported under alicloud:region."""
        error = InvalidQuery((Violation(field="region", rule="is not a region", value="x"),))
        names = pulumi_names(read_stack_config({"alicloud:region": "x"}.get), ())
        assert pulumi_message(error, names).endswith("alicloud:region: is not a region (got 'x')")

    def test_an_input_violation_keeps_the_input(self) -> None:
        """The same violation, from the region input, names the input."""
        error = InvalidQuery((Violation(field="region", rule="is not a region", value="x"),))
        names = pulumi_names(read_stack_config({"alicloud:region": "y"}.get), {"region"})
        assert "region: is not a region" in pulumi_message(error, names)
        assert "alicloud:region" not in pulumi_message(error, names)

    def test_a_refused_connection_names_where_the_address_came_from(self) -> None:
        """The command line's message says enough; a Pulumi operation adds the key."""
        error = ConnectError("refused", endpoint="h:1", kind="refused", hints=(ADDRESS_HINT,))
        names = pulumi_names(read_stack_config({"hbr:endpoint": "h:1"}.get), ())
        assert str(error).endswith("refused")
        assert pulumi_message(error, names).endswith("refused; check hbr:endpoint")

    def test_missing_credentials_name_the_keys_each_surface_reads(self) -> None:
        """A Python program reads alicloud:accessKey; the plugin does not, so never offers it."""
        with pytest.raises(CredentialsError) as caught:
            ConnectionSettings.resolve(endpoint="h:1", environ={})
        error = caught.value
        assert "pass an AccessKey or a profile explicitly" in str(error)
        python = pulumi_message(error, PulumiNames())
        assert "set hbr:accessKey or alicloud:accessKey (with its secret key) or hbr:profile" in (
            python
        )
        plugin = pulumi_message(error, PulumiNames(camel=True, unread={"alicloud:accessKey"}))
        assert "set hbr:accessKey (with its secret key) or hbr:profile or alicloud:profile" in (
            plugin
        )
        assert not FLAG.search(python + plugin)

    def test_a_profile_without_credentials_names_its_key(self) -> None:
        """The profile came from alicloud:profile: the message says so inside Pulumi."""
        home = {"HOME": "/nonexistent", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
        with pytest.raises(CredentialsError) as caught:
            ConnectionSettings.resolve(endpoint="h:1", profile="nosuch", environ=home)
        names = pulumi_names(read_stack_config({"alicloud:profile": "nosuch"}.get), ())
        assert pulumi_message(caught.value, names).endswith("; check alicloud:profile")

    def test_text_without_a_hint_is_unchanged(self) -> None:
        """Words that are no hint pass as they are."""
        assert pulumi_text("an --unknown thing", PulumiNames()) == "an --unknown thing"
