"""``Link`` for every runtime's host: make a project depend on SDKs generated into it.

After ``GeneratePackage`` wrote an SDK under the project (``sdks/<package>``), ``pulumi package
add`` asks the project's host to ``Link`` it, then to ``InstallDependencies``. Each function here
does what the official host of its language does (pulumi/pulumi, v3.274.1), and returns the
import instructions the CLI prints:

- Python, pip toolchain (``sdk/python/toolchain/pip.go``, ``LinkPackages``): in the project's
  ``requirements.txt``, drop the lines naming the package or its path, then add its path;
- Node.js (``pulumi-language-nodejs``, ``npm pkg set``): ``dependencies.<npm name>`` in
  ``package.json`` becomes ``file:<path>``;
- Go: ``go.mod`` requires the SDK's module and replaces it by its directory
  (``go mod edit -require M@v0.0.0 -replace M=./<path>``).

Names come from what the generator wrote: the Python module holding ``pulumi-plugin.json``,
``package.json``'s ``name``, ``go.mod``'s ``module``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import attrs
from pulumi.runtime.proto import language_pb2

from language_host.options import HostError, PythonOptions
from language_host.processes import output_of

_REQUIREMENT_NAME = re.compile(r"^([a-zA-Z0-9_-]+)")
_GO_TIMEOUT_S = 120.0


class LinkError(HostError):
    """A linked SDK or the project's dependency file is missing or unreadable."""


@attrs.frozen(kw_only=True)
class LinkedSdk:
    """One generated SDK to link: its package name and its directory, relative to the root."""

    name: str
    path: str


def _sdks(request: language_pb2.LinkRequest) -> tuple[LinkedSdk, ...]:
    return tuple(
        LinkedSdk(name=dependency.package.name, path=dependency.path)
        for dependency in request.packages
    )


def _root(request: language_pb2.LinkRequest) -> Path:
    return Path(request.info.root_directory or request.info.program_directory or ".").absolute()


def python_module(sdk_dir: Path) -> str:
    """The import name of the Python SDK in ``sdk_dir`` (its module with ``pulumi-plugin.json``)."""
    found = sorted(path.parent.name for path in sdk_dir.glob("*/pulumi-plugin.json"))
    if not found:
        msg = f"no Python package with pulumi-plugin.json in {sdk_dir}; was the SDK generated?"
        raise LinkError(msg)
    return found[0]


def link_requirements(text: str, packages: Mapping[str, str]) -> str:
    """``requirements.txt`` with ``packages`` (path → module name) linked, as pip's LinkPackages.

    A line naming one of the modules (``-`` and ``_`` alike) or one of the paths is dropped; the
    paths are appended; the file's line endings and final newline are kept.
    """
    ending = "\r\n" if "\r\n" in text else "\n"
    lines = re.split(r"\r?\n", text)
    names = set(packages.values())
    kept = []
    for line in lines:
        stripped = line.strip()
        match = _REQUIREMENT_NAME.match(stripped.replace("-", "_"))
        if stripped and match and (match[1] in names or stripped in packages):
            continue
        kept.append(line)
    trailing = bool(kept) and not kept[-1].strip()
    if trailing:
        kept.pop()
    kept += list(packages)
    if trailing:
        kept.append("")
    return ending.join(kept)


def link_python(request: language_pb2.LinkRequest) -> language_pb2.LinkResponse:
    """Add each SDK's path to the project's ``requirements.txt`` (the pip toolchain)."""
    options = PythonOptions.from_info(request.info)
    root = _root(request)
    if options.toolchain != "pip":  # from_info already refused poetry and uv
        msg = f"Link: toolchain {options.toolchain!r} is not supported by this build's host"
        raise LinkError(msg)
    modules = {sdk.path: python_module(root / sdk.path) for sdk in _sdks(request)}
    requirements = root / "requirements.txt"
    try:
        text = requirements.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"error opening requirements.txt: {exc}"
        raise LinkError(msg) from exc
    requirements.write_text(link_requirements(text, modules), encoding="utf-8")
    imports = "".join(
        f"  import {module} as {sdk.name.replace('-', '_')}\n"
        for sdk, module in zip(_sdks(request), modules.values(), strict=True)
    )
    return language_pb2.LinkResponse(
        import_instructions=f"You can then import the SDK in your Python code with:\n\n{imports}"
    )


