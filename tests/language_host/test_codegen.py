"""GeneratePackage and Link as every runtime's host answers them (``codegen``, ``link``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi.runtime.proto import language_pb2, plugin_pb2

from language_host import codegen, link
from tests.language_host.conftest import program_info

BIN = Path(sys.executable).parent


def _link_request(root: Path, path: str = "sdks/hbr") -> language_pb2.LinkRequest:
    return language_pb2.LinkRequest(
        info=program_info(root),
        packages=[
            language_pb2.LinkRequest.LinkDependency(
                package=plugin_pb2.PackageDependency(name="hbr", kind="resource", version="0.1.0"),
                path=path,
            )
        ],
    )


def _schema() -> str:
    """The hbr plugin's schema, as the engine sends it for ``package add`` (packable)."""
    schema = json.loads(
        subprocess.run(
            [str(BIN / "pulumi"), "package", "get-schema", str(BIN / "pulumi-resource-hbr")],
            cwd=BIN,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        ).stdout
    )
    schema["meta"] = {"supportPack": True}
    return json.dumps(schema)


class TestRequirements:
    """link_requirements: what pip's LinkPackages does to requirements.txt."""

    def test_link_requirements_appends_the_path_and_keeps_the_rest(self) -> None:
        """The path goes last; other lines, comments and the final newline stay."""
        text = "# deps\npulumi>=3.0\n\nrequests\n"
        assert link.link_requirements(text, {"sdks/hbr": "pulumi_hbr"}) == (
            "# deps\npulumi>=3.0\n\nrequests\nsdks/hbr\n"
        )

    def test_link_requirements_replaces_the_package_by_name_or_path(self) -> None:
        """A line naming the module (- and _ alike) or the path is dropped, not duplicated."""
        text = "pulumi\npulumi-hbr>=0.1\nsdks/hbr\n"
        assert link.link_requirements(text, {"sdks/hbr": "pulumi_hbr"}) == "pulumi\nsdks/hbr\n"

    def test_link_requirements_keeps_crlf_line_endings(self) -> None:
        """A file written with CRLF keeps them."""
        assert link.link_requirements("pulumi\r\n", {"sdks/hbr": "pulumi_hbr"}) == (
            "pulumi\r\nsdks/hbr\r\n"
        )


