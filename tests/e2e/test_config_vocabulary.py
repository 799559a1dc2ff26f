"""One configuration vocabulary through plain ``pulumi preview``: a YAML program (the ``hbr``
plugin) and a Python program (the lookups and the dynamic provider) read the same keys, and
every message inside the preview names the input or the config key, never a flag.

The cloud is an emulated two-region estate reached through ``hbr:connectTo``: the region a
listing went to shows in which fleet comes back. Several checks share each run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from hbr_emulator.estate import Estate
from tests.e2e.pulumi_cli import PulumiProject, Result

pytestmark = pytest.mark.e2e

REGIONS = ("cn-hangzhou", "cn-shanghai")

#: A command-line flag (``--protocol``, ``--endpoint``...) in a message.
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")

#: Nothing listens on port 1 of the loopback address.
UNREACHABLE = "127.0.0.1:1"

YAML_PROGRAM = """\
name: vocabulary
runtime: yaml
variables:
{variables}
outputs:
  ids:
    fn::join: [",", "${{fromConfig.clientIds}}"]
"""


def _invoke(name: str, **arguments: str) -> str:
    lines = [
        f"  {name}:",
        "    fn::invoke:",
        "      function: hbr:index:getBackupClients",
        "      arguments:",
        "        clientType: ECS_CLIENT",
    ]
    lines += [f"        {key}: {value}" for key, value in arguments.items()]
    return "\n".join(lines)


PYTHON_PROGRAM = '''\
"""Each lookup's result or message, logged; then two resources of the dynamic provider."""

import pulumi

import pulumi_hbr_clients as hbr


def attempt(case, **inputs):
    try:
        result = hbr.get_backup_clients(client_type="ECS_CLIENT", **inputs)
    except hbr.BackupClientsLookupError as error:
        pulumi.log.info(f"CASE {case} ERROR {error}")
    else:
        pulumi.log.info(f"CASE {case} IDS {','.join(result.client_ids)}")


