"""Tests of :mod:`hbr_clients_provider.cli`: the ``hbr-clients list`` contract."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hbr_clients_provider.api.models import ClientListing
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.cli import CSV_COLUMNS, _flat_row, main, render
from hbr_emulator import DEFAULT_ACCESS_KEY_ID, Emulator, Faults

from ._support import connect, expected_ids, point_env_at


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Emulator:
    """Point the standard environment variables at the emulator."""
    point_env_at(monkeypatch, emulator.endpoint)
    return emulator


def test_cli_list_json_shape(cli_env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints an array of snake_case clients, passwords masked."""
    cli_env.backend.update_client(
        expected_ids(cli_env)[0],
        {"Settings": {"DataProxySetting": "CUSTOM", "ProxyPassword": "pa55word"}},
    )
    assert main(["list", "--client-type", "ECS_CLIENT", "--format", "json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert [c["client_id"] for c in data] == expected_ids(cli_env)
    assert {"client_id", "instance_id", "status", "settings", "tags"} <= set(data[0])
    assert data[0]["settings"]["proxy_password"] == "******"
    assert "pa55word" not in out


def test_cli_list_show_secrets(cli_env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """--show-secrets prints the proxy password."""
    first = expected_ids(cli_env)[0]
    cli_env.backend.update_client(first, {"Settings": {"ProxyPassword": "pa55word"}})
    assert (
        main(
            [
                "list",
                "--client-type",
                "ECS_CLIENT",
                "--client-id",
                first,
                "--format",
                "json",
                "--show-secrets",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)[0]["settings"]["proxy_password"] == "pa55word"


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_cli_list_table_and_csv(
    cli_env: Emulator, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """Table and CSV output list every client."""
    assert (
        main(["list", "--client-type", "ECS_CLIENT", "--status", "ACTIVATED", "--format", fmt]) == 0
    )
    out = capsys.readouterr().out
    assert "client_id" in out.splitlines()[0]


def test_cli_list_invalid_input_exit_2(
    cli_env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Invalid input exits 2, names the field and sends nothing."""
    code = main(["list", "--client-type", "ECS_CLIENT", "--tag", "acs:x=1", "--page-size", "100"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--tag #1 key: must not start with 'aliyun' or 'acs:' (got 'acs:x')" in err
    assert "--page-size: must be between 1 and 99 (got '100'); did you mean 99?" in err
    assert cli_env.backend.api_call_count() == 0


def test_cli_tag_without_equals_names_the_command_line_form(
    cli_env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --tag without '=' is told the one form a flag takes, KEY=VALUE, and sends nothing."""
    code = main(["list", "--client-type", "ECS_CLIENT", "--tag", "env:prod"])
    err = capsys.readouterr().err
    assert code == 2
    assert "  --tag #1: must be KEY=VALUE (got 'env:prod'); did you mean env=prod?\n" in err
    assert cli_env.backend.api_call_count() == 0


def test_cli_list_missing_client_type_exit_2(
    cli_env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing client type exits 2 and names the field."""
    assert main(["list"]) == 2
    assert "--client-type: is required" in capsys.readouterr().err


def test_cli_list_api_error_exit_3(cli_env: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """An API error exits 3 with the code and request ID and no traceback."""
    cli_env.backend.set_faults(Faults(fail_next=[("Forbidden.RAM", 403)]))
    assert main(["list", "--client-type", "ECS_CLIENT"]) == 3
    err = capsys.readouterr().err
    assert "Forbidden.RAM" in err
    assert "request id" in err
    assert "Traceback" not in err


def test_cli_list_network_error_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refused connection exits 3 once the attempts are used up."""
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b")
    code = main(
        [
            "list",
            "--client-type",
            "ECS_CLIENT",
            "--endpoint",
            "127.0.0.1:9",
            "--protocol",
            "http",
            "--read-timeout",
            "0.5",
            "--max-attempts",
            "2",
        ]
    )
    assert code == 3
    assert "connection" in capsys.readouterr().err


def test_cli_list_subprocess_no_traceback(emulator: Emulator, tmp_path: Path) -> None:
    """The entry point exits 3 on a bad secret, without a traceback or the secret."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong-secret-value",
    }
    exe = Path(sys.executable).with_name("hbr-clients")
    args = [
        str(exe),
        "list",
        "--client-type",
        "ECS_CLIENT",
        "--endpoint",
        emulator.endpoint,
        "--protocol",
        "http",
    ]
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 3
    assert "SignatureDoesNotMatch" in result.stderr
    assert "Traceback" not in result.stderr
    assert "wrong-secret-value" not in result.stderr + result.stdout


class TestStreamedOutput:
    """Streamed output is byte for byte what rendering the whole listing at once gives."""

    @pytest.fixture
    def listing(self, emulator: Emulator) -> ClientListing:
        """A listing of the emulator's ECS clients, one of them with a proxy password."""
        first = expected_ids(emulator)[0]
        emulator.backend.update_client(first, {"Settings": {"ProxyPassword": "pa55,word"}})
        return list_clients({"client_type": "ECS_CLIENT"}, connection=connect(emulator))

    @pytest.mark.parametrize("show_secrets", [False, True])
    def test_json_matches_one_dump(self, listing: ClientListing, show_secrets: bool) -> None:
        """--format json streams exactly json.dumps(to_dicts(), indent=2)."""
        expected = json.dumps(listing.to_dicts(reveal_secrets=show_secrets), indent=2) + "\n"
        assert render(listing, "json", show_secrets=show_secrets) == expected

    def test_csv_matches_one_writer(self, listing: ClientListing) -> None:
        """--format csv streams exactly what one quoting DictWriter over every row writes."""
        rows = [_flat_row(item) for item in listing.to_dicts()]
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=CSV_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL
        )
        writer.writeheader()
        writer.writerows(rows)
        assert render(listing, "csv") == buffer.getvalue()
        assert list(rows[0]) == list(CSV_COLUMNS)

    def test_empty_listing(self) -> None:
        """No clients: json is [], csv the same header as a full listing, the table a count."""
        empty = ClientListing(clients=(), total_count=0)
        assert render(empty, "json") == "[]\n"
        assert render(empty, "csv") == ",".join(f'"{c}"' for c in CSV_COLUMNS) + "\n"
        assert render(empty, "table").endswith("0 client(s)\n")

    def test_csv_header_is_the_same_empty_or_not(self, listing: ClientListing) -> None:
        """An empty CSV has the header of a non-empty one, so a loader reads both alike."""
        empty = ClientListing(clients=(), total_count=0)
        full = render(listing, "csv").splitlines()
        assert render(empty, "csv").splitlines() == full[:1]
        assert len(full) == len(listing.clients) + 1

    def test_table_columns_fit_the_widest_cell(self, listing: ClientListing) -> None:
        """The table is aligned: every row's status column starts at the header's offset."""
        lines = render(listing, "table").splitlines()
        offset = lines[0].index("status")
        assert all(line[offset - 2 : offset] == "  " for line in lines[1:-1])
        assert lines[-1] == f"{len(listing.clients)} client(s)"
