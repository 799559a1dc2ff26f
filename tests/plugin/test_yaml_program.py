"""examples/yaml through plain ``pulumi``: the YAML host, the engine and the hbr plugin."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_SECRET, Emulator, Organisation
from hbr_emulator.estate import Estate
from tests.e2e.pulumi_cli import emulator_config, local_backend_env
from tests.emulator.helpers import list_all, sdk_client

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "yaml"
BIN = Path(sys.executable).parent

INVALID_PROGRAM = """\
name: hbr-invalid
runtime: yaml
resources:
  bad:
    type: hbr:index:BackupClients
    properties:
      clientType: VM_CLIENT
      statuses: [RUNNING]
"""


@attrs.define
class YamlStack:
    """A copy of a YAML project with its own file backend, run with plain ``pulumi``."""

    directory: Path
    env: dict[str, str]

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``pulumi ARGS --non-interactive`` in the project."""
        proc = subprocess.run(
            [str(BIN / "pulumi"), *args, "--non-interactive"],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and proc.returncode != 0:
            msg = f"pulumi {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
            raise AssertionError(msg)
        return proc


def _stack(
    tmp_path: Path, emu: Emulator, source: Path | None = None, *, route: str = "endpoint"
) -> YamlStack:
    directory = tmp_path / "project"
    if source is None:
        directory.mkdir()
        (directory / "Pulumi.yaml").write_text(INVALID_PROGRAM)
    else:
        shutil.copytree(source, directory)
    state = tmp_path / "state"
    state.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "HBR_"))}
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            **local_backend_env(state, tmp_path / "pulumi-home"),
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
        }
    )
    stack = YamlStack(directory=directory, env=env)
    stack.pulumi("stack", "init", "test")
    # The connection comes from hbr:* config alone; the keys are secret config.
    stack.pulumi(*emulator_config(emu, route=route))
    return stack


GATE_PROGRAM = """\
name: hbr-gate
runtime: yaml
variables:
  gate:
    fn::invoke:
      function: hbr:index:auditBackupClients
      arguments:
        clientType: ECS_CLIENT
        requireActivated: true
        clientIds: {client_ids}
outputs:
  passed: ${{gate.passed}}
"""


def _official(emu: Emulator) -> list[Any]:
    """Every ECS client, listed by the official SDK."""
    return list_all(sdk_client(emu.endpoint))


