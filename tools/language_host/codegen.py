"""``GeneratePackage`` for every runtime's host: an SDK from a schema, by Pulumi's generators.

``pulumi package add`` and ``pulumi package gen-sdk`` send a language host the package's schema
and a directory; the official hosts (pulumi-language-python, -nodejs, -go) answer by calling the
code generators of ``pkg/v3/codegen`` in their own process. Those hosts cannot be built from the
Go module proxy, so the project's hosts run ``package-gen`` (``tools/pulumi-codegen/package-gen``),
which calls the same generators from the ``pkg/v3`` release the CLI is built from.

``package-gen`` is built with ``go build`` the first time it is needed (seconds with a warm Go
build cache, about a minute without) into
``${XDG_CACHE_HOME:-~/.cache}/pulumi-hbr-clients/package-gen-<pkg version>-<sources hash>/``,
so a changed generator is never run from a stale binary.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import attrs
from pulumi.runtime.proto import language_pb2

from language_host.options import HostError
from language_host.processes import output_of

#: The languages ``package-gen`` writes, by the runtime names the engine uses.
LANGUAGES = frozenset({"python", "nodejs", "go"})
CODEGEN_MODULE = Path(__file__).resolve().parents[1] / "pulumi-codegen"
_PKG_MODULE = "github.com/pulumi/pulumi/pkg/v3"
_BUILD_TIMEOUT_S = 900.0
_GENERATE_TIMEOUT_S = 300.0


class CodegenError(HostError):
    """The code generators could not be built or run; the message says what to do."""


@attrs.frozen(kw_only=True)
class Generator:
    """Where ``package-gen`` lives for the current sources, and how to build it."""

    module: Path = CODEGEN_MODULE
    cache_root: Path = attrs.field(
        factory=lambda: Path(
            os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "pulumi-hbr-clients"
        )
    )

    def pkg_version(self) -> str:
        """The ``pkg/v3`` release the generators come from (``go.mod``'s requirement)."""
        for line in (self.module / "go.mod").read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[0] == _PKG_MODULE:
                return fields[1]
            if len(fields) >= 3 and fields[:2] == ["require", _PKG_MODULE]:
                return fields[2]
        msg = f"{self.module / 'go.mod'} does not require {_PKG_MODULE}"
        raise CodegenError(msg)

    def binary(self) -> Path:
        """The path of the build for the current sources (it may not exist yet)."""
        digest = hashlib.sha256()
        sources = [self.module / "go.mod", self.module / "go.sum"]
        sources += sorted((self.module / "package-gen").glob("*.go"))
        for source in sources:
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
        name = f"package-gen-{self.pkg_version()}-{digest.hexdigest()[:12]}"
        return self.cache_root / name / "package-gen"

    def ensure_built(self, environ: Mapping[str, str]) -> Path:
        """Build ``package-gen`` unless the current sources' build is cached; return its path."""
        binary = self.binary()
        if binary.is_file():
            return binary
        go = shutil.which("go", path=environ.get("PATH"))
        if go is None:
            msg = (
                "generating an SDK needs Pulumi's code generators, which this build's language "
                f"hosts compile from Go modules ({_PKG_MODULE} {self.pkg_version()}), and `go` "
                "is not on PATH; install Go (https://go.dev/dl/) and retry, or install the "
                "Pulumi CLI (https://www.pulumi.com/docs/install/), whose hosts generate SDKs"
            )
            raise CodegenError(msg)
        binary.parent.mkdir(parents=True, exist_ok=True)
        partial = binary.with_name(f"package-gen.{os.getpid()}.tmp")
        env = dict(environ)
        env.setdefault("CGO_ENABLED", "0")
        output_of(
            [go, "build", "-trimpath", "-o", str(partial), "./package-gen"],
            env=env,
            cwd=self.module,
            timeout_s=_BUILD_TIMEOUT_S,
            what=f"building the code generators (go build in {self.module})",
            error=CodegenError,
        )
        partial.replace(binary)  # atomic: a concurrent build of the same sources is identical
        return binary


def generate_package(
    request: language_pb2.GeneratePackageRequest,
    *,
    language: str,
    environ: Mapping[str, str],
    generator: Generator | None = None,
) -> language_pb2.GeneratePackageResponse:
    """Write the ``language`` SDK of ``request.schema`` into ``request.directory``.

    Raises:
        CodegenError: an unknown language, extra files (overlays, not supported), or the
            generators failed (the message carries theirs: an invalid schema, say).
    """
    if language not in LANGUAGES:
        msg = f"GeneratePackage: language must be one of {', '.join(sorted(LANGUAGES))}"
        raise CodegenError(msg)
    if request.extra_files:
        msg = (
            "GeneratePackage: extra files (`pulumi package gen-sdk --overlays`) are not "
            f"supported by this build's host; got {', '.join(sorted(request.extra_files))}"
        )
        raise CodegenError(msg)
    binary = (generator or Generator()).ensure_built(environ)
    argv = [str(binary)]
    if request.local:
        argv.append("--local")
    if request.loader_target:
        argv += ["--loader", request.loader_target]
    for name, path in sorted(request.local_dependencies.items()):
        argv += ["--local-dependency", f"{name}={path}"]
    directory = Path(request.directory)
    with tempfile.TemporaryDirectory(prefix="package-gen-") as scratch:
        schema = Path(scratch, "schema.json")
        schema.write_text(request.schema, encoding="utf-8")
        output_of(
            [*argv, language, str(schema), str(directory)],
            env=environ,
            cwd=directory.parent if directory.parent.is_dir() else None,
            timeout_s=_GENERATE_TIMEOUT_S,
            what=f"generating the {language} SDK",
            error=CodegenError,
        )
    return language_pb2.GeneratePackageResponse()
