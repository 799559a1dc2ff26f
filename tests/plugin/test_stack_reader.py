"""The hbr plugin reads alicloud: keys through the real ``pulumi`` CLI, and names config keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from pulumi.provider.experimental.property_value import PropertyValue

from hbr_clients_provider.adapters.plugin.provider import HbrProvider
from hbr_clients_provider.adapters.plugin.schema import LOOKUP_TOKEN
from hbr_clients_provider.adapters.plugin.stack_reader import StackReader, stack_of
from hbr_clients_provider.adapters.wording import WordedError

BIN = Path(sys.executable).parent
PROVIDER_URN = "urn:pulumi:dev::proj::pulumi:providers:hbr::default"


@attrs.frozen
class Project:
    """A YAML project with a stack ``dev`` in a file backend, for the CLI to read."""

    directory: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("stack-reader")
    directory, state = root / "proj", root / "state"
    directory.mkdir()
    state.mkdir()
    (directory / "Pulumi.yaml").write_text("name: proj\nruntime: yaml\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")},
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PULUMI_BACKEND_URL": state.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "stack-reader",
        "PULUMI_HOME": str(root / "home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }

    def pulumi(*args: str) -> None:
        subprocess.run(
            [str(BIN / "pulumi"), *args, "--non-interactive"],
            cwd=directory,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    pulumi("stack", "init", "dev")
    pulumi("config", "set", "alicloud:region", "cn-shanghai")
    pulumi("config", "set", "alicloud:profile", "ops")
    pulumi("config", "set", "--secret", "alicloud:secretKey", "not-read")
    return Project(directory=directory, env=env)


class TestStackOf:
    def test_stack_of_a_provider_urn(self) -> None:
        """The stack is the URN's first part; anything else is no stack."""
        assert stack_of(PROVIDER_URN) == "dev"
        assert stack_of("") is None
        assert stack_of("not-a-urn") is None


class TestStackReader:
    def test_reads_plain_alicloud_values(self, project: Project) -> None:
        """alicloud:region and alicloud:profile come back; a secret is not decrypted."""
        reader = StackReader("dev", environ=project.env, cwd=str(project.directory))
        assert reader.get("alicloud:region") == "cn-shanghai"
        assert reader.get("alicloud:profile") == "ops"
        assert reader.get("alicloud:secretKey") is None
        assert reader.problem is None

    def test_a_failed_read_says_why(self, project: Project) -> None:
        """An unknown stack is no value, with the CLI's first line kept as the problem."""
        reader = StackReader("nosuch", environ=project.env, cwd=str(project.directory))
        assert reader.get("alicloud:region") is None
        assert reader.problem is not None
        assert "pulumi config" in reader.problem


class TestConfigure:
    def test_alicloud_region_fills_in_for_hbr_region(
        self, project: Project, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without hbr:region the plugin takes alicloud:region, and knows where it came from."""
        monkeypatch.chdir(project.directory)
        for key, value in project.env.items():
            monkeypatch.setenv(key, value)
        provider = HbrProvider(version="0.0.0")
        provider.configure({}, {"hbr:config:protocol": "http"}, PROVIDER_URN)
        assert provider.options["region"] == "cn-shanghai"
        assert provider.options.origins == {  # type: ignore[attr-defined]
            "region": "alicloud:region",
            "profile": "alicloud:profile",
            "protocol": "hbr:protocol",
        }

    def test_no_region_says_why_alicloud_region_was_not_read(
        self, project: Project, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without any region the lookup fails naming the keys, and why alicloud: was unread."""
        monkeypatch.chdir(project.directory)
        for key, value in project.env.items():
            monkeypatch.setenv(key, value)
        for key in ("ALIBABA_CLOUD_REGION_ID", "HBR_ENDPOINT"):
            monkeypatch.delenv(key, raising=False)
        provider = HbrProvider(version="0.0.0")
        provider.configure({}, {}, "urn:pulumi:nosuch::proj::pulumi:providers:hbr::default")
        with pytest.raises(WordedError) as caught:
            provider.invoke(LOOKUP_TOKEN, {"clientType": PropertyValue("ECS_CLIENT")})
        message = str(caught.value)
        assert message.startswith(
            "no HBR endpoint: set hbr:region, alicloud:region or the region input"
        )
        assert "(alicloud:region could not be read: `pulumi config` failed: " in message
        assert "--" not in message.split("could not be read", maxsplit=1)[0]

    def test_hbr_region_wins_and_nothing_else_is_read(self) -> None:
        """With both hbr: twins set, the CLI is never run."""
        provider = HbrProvider(version="0.0.0")
        args = {"region": PropertyValue("cn-beijing"), "profile": PropertyValue("p")}
        provider.configure(args, {}, "urn:pulumi:nosuch::proj::pulumi:providers:hbr::default")
        assert provider.options["region"] == "cn-beijing"
        assert provider.options.origins["region"] == "hbr:region"  # type: ignore[attr-defined]
        assert provider.unread is None

    def test_an_explicit_provider_names_its_inputs(self) -> None:
        """The settings of a provider resource came from its inputs, not from stack config."""
        provider = HbrProvider(version="0.0.0")
        args = {"region": PropertyValue("cn-beijing"), "profile": PropertyValue("p")}
        provider.configure(args, {}, "urn:pulumi:nosuch::proj::pulumi:providers:hbr::mine")
        origins = provider.options.origins  # type: ignore[attr-defined]
        assert origins["region"] == "the region input of provider mine"


class TestCheckConfig:
    def test_default_provider_names_the_stack_config_key(self) -> None:
        """A bad hbr:protocol of the default provider is named hbr:protocol."""
        failures = HbrProvider(version="0.0.0").check_config(
            {"protocol": PropertyValue("htp")}, PROVIDER_URN
        )
        assert [(f.property, f.reason) for f in failures] == [
            ("protocol", "hbr:protocol: must be one of http, https (got 'htp')")
        ]

    def test_explicit_provider_names_its_input(self) -> None:
        """An explicit provider resource was given an input, not stack config."""
        urn = "urn:pulumi:dev::proj::pulumi:providers:hbr::mine"
        failures = HbrProvider(version="0.0.0").check_config(
            {"endpoint": PropertyValue("https://h")}, urn
        )
        assert len(failures) == 1
        reason = failures[0].reason
        assert reason.startswith("the endpoint input of provider mine: ")
        assert "choose it with the protocol input of provider mine" in reason
        assert "--" not in reason
