"""``hbr-clients policy-pack init DIR``: the pack it writes, its refusals, and the wheel's files."""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from hbr_clients_provider.cli import main
from hbr_clients_provider.package import package_version
from hbr_clients_provider.policy_pack import PACK_FILES, PackSpec, render_pack
from tests.e2e.pulumi_cli import BIN

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "sdk" / "python" / "pulumi_hbr_clients" / "policy" / "pack-template"


def _init(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    return subprocess.run(
        [str(BIN / "hbr-clients"), "policy-pack", "init", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The same command's ``main`` in this process (quicker, for the refusals)."""
    code = main(["policy-pack", "init", *args])
    out, err = capsys.readouterr()
    return code, out, err


class TestInit:
    """What a user gets from the command."""

    def test_writes_a_mandatory_pack_pinned_to_this_version(self, tmp_path: Path) -> None:
        """Three files: the runtime and its venv, the pinned requirement, the pack."""
        pack = tmp_path / "hbr-policy"

        done = _init(str(pack))

        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in pack.iterdir()) == sorted(PACK_FILES)
        manifest = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
        assert manifest["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
        assert manifest["version"] == package_version()
        requirements = (pack / "requirements.txt").read_text(encoding="utf-8").splitlines()
        assert [r for r in requirements if not r.startswith("#")] == [
            f"pulumi-hbr-clients[policy]=={package_version()}"
        ]
        main = (pack / "__main__.py").read_text(encoding="utf-8")
        assert 'name="hbr-backup-clients"' in main
        assert "hbr_policies(enforcement_level=EnforcementLevel.MANDATORY)" in main
        compile(main, "__main__.py", "exec")
        assert f"python3 -m venv {pack}/venv" in done.stdout
        assert f"pulumi preview --policy-pack {pack}" in done.stdout

    def test_name_level_and_an_existing_virtualenv(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--name, --enforcement-level and --virtualenv (an existing venv) are written as given."""
        venv = BIN.parent

        code, out, _ = _main(
            capsys, str(tmp_path / "p"), "--name", "org-backups",
            "--enforcement-level", "advisory", "--virtualenv", str(venv),
        )  # fmt: skip

        assert code == 0
        manifest = yaml.safe_load((tmp_path / "p" / "PulumiPolicy.yaml").read_text("utf-8"))
        assert manifest["runtime"]["options"]["virtualenv"] == str(venv)
        text = (tmp_path / "p" / "__main__.py").read_text(encoding="utf-8")
        assert 'name="org-backups"' in text
        assert "EnforcementLevel.ADVISORY" in text
        assert "python3 -m venv" not in out

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--name", "my pack"), "--name 'my pack': a policy pack name is 1 to 100 letters"),
            (("--enforcement-level", "strict"), "--enforcement-level 'strict': must be one of"),
            (("--virtualenv", "/no/such/venv"), "--virtualenv '/no/such/venv': '/no/such/venv' is"),
        ],
    )
    def test_bad_flag_is_named_and_nothing_is_written(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        args: tuple[str, ...],
        message: str,
    ) -> None:
        """A bad value exits 2 naming the flag, the value and the rule; no file is written."""
        code, _, err = _main(capsys, str(tmp_path / "p"), *args)

        assert code == 2
        assert message in err
        assert "Traceback" not in err
        assert not (tmp_path / "p").exists()

    def test_existing_pack_is_kept_without_force(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A second init refuses to overwrite and says how; --force overwrites."""
        assert _main(capsys, str(tmp_path))[0] == 0
        (tmp_path / "__main__.py").write_text("# mine\n", encoding="utf-8")

        refused, _, err = _main(capsys, str(tmp_path))
        forced = _main(capsys, str(tmp_path), "--force")[0]

        assert refused == 2
        assert "already exist(s); pass --force to overwrite" in err
        assert forced == 0
        assert "# mine" not in (tmp_path / "__main__.py").read_text(encoding="utf-8")


class TestShipped:
    """The pack's files are package data, and the repository's pack is the one init writes."""

    def test_wheel_package_data_holds_every_template(self) -> None:
        """pyproject's package data for pulumi_hbr_clients.policy matches each template."""
        config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        globs = config["tool"]["setuptools"]["package-data"]["pulumi_hbr_clients.policy"]
        package = TEMPLATES.parent

        for name in PACK_FILES:
            relative = (TEMPLATES / f"{name}.tmpl").relative_to(package).as_posix()
            assert any(fnmatch.fnmatch(relative, g) for g in globs), relative

    def test_repository_pack_is_what_init_writes(self) -> None:
        """policy/ is `init policy --enforcement-level advisory --virtualenv ../.venv`'s output."""
        spec = PackSpec(enforcement_level="advisory", virtualenv="../.venv")

        for name, text in render_pack(spec).items():
            assert (ROOT / "policy" / name).read_text(encoding="utf-8") == text, name
