"""The type tokens and property names of policy/types.py are pulumi-alicloud 4.0.0's own.

They are read from the SDK's classes (``@pulumi.type_token`` and the ``*Args`` getters), in
``.venv-examples``, the venv that holds pulumi-alicloud (it stays out of the test venv: the CLI
would want its plugin for every program run from there). A rename in the SDK fails here.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pulumi_hbr_clients.policy import types

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-examples" / "bin" / "python"

#: Prints, for each resource the policies read: its type token and its input names.
_READ_SDK = """
import json, importlib.metadata
import pulumi_alicloud as alicloud
from pulumi._types import input_type_py_to_pulumi_names as names
found = {"version": importlib.metadata.version("pulumi-alicloud")}
for module, cls in [("ecs", "Instance"), ("hbr", "EcsBackupPlan"), ("hbr", "EcsBackupClient"),
                    ("hbr", "PolicyBinding")]:
    resource = getattr(getattr(alicloud, module), cls)
    args = getattr(getattr(alicloud, module), cls + "Args")
    found[cls] = {"token": resource.pulumi_type, "inputs": names(args)}
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def sdk() -> dict[str, object]:
    """What the installed pulumi-alicloud SDK says about the four resources."""
    subprocess.run([str(ROOT / "tools" / "examples_venv.sh")], check=True, timeout=600)
    out = subprocess.run(
        [str(PYTHON), "-c", _READ_SDK], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    found: dict[str, object] = json.loads(out)
    return found


class TestAlicloudNames:
    """Each token and property name the policies match equals the SDK's."""

    def test_sdk_is_4_0_0(self, sdk: dict[str, object]) -> None:
        """The names are checked against the version the policies were written for."""
        assert sdk["version"] == "4.0.0"

    def test_type_tokens(self, sdk: dict[str, dict[str, object]]) -> None:
        """Instance, EcsBackupPlan, EcsBackupClient and PolicyBinding tokens match."""
        assert sdk["Instance"]["token"] == types.ECS_INSTANCE_TYPE
        assert sdk["EcsBackupPlan"]["token"] == types.ECS_BACKUP_PLAN_TYPE
        assert sdk["EcsBackupClient"]["token"] == types.ECS_BACKUP_CLIENT_TYPE
        assert sdk["PolicyBinding"]["token"] == types.POLICY_BINDING_TYPE

    def test_property_names(self, sdk: dict[str, dict[str, dict[str, str]]]) -> None:
        """instance_id, data_source_id and source_type go to the engine as the names read."""
        assert sdk["EcsBackupPlan"]["inputs"]["instance_id"] == types.INSTANCE_ID
        assert sdk["EcsBackupClient"]["inputs"]["instance_id"] == types.INSTANCE_ID
        assert sdk["PolicyBinding"]["inputs"]["data_source_id"] == types.DATA_SOURCE_ID
        assert sdk["PolicyBinding"]["inputs"]["source_type"] == types.SOURCE_TYPE
        assert sdk["Instance"]["inputs"]["tags"] == "tags"
        assert sdk["Instance"]["inputs"]["status"] == "status"
        assert dict(types.PROTECTION_PROPERTIES) == {
            sdk["EcsBackupPlan"]["token"]: sdk["EcsBackupPlan"]["inputs"]["instance_id"],
            sdk["PolicyBinding"]["token"]: sdk["PolicyBinding"]["inputs"]["data_source_id"],
        }
