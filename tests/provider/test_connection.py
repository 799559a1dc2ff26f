"""Tests of :mod:`hbr_clients_provider.connection`: precedence and credentials."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from alibabacloud_credentials.provider import cli_profile, profile

from hbr_clients_provider.connection import ConnectionSettings
from hbr_clients_provider.errors import CredentialsError

KEYS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "id-env", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret-env"}


@pytest.fixture(autouse=True)
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No CLI or ini profile from the real home directory leaks into these tests."""
    monkeypatch.setattr(cli_profile.ac, "HOME", str(tmp_path))
    monkeypatch.setattr(profile, "_get_default_file", lambda: str(tmp_path / "none.ini"))


def test_resolve_explicit_endpoint_wins() -> None:
    """An explicit endpoint beats HBR_ENDPOINT and the region."""
    env = {**KEYS, "HBR_ENDPOINT": "env:1", "ALIBABA_CLOUD_REGION_ID": "cn-x"}
    assert ConnectionSettings.resolve(endpoint="arg:2", environ=env).endpoint == "arg:2"
    assert ConnectionSettings.resolve(environ=env).endpoint == "env:1"


def test_resolve_region_endpoints() -> None:
    """Public and VPC endpoints are derived from the region."""
    env = {**KEYS, "ALIBABA_CLOUD_REGION_ID": "cn-hangzhou"}
    assert ConnectionSettings.resolve(environ=env).endpoint == "hbr.cn-hangzhou.aliyuncs.com"
    vpc = ConnectionSettings.resolve(region="cn-beijing", network="vpc", environ=env)
    assert vpc.endpoint == "hbr-vpc.cn-beijing.aliyuncs.com"


def test_resolve_no_region_names_the_fix() -> None:
    """Without endpoint or region the error says how to set one."""
    with pytest.raises(ValueError, match="ALIBABA_CLOUD_REGION_ID"):
        ConnectionSettings.resolve(environ=KEYS)


def test_resolve_protocol_precedence() -> None:
    """Protocol: explicit, else HBR_PROTOCOL, else https."""
    env = {**KEYS, "HBR_ENDPOINT": "h:1"}
    assert ConnectionSettings.resolve(environ=env).protocol == "https"
    assert ConnectionSettings.resolve(environ={**env, "HBR_PROTOCOL": "http"}).protocol == "http"
    assert (
        ConnectionSettings.resolve(
            protocol="HTTPS", environ={**env, "HBR_PROTOCOL": "http"}
        ).protocol
        == "https"
    )


def test_resolve_credentials_explicit_then_env() -> None:
    """Explicit keys beat the environment; STS tokens are carried."""
    env = {**KEYS, "HBR_ENDPOINT": "h:1", "ALIBABA_CLOUD_SECURITY_TOKEN": "tok"}
    from_env = ConnectionSettings.resolve(environ=env)
    assert (from_env.access_key_id, from_env.security_token) == ("id-env", "tok")
    explicit = ConnectionSettings.resolve(access_key_id="a", access_key_secret="b", environ=env)
    assert (explicit.access_key_id, explicit.security_token) == ("a", None)


def test_resolve_missing_credentials_fail_fast() -> None:
    """No credentials anywhere fails within a second with a clear message."""
    started = time.monotonic()
    with pytest.raises(CredentialsError, match="ALIBABA_CLOUD_ACCESS_KEY_ID"):
        ConnectionSettings.resolve(endpoint="h:1", environ={})
    assert time.monotonic() - started < 1.0


def test_resolve_half_explicit_key() -> None:
    """An ID without a secret is an error."""
    with pytest.raises(CredentialsError):
        ConnectionSettings.resolve(endpoint="h:1", access_key_id="a", environ={})


def test_resolve_profile_from_ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A named profile is read from the credentials file."""
    ini = tmp_path / "credentials.ini"
    ini.write_text("[work]\ntype = access_key\naccess_key_id = pid\naccess_key_secret = psecret\n")
    monkeypatch.setattr(profile, "_get_default_file", lambda: str(ini))
    monkeypatch.setattr(profile.au, "environment_credentials_file", None)
    settings = ConnectionSettings.resolve(endpoint="h:1", profile="work", environ=KEYS)
    assert settings.access_key_id == "pid"


def test_repr_hides_secret_and_token() -> None:
    """The secret and the token never appear in repr."""
    settings = ConnectionSettings(
        endpoint="h:1", access_key_id="id", access_key_secret="S3CRET", security_token="T0KEN"
    )
    assert "S3CRET" not in repr(settings)
    assert "T0KEN" not in repr(settings)
    assert "S3CRET" not in str(settings.redacted())