class TestLink:
    """link(): each language's dependency file names the generated SDK."""

    def test_link_python_adds_the_sdk_to_requirements(self, tmp_path: Path) -> None:
        """requirements.txt gets sdks/hbr; the instructions import the generated module."""
        (tmp_path / "requirements.txt").write_text("pulumi>=3\n")
        module = tmp_path / "sdks/hbr/pulumi_hbr"
        module.mkdir(parents=True)
        (module / "pulumi-plugin.json").write_text("{}")
        response = link.link(_link_request(tmp_path), language="python", environ=os.environ)
        assert (tmp_path / "requirements.txt").read_text() == "pulumi>=3\nsdks/hbr\n"
        assert "import pulumi_hbr as hbr" in response.import_instructions

    def test_link_python_without_requirements_names_the_file(self, tmp_path: Path) -> None:
        """No requirements.txt: the error names it, as the official host's does."""
        module = tmp_path / "sdks/hbr/pulumi_hbr"
        module.mkdir(parents=True)
        (module / "pulumi-plugin.json").write_text("{}")
        with pytest.raises(link.LinkError, match=r"error opening requirements\.txt"):
            link.link(_link_request(tmp_path), language="python", environ=os.environ)

    def test_link_python_without_a_generated_sdk_says_so(self, tmp_path: Path) -> None:
        """A path without a generated package is an error naming the directory."""
        (tmp_path / "requirements.txt").write_text("")
        with pytest.raises(link.LinkError, match=r"no Python package with pulumi-plugin\.json"):
            link.link(_link_request(tmp_path), language="python", environ=os.environ)

    def test_link_nodejs_adds_a_file_dependency(self, tmp_path: Path) -> None:
        """package.json depends on the SDK's npm name with file:<path>."""
        (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"a": "1"}}))
        (tmp_path / "tsconfig.json").write_text("{}")
        sdk = tmp_path / "sdks/hbr"
        sdk.mkdir(parents=True)
        (sdk / "package.json").write_text(json.dumps({"name": "@scope/hbr"}))
        response = link.link(_link_request(tmp_path), language="nodejs", environ=os.environ)
        manifest = json.loads((tmp_path / "package.json").read_text())
        assert manifest["dependencies"] == {"a": "1", "@scope/hbr": "file:sdks/hbr"}
        assert 'import * as hbr from "@scope/hbr";' in response.import_instructions

    def test_link_go_requires_and_replaces_the_module(self, tmp_path: Path) -> None:
        """go.mod requires the SDK's module and replaces it by ./sdks/hbr."""
        (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
        sdk = tmp_path / "sdks/hbr"
        sdk.mkdir(parents=True)
        (sdk / "go.mod").write_text("module example.com/sdk\n\ngo 1.22\n")
        response = link.link(_link_request(tmp_path), language="go", environ=os.environ)
        go_mod = (tmp_path / "go.mod").read_text()
        assert "require example.com/sdk v0.0.0" in go_mod
        assert "replace example.com/sdk => ./sdks/hbr" in go_mod
        assert 'import "example.com/sdk/hbr"' in response.import_instructions

    def test_link_an_unknown_language_names_the_choices(self, tmp_path: Path) -> None:
        """Only python, nodejs and go are linked."""
        with pytest.raises(link.LinkError, match="python, nodejs or go"):
            link.link(_link_request(tmp_path), language="dotnet", environ=os.environ)


class TestGeneratePackage:
    """generate_package(): the SDK written by Pulumi's generators, built from Go modules."""

    def test_the_build_is_keyed_by_the_generator_sources(self, tmp_path: Path) -> None:
        """Another source file means another binary path: a stale build is never run."""
        module = tmp_path / "codegen"
        shutil.copytree(codegen.CODEGEN_MODULE / "package-gen", module / "package-gen")
        for name in ("go.mod", "go.sum"):
            shutil.copy(codegen.CODEGEN_MODULE / name, module / name)
        generator = codegen.Generator(module=module, cache_root=tmp_path / "cache")
        before = generator.binary()
        assert before.parent.name.startswith("package-gen-v3.274.1-")
        (module / "package-gen" / "extra.go").write_text("package main\n")
        assert generator.binary() != before

    def test_without_go_the_error_says_what_to_install(self, tmp_path: Path) -> None:
        """No build cached and no `go` on PATH: the message names Go and the Pulumi CLI."""
        generator = codegen.Generator(cache_root=tmp_path / "cache")
        request = language_pb2.GeneratePackageRequest(directory=str(tmp_path / "out"), schema="{}")
        with pytest.raises(codegen.CodegenError, match=r"`go` is not on PATH.*Pulumi CLI"):
            codegen.generate_package(
                request, language="python", environ={"PATH": str(tmp_path)}, generator=generator
            )

    def test_an_unknown_language_is_refused_before_building(self, tmp_path: Path) -> None:
        """The languages are python, nodejs and go."""
        request = language_pb2.GeneratePackageRequest(directory=str(tmp_path), schema="{}")
        with pytest.raises(codegen.CodegenError, match="go, nodejs, python"):
            codegen.generate_package(request, language="dotnet", environ=os.environ)

    def test_the_python_sdk_of_the_hbr_schema(self, tmp_path: Path) -> None:
        """The Python SDK: the pulumi_hbr module with its plugin file and the lookup function."""
        out = tmp_path / "python"
        out.mkdir()
        request = language_pb2.GeneratePackageRequest(
            directory=str(out), schema=_schema(), local=True
        )
        codegen.generate_package(request, language="python", environ=os.environ)
        plugin = json.loads((out / "pulumi_hbr/pulumi-plugin.json").read_text())
        assert plugin == {"resource": True, "name": "hbr", "version": "0.1.0"}
        assert "def get_backup_clients(" in (out / "pulumi_hbr/get_backup_clients.py").read_text()
        assert (out / "setup.py").is_file()

    def test_an_invalid_schema_fails_with_the_generators_message(self, tmp_path: Path) -> None:
        """A schema the generators refuse is an error carrying their message."""
        request = language_pb2.GeneratePackageRequest(
            directory=str(tmp_path), schema='{"name": "x", "resources": {"bad": {}}}'
        )
        with pytest.raises(codegen.CodegenError, match="generating the python SDK failed"):
            codegen.generate_package(request, language="python", environ=os.environ)
