"""The ``alicloud:`` stack config the engine does not give the ``hbr`` plugin.

The engine configures a provider plugin with its own package's config alone: a default
provider's inputs are the stack's ``hbr:*`` keys (``Target.GetPackageConfig`` in
``pkg/resource/deploy/target.go`` of v3.274.1 keeps only keys of the provider's namespace,
except for the dynamic providers ``pulumi-python``/``pulumi-nodejs``, which get all), and
``PULUMI_CONFIG`` in the plugin's environment holds the same namespace
(``pkg/host/host.go``). No RPC of the engine hands out the rest. A Python program reads
``alicloud:region`` itself; the plugin asks the one program that knows the stack's config
as the user sees it (stack file, project defaults, ESC environments): the ``pulumi`` CLI,
``pulumi config --json --stack STACK`` in the plugin's working directory (the engine starts
a plugin in the project's directory, ``ctx.Pwd``), for the stack its provider URN names.

Only plain values are read: ``alicloud:region`` and ``alicloud:profile``. Secret values
(``alicloud:accessKey``...) are not decrypted outside the engine; give the plugin its keys
as ``hbr:accessKey``/``hbr:secretKey``, or through the environment or a profile. A
``--config-file`` given to ``pulumi preview``/``up`` is not seen by this read, and the stack
is named as the URN names it (without an organization: the CLI's default one).
The read costs one CLI start (about 0.2 s on an idle 2-core machine), once per plugin
process, at ``Configure``, and only when ``hbr:region`` or ``hbr:profile`` is not set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import attrs

__all__ = ["OTHER_KEYS", "StackReader", "stack_of"]

#: The keys of another namespace the plugin reads, when their ``hbr:`` twin is not set.
OTHER_KEYS: tuple[str, ...] = ("alicloud:region", "alicloud:profile")

#: Seconds the ``pulumi config`` read may take (a cold start on a busy machine included).
READ_TIMEOUT_S = 30.0


def stack_of(urn: str) -> str | None:
    """The stack named by a URN (``urn:pulumi:STACK::PROJECT::TYPE::NAME``), if it is one."""
    parts = urn.split("::")
    if not parts[0].startswith("urn:pulumi:") or len(parts) < 4:
        return None
    return parts[0].removeprefix("urn:pulumi:") or None


def _pulumi_binary(environ: Mapping[str, str]) -> str | None:
    """The CLI that started this plugin (its parent), else ``pulumi`` on ``PATH``."""
    parent = Path(f"/proc/{os.getppid()}/exe")
    try:
        exe = parent.resolve(strict=True)
    except OSError:
        exe = None
    if exe is not None and exe.name == "pulumi":
        return str(exe)
    return shutil.which("pulumi", path=environ.get("PATH"))


@attrs.define
class StackReader:
    """Reads :data:`OTHER_KEYS` of ``stack`` once, on first use; ``problem`` says why not."""

    stack: str | None
    environ: Mapping[str, str] = attrs.field(factory=lambda: dict(os.environ))
    #: Where to run the CLI; ``None``: this process's directory, the project's.
    cwd: str | None = None
    _values: dict[str, str] | None = None
    problem: str | None = None

    def get(self, key: str) -> str | None:
        """The plain value of ``key`` in the stack's config, or ``None``."""
        if key not in OTHER_KEYS:
            return None
        if self._values is None:
            self._values = self._read()
        return self._values.get(key)

    def _read(self) -> dict[str, str]:
        if self.stack is None:
            self.problem = "the engine named no stack"
            return {}
        binary = _pulumi_binary(self.environ)
        if binary is None:
            self.problem = "no pulumi CLI on PATH"
            return {}
        # The engine sets PULUMI_CONFIG for this plugin (its own namespace); it is not the CLI's.
        env = {k: v for k, v in self.environ.items() if k != "PULUMI_CONFIG"}
        try:
            # S603: the CLI that started this plugin (or PATH's), a list of arguments, no shell.
            proc = subprocess.run(  # noqa: S603
                [binary, "config", "--json", "--stack", self.stack, "--non-interactive"],
                env=env,
                cwd=self.cwd,
                capture_output=True,
                text=True,
                timeout=READ_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            self.problem = f"`pulumi config` did not run: {type(error).__name__}"
            return {}
        if proc.returncode != 0:
            first = (proc.stderr.strip().splitlines() or ["no message"])[0]
            self.problem = f"`pulumi config` failed: {first[:200]}"
            return {}
        try:
            config = json.loads(proc.stdout)
        except ValueError:
            self.problem = "`pulumi config --json` printed no JSON"
            return {}
        values: dict[str, str] = {}
        for key in OTHER_KEYS:
            entry = config.get(key) if isinstance(config, dict) else None
            if isinstance(entry, dict) and not entry.get("secret"):
                value = entry.get("value")
                if isinstance(value, str) and value:
                    values[key] = value
        return values