attempt("bad_config_protocol")
attempt("config_region", protocol="http")
attempt("misspelt_region_input", protocol="http", region="cn-hangzou")
attempt("tls_default", protocol="https")
good = hbr.BackupClients("good", client_type="ECS_CLIENT", protocol="http")
bad = hbr.BackupClients("bad", client_type="ECS_CLIENT")
'''


@pytest.fixture(scope="module")
def cloud() -> Iterator[Emulator]:
    """Two regions, each with its own fleet."""
    with Emulator(estate=Estate(regions=REGIONS, instances_per_region=4, seed=11)) as emu:
        yield emu


def _fleet(emu: Emulator, region: str) -> set[str]:
    """The ECS clients of ``region``."""
    clients = emu.estate_truth().region(region).clients
    return {c.client_id for c in clients if c.client_type == "ECS_CLIENT"}


def _project(tmp_path: Path, program: dict[str, str], config: dict[str, str]) -> PulumiProject:
    source = tmp_path / "source"
    source.mkdir(parents=True)
    for name, text in program.items():
        (source / name).write_text(text)
    project = PulumiProject.create(
        source,
        tmp_path,
        env={
            "HBR_ENDPOINT": "",
            "HBR_CONNECT_TO": "",
            "HBR_PROTOCOL": "",
            "ALIBABA_CLOUD_REGION_ID": "",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "",
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
        },
    )
    _configure(project, config)
    return project


def _configure(project: PulumiProject, config: dict[str, str]) -> None:
    """Set ``config`` in one command; the keys are secret config."""
    pairs = [
        f"--{'secret' if key.endswith(('accessKey', 'secretKey')) else 'plaintext'}={key}={value}"
        for key, value in config.items()
    ]
    project.run("config", "set-all", *pairs, check=True)


def _errors(result: Result) -> list[str]:
    """The error lines of a run (the engine's diagnostics, and a program's logged cases)."""
    return [
        line.strip()
        for line in result.output.splitlines()
        if "error" in line.lower() or "invoke failed" in line or "ERROR" in line
    ]


def _yaml_program(variables: list[str]) -> str:
    return YAML_PROGRAM.format(variables="\n".join(variables))


def _keys(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}:accessKey": DEFAULT_ACCESS_KEY_ID,
        f"{prefix}:secretKey": DEFAULT_ACCESS_KEY_SECRET,
    }


def test_yaml_program_reads_alicloud_region_and_names_config_keys(
    tmp_path: Path, cloud: Emulator
) -> None:
    """The plugin lists alicloud:region's fleet without hbr:region; a misspelt alicloud:region,
    an unreachable hbr:endpoint and a bad hbr:protocol are each named by key, with no flag."""
    assert _fleet(cloud, "cn-shanghai") != _fleet(cloud, "cn-hangzhou")
    base = {"hbr:protocol": "http", **_keys("hbr")}

    project = _project(
        tmp_path,
        {"Pulumi.yaml": _yaml_program([_invoke("fromConfig")])},
        {**base, "alicloud:region": "cn-shanghai", "hbr:connectTo": cloud.endpoint},
    )
    honoured = project.run("preview")
    assert honoured.returncode == 0, honoured.output
    ids = re.search(r'ids\s*:\s*"([^"]*)"', honoured.stdout)
    assert ids is not None, honoured.stdout
    assert set(ids.group(1).split(",")) == _fleet(cloud, "cn-shanghai")

    (project.directory / "Pulumi.yaml").write_text(
        _yaml_program(
            [
                _invoke("fromConfig"),
                _invoke("regionInput", region="cn-hangzhou"),
                _invoke("schemeInput", region="cn-hangzhou", endpoint="https://h.example"),
            ]
        )
    )
    project.run("config", "rm", "hbr:connectTo", check=True)
    _configure(project, {"alicloud:region": "cn-hangzou", "hbr:endpoint": UNREACHABLE})
    failing = project.run("preview")
    assert failing.returncode != 0
    errors = "\n".join(_errors(failing))
    assert "alicloud:region: is not a published HBR region" in errors, errors
    assert "did you mean cn-hangzhou?" in errors
    assert "the connection was refused: nothing listens there; check hbr:endpoint" in errors
    assert "choose it with hbr:protocol (got 'https://h.example') (endpoint)" in errors
    assert not FLAG.findall(errors), errors

    (project.directory / "Pulumi.yaml").write_text(_yaml_program([_invoke("fromConfig")]))
    _configure(project, {"hbr:protocol": "htp", "alicloud:region": "cn-shanghai"})
    protocol = project.run("preview")
    assert protocol.returncode != 0
    errors = "\n".join(_errors(protocol))
    assert "hbr:protocol: must be one of http, https (got 'htp')" in errors, errors
    assert not FLAG.findall(errors), errors
    for run in (honoured, failing, protocol):
        assert "Traceback" not in run.output
        assert not FLAG.findall(run.output), run.output


def test_python_program_reads_the_same_keys_and_names_them(tmp_path: Path, cloud: Emulator) -> None:
    """A Python program's lookups list alicloud:region's fleet like the plugin; a bad
    hbr:protocol, a misspelt region input and a TLS mismatch are named by key or input."""
    project = _project(
        tmp_path,
        {"Pulumi.yaml": "name: vocabulary\nruntime: python\n", "__main__.py": PYTHON_PROGRAM},
        {
            "alicloud:region": "cn-shanghai",
            "hbr:connectTo": cloud.endpoint,
            "hbr:protocol": "htp",
            **_keys("alicloud"),
        },
    )
    preview = project.run("preview")
    cases = dict(re.findall(r"CASE (\w+) (.*)", preview.output))
    assert cases["config_region"].startswith("IDS "), cases
    listed = set(cases["config_region"].removeprefix("IDS ").split(","))
    assert listed == _fleet(cloud, "cn-shanghai")
    assert "hbr:protocol: must be one of http, https (got 'htp')" in cases["bad_config_protocol"]
    assert "region: is not a published HBR region" in cases["misspelt_region_input"]
    assert "alicloud:region" not in cases["misspelt_region_input"]
    assert "set the protocol input to http" in cases["tls_default"], cases
    # The dynamic provider: the resource without a protocol input fails its check on the key.
    assert preview.returncode != 0
    errors = "\n".join(_errors(preview))
    assert "hbr:protocol: must be one of http, https (got 'htp')" in errors, errors
    assert "hbr:BackupClients (good)" not in errors
    assert not FLAG.findall(preview.output), preview.output
    assert "Traceback" not in preview.output