def test_example_outputs_match_the_official_sdk_through_its_lifecycle(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """Up matches the SDK; an unchanged fleet previews clean; a change updates; destroy is quiet."""
    emu = emulator_factory(fleet=80, seed=5)
    stack = _stack(tmp_path, emu, EXAMPLE)
    stack.pulumi("up", "--yes", "--skip-preview")

    outputs = json.loads(stack.pulumi("stack", "output", "--json", "--show-secrets").stdout)
    official = _official(emu)
    activated = [c for c in official if c.status == "ACTIVATED"]
    assert outputs["activatedClientIds"] == [c.client_id for c in activated]
    assert outputs["ecsTotalCount"] == len(activated)
    assert outputs["ecsInstanceIds"] == [c.instance_id for c in activated if c.instance_id]
    protected = [c.client_id for c in activated if c.backup_status == "PROTECTED"]
    assert outputs["protectedClientIds"] == protected
    passwords = {
        c.client_id: c.settings.proxy_password
        for c in activated
        if c.settings and c.settings.proxy_password
    }
    assert passwords  # the seeded fleet has custom proxies with passwords
    assert outputs["proxyPasswords"] == passwords
    assert outputs["auditSummary"]["totalClients"] == len(official)

    stack.pulumi("preview", "--expect-no-changes")

    export = stack.pulumi("stack", "export").stdout
    assert DEFAULT_ACCESS_KEY_SECRET not in export
    assert not [p for p in passwords.values() if p in export]
    plain = json.loads(stack.pulumi("stack", "output", "--json").stdout)
    assert plain["proxyPasswords"] == "[secret]"

    emu.backend.update_client(activated[0].client_id, {"Status": "STOPPED"})
    preview = stack.pulumi("preview", "--expect-no-changes", check=False)
    assert preview.returncode != 0
    assert re.search(r"~ +hbr:index:BackupClients +ecs +update", preview.stdout), preview.stdout
    assert "~ 2 to update" in preview.stdout  # ecs, and protected, fed by its instanceIds
    stack.pulumi("up", "--yes", "--skip-preview")
    after = json.loads(stack.pulumi("stack", "output", "--json").stdout)
    assert after["ecsTotalCount"] == len(activated) - 1

    calls = emu.backend.api_call_count()
    destroyed = stack.pulumi("destroy", "--yes", "--skip-preview")
    assert "3 deleted" in destroyed.stdout
    assert emu.backend.api_call_count() == calls


def test_invalid_inputs_fail_preview_naming_each_field(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """A bad clientType and status fail the preview naming both fields; nothing is sent."""
    emu = emulator_factory(fleet=20, seed=1)
    stack = _stack(tmp_path, emu)
    preview = stack.pulumi("preview", check=False)
    output = preview.stdout + preview.stderr
    assert preview.returncode != 0
    assert "clientType" in output
    assert "ECS_CLIENT" in output
    assert "statuses[0]" in output
    assert "Traceback" not in output
    assert emu.backend.api_call_count() == 0


def test_gate_defaults_fail_the_preview(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """With maxFindings and allowEmpty unset, findings and an empty scope fail the preview."""
    emu = emulator_factory(fleet=40, seed=5)
    stopped = [c.client_id for c in _official(emu) if c.status != "ACTIVATED"][:1]
    assert stopped
    source = tmp_path / "gate"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(GATE_PROGRAM.format(client_ids=json.dumps(stopped)))
    stack = _stack(tmp_path, emu, source)
    program = stack.directory / "Pulumi.yaml"
    found = stack.pulumi("preview", check=False)
    assert found.returncode != 0
    assert "0 allowed by maxFindings" in found.stdout + found.stderr
    assert stopped[0] in found.stdout + found.stderr

    program.write_text(GATE_PROGRAM.format(client_ids='["c-0000000000nosuchclient"]'))
    empty = stack.pulumi("preview", check=False)
    assert empty.returncode != 0
    assert "nothing to audit" in empty.stdout + empty.stderr
    assert "allowEmpty" in empty.stdout + empty.stderr


BAD_FUNCTION_PROGRAM = """\
name: hbr-invalid
runtime: yaml
variables:
  gate:
    fn::invoke:
      function: hbr:index:auditBackupClients
      arguments:
        clientType: VM_CLIENT
outputs:
  passed: ${gate.passed}
"""


def test_bad_function_argument_is_the_first_error_a_user_reads(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """The Diagnostics open with the field and the rule, not with gRPC's shutdown noise."""
    emu = emulator_factory(fleet=5, seed=1)
    stack = _stack(tmp_path, emu)
    (stack.directory / "Pulumi.yaml").write_text(BAD_FUNCTION_PROGRAM)
    preview = stack.pulumi("preview", check=False)
    output = preview.stdout + preview.stderr
    assert preview.returncode != 0
    assert "Diagnostics:" in output, output
    diagnostics = output.split("Diagnostics:", 1)[1]
    first_error = next(line for line in diagnostics.splitlines() if "error" in line)
    cause = next(line for line in diagnostics.splitlines() if "invoke failed" in line)
    assert diagnostics.index(cause) < diagnostics.index("Error registering variable")
    assert "1 error occurred" in first_error or "VM_CLIENT" in first_error
    assert "did you mean ECS_CLIENT? (clientType)" in cause
    assert "client connection is closing" not in output
    assert "Traceback" not in output
    assert emu.backend.api_call_count() == 0


REGIONS = ("cn-hangzhou", "cn-shanghai", "cn-beijing")

COVERAGE_PROGRAM = """\
name: hbr-invalid
runtime: yaml
variables:
  coverage:
    fn::invoke:
      function: hbr:index:auditBackupCoverage
      arguments:
        regions: {regions}
        allowUnreachable: {allow}
        maxFindings: {max_findings}
outputs:
  complete: ${{coverage.complete}}
  uncovered: ${{coverage.summary.instances}}
  findings: ${{coverage.findings}}
"""


def _estate_stack(tmp_path: Path, emu: Emulator, **program: str) -> YamlStack:
    tmp_path.mkdir(parents=True)
    stack = _stack(tmp_path, emu, route="connectTo")
    (stack.directory / "Pulumi.yaml").write_text(COVERAGE_PROGRAM.format(**program))
    return stack


def test_yaml_estate_gate_names_each_uncovered_instance(tmp_path: Path) -> None:
    """auditBackupCoverage with the gate's defaults fails the preview on the seeded gaps and
    on the region without HBR; accepting that region and the findings lets it pass."""
    estate = Estate(regions=REGIONS, instances_per_region=20, not_activated=("cn-beijing",), seed=5)
    with Emulator(estate=estate) as emu:
        failing = _estate_stack(tmp_path / "a", emu, regions="[all]", allow="[]", max_findings="0")
        preview = failing.pulumi("preview", check=False)
        output = preview.stdout + preview.stderr
        assert preview.returncode != 0
        assert "HBR estate coverage FAIL" in output, output
        assert "incomplete: could not list cn-beijing" in output
        assert "allowUnreachable" in output
        assert "maxFindings" in output
        truth = emu.estate_truth()
        for region in ("cn-hangzhou", "cn-shanghai"):
            for instance_id in truth.region(region).uncovered_instance_ids:
                assert f"no_backup_client {region} {instance_id}" in output
        assert "Traceback" not in output

        passing = _estate_stack(
            tmp_path / "b", emu, regions="[all]", allow="[cn-beijing]", max_findings="1000"
        )
        passing.pulumi("up", "--yes", "--skip-preview")
        outputs = json.loads(passing.pulumi("stack", "output", "--json").stdout)
        assert outputs["complete"] is True
        found = {f["instanceId"] for f in outputs["findings"] if f["rule"] == "no_backup_client"}
        assert found == {
            i
            for r in ("cn-hangzhou", "cn-shanghai")
            for i in truth.region(r).uncovered_instance_ids
        }


ORGANISATION_PROGRAM = """\
name: hbr-invalid
runtime: yaml
variables:
  coverage:
    fn::invoke:
      function: hbr:index:getBackupCoverage
      arguments:
        regions: [cn-hangzhou, cn-shanghai]
        accounts: [all]
outputs:
  complete: ${coverage.complete}
  targets: ${coverage.targets}
  findings: ${coverage.findings}
"""


def test_yaml_every_account_reports_each_member(tmp_path: Path) -> None:
    """getBackupCoverage with accounts [all]: each member's gaps, and the role-less one as
    a failed target (the function reports; the audit function gates)."""
    regions = ("cn-hangzhou", "cn-shanghai")
    organisation = Organisation.generate(
        members=2,
        seed=6,
        member_regions=regions,
        without_role=(2,),
        estate=Estate(regions=regions, instances_per_region=8, seed=3),
    )
    with Emulator(organisation=organisation) as emu:
        stack = _stack(tmp_path, emu, route="connectTo")
        (stack.directory / "Pulumi.yaml").write_text(ORGANISATION_PROGRAM)
        stack.pulumi("up", "--yes", "--skip-preview")
        outputs = json.loads(stack.pulumi("stack", "output", "--json").stdout)
        truth = emu.organisation_truth()
    member = next(a for a in truth.members if a.role_assumable)
    without = next(a for a in truth.members if not a.role_assumable)
    assert outputs["complete"] is False
    failed = [t for t in outputs["targets"] if t.get("error")]  # a null output is left out
    assert [(t["target"]["accountId"], t["error"]["code"]) for t in failed] == [
        (without.account_id, "EntityNotExist.Role")
    ]
    found = {
        (f["accountId"], f["region"], f["instanceId"])
        for f in outputs["findings"]
        if f["rule"] == "no_backup_client" and f.get("accountId")
    }
    assert found == {
        (member.account_id, r, i)
        for r in regions
        for i in member.estate.region(r).uncovered_instance_ids
    }
