"""The quickstart (the root project's program) through the real CLI."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from tests.e2e.pulumi_cli import ROOT, PulumiProject

pytestmark = pytest.mark.e2e


class TestQuickstart:
    """The root project deploys and its lookups depend on each other."""

    def test_up_and_stack_graph_shows_dependency(
        self, tmp_path: Path, emulator_factory: Callable[..., Emulator]
    ) -> None:
        """The second lookup is fed by the first, and the graph shows the edge."""
        emu = emulator_factory(fleet=200, seed=42)
        source = tmp_path / "source"
        # Not the link to .venv that `make setup` puts there: the copy would be the whole venv.
        shutil.copytree(
            ROOT / "examples" / "quickstart",
            source / "examples" / "quickstart",
            ignore=shutil.ignore_patterns(".venv", "__pycache__"),
        )
        shutil.copy(ROOT / "Pulumi.yaml", source / "Pulumi.yaml")
        project = PulumiProject.create(
            source,
            tmp_path / "work",
            env={
                "HBR_ENDPOINT": emu.endpoint,
                "HBR_PROTOCOL": "http",
                "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
            },
        )
        project.run("up", "--yes", "--skip-preview", check=True)
        outputs = project.outputs()
        assert outputs["total_count"] == len(outputs["client_ids"]) > 0
        assert set(outputs["protected_client_ids"]) <= set(outputs["client_ids"])

        graph_file = tmp_path / "graph.dot"
        project.run("stack", "graph", str(graph_file), check=True)
        dot = graph_file.read_text()
        nodes = dict(re.findall(r'(Resource\d+) \[label="([^"]+)"', dot))
        # The graph draws a property dependency from the source to its consumer.
        edges = re.findall(r'(Resource\d+) -> (Resource\d+) \[[^]]*label = "([^"]+)"', dot)
        named = {(nodes.get(a, ""), nodes.get(b, ""), label) for a, b, label in edges}
        assert any(
            a.endswith("activated-ecs-clients")
            and b.endswith("protected-ecs-clients")
            and label == "instance_ids"
            for a, b, label in named
        ), dot