def _npm_name(sdk_dir: Path) -> str:
    manifest = sdk_dir / "package.json"
    try:
        name = json.loads(manifest.read_text(encoding="utf-8"))["name"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"cannot read the npm package name from {manifest}: {exc}"
        raise LinkError(msg) from exc
    return str(name)


def link_nodejs(request: language_pb2.LinkRequest) -> language_pb2.LinkResponse:
    """Point ``dependencies.<name>`` of ``package.json`` at each SDK's directory (``file:``)."""
    program = Path(request.info.program_directory or _root(request))
    manifest_path = program / "package.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"cannot read {manifest_path}: {exc}"
        raise LinkError(msg) from exc
    typescript = (program / "tsconfig.json").is_file()
    imports = []
    for sdk in _sdks(request):
        name = _npm_name(_root(request) / sdk.path)
        manifest.setdefault("dependencies", {})[name] = f"file:{sdk.path}"
        variable = re.sub(r"[-_](\w)", lambda m: m[1].upper(), sdk.name)
        if typescript:
            imports.append(f'  import * as {variable} from "{name}";\n')
        else:
            imports.append(f'  const {variable} = require("{name}");\n')
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    language = "TypeScript" if typescript else "JavaScript"
    return language_pb2.LinkResponse(
        import_instructions=f"You can import the SDK in your {language} code with:\n\n"
        + "".join(imports)
    )


def _go_module(sdk_dir: Path) -> str:
    go_mod = sdk_dir / "go.mod"
    try:
        text = go_mod.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"cannot read the Go module of the SDK: {exc}"
        raise LinkError(msg) from exc
    match = re.search(r"^module\s+(\S+)", text, re.MULTILINE)
    if match is None:
        msg = f"{go_mod} has no module line"
        raise LinkError(msg)
    return match[1].strip('"')


def link_go(
    request: language_pb2.LinkRequest, *, environ: Mapping[str, str]
) -> language_pb2.LinkResponse:
    """Require each SDK's module in ``go.mod`` and replace it by its directory."""
    program = Path(request.info.program_directory or _root(request))
    go = shutil.which("go", path=environ.get("PATH"))
    if go is None:
        msg = "Link: `go` is not on PATH; install Go (https://go.dev/dl/) to link a Go SDK"
        raise LinkError(msg)
    edits: list[str] = []
    imports = []
    for sdk in _sdks(request):
        module = _go_module(_root(request) / sdk.path)
        relative = Path(sdk.path).as_posix()
        edits += [f"-require={module}@v0.0.0", f"-replace={module}=./{relative}"]
        imports.append(f'  import "{module}/{sdk.name}"\n')
    output_of(
        [go, "mod", "edit", *edits],
        env=environ,
        cwd=program,
        timeout_s=_GO_TIMEOUT_S,
        what="go mod edit (linking the SDK)",
        error=LinkError,
    )
    return language_pb2.LinkResponse(
        import_instructions="You can import the SDK in your Go code with:\n\n" + "".join(imports)
    )


def link(
    request: language_pb2.LinkRequest, *, language: str, environ: Mapping[str, str]
) -> language_pb2.LinkResponse:
    """Link ``request.packages`` into the ``language`` project ``request.info`` describes."""
    if language == "python":
        return link_python(request)
    if language == "nodejs":
        return link_nodejs(request)
    if language == "go":
        return link_go(request, environ=environ)
    msg = f"Link: language must be python, nodejs or go, got {language!r}"
    raise LinkError(msg)
