"""Tests of :mod:`.connection` and :mod:`.network`: credentials, endpoint, proxy, CAs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import certifi
import pytest
import requests.utils
from alibabacloud_credentials.provider import cli_profile, profile

from hbr_clients_provider.api.connection import ConnectionSettings, endpoint_problem
from hbr_clients_provider.api.network import resolve_network
from hbr_clients_provider.errors import CredentialsError, InvalidQuery

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


@pytest.mark.parametrize(
    "endpoint",
    [
        "hbr.cn-hangzhou.aliyuncs.com",
        "hbr-vpc.cn-hangzhou.aliyuncs.com:443",
        "127.0.0.1:8080",
        "localhost:1",
        "[::1]:65535",
        "[2001:db8::1]",
        "my_host.internal",
    ],
)
def test_endpoint_valid_shapes(endpoint: str) -> None:
    """Host names, IPv4 and bracketed IPv6 addresses with an optional port are endpoints."""
    assert endpoint_problem(endpoint) is None
    assert ConnectionSettings(endpoint=endpoint, protocol="http").endpoint == endpoint


@pytest.mark.parametrize(
    ("endpoint", "hint"),
    [
        ("127.0.0.1:99999", "the port is not a number from 1 to 65535"),
        ("127.0.0.1:0", "the port is not a number from 1 to 65535"),
        ("host:\uff18\uff10", "the port is not a number from 1 to 65535"),
        ("https://hbr.example.com", "leave out the scheme"),
        ("::1", "put an IPv6 address in brackets"),
        ("hbr.example.com/path", "nothing else"),
        ("user@hbr.example.com", "nothing else"),
        (" hbr.example.com", "nothing else"),
        ("999.1.1.1", "nothing else"),
        ("-bad-.example.com", "nothing else"),
        ("[::1]x", "nothing else"),
    ],
)
def test_endpoint_invalid_refused_naming_field_and_value(endpoint: str, hint: str) -> None:
    """An endpoint that cannot be one is an InvalidQuery naming endpoint, the value and the rule."""
    with pytest.raises(InvalidQuery) as info:
        ConnectionSettings.resolve(endpoint=endpoint, environ={**KEYS})
    (violation,) = info.value.violations
    assert (violation.field, violation.value) == ("endpoint", endpoint)
    assert hint in violation.rule


PROXY_ENVIRONMENTS = [
    {},
    {"HTTP_PROXY": "http://p:1"},
    {"http_proxy": "http://lower:1", "HTTP_PROXY": "http://upper:1"},
    {"HTTPS_PROXY": "http://p:1"},
    {"ALL_PROXY": "http://all:1"},
    {"ALL_PROXY": "http://all:1", "HTTP_PROXY": "http://p:1"},
    {"HTTP_PROXY": "http://p:1", "NO_PROXY": "127.0.0.1"},
    {"HTTP_PROXY": "http://p:1", "NO_PROXY": "127.0.0.0/8"},
    {"HTTP_PROXY": "http://p:1", "NO_PROXY": "10.0.0.0/8"},
    {"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"},
    {"HTTP_PROXY": "http://p:1", "NO_PROXY": ".example.com"},
    {"HTTP_PROXY": "http://p:1", "NO_PROXY": "example.com"},
    {"HTTP_PROXY": "http://p:1", "NO_PROXY": "other.com, example.com"},
    {"HTTP_PROXY": "http://p:1", "no_proxy": "hbr.example.com:8080"},
    {"HTTP_PROXY": "http://p:1", "REQUEST_METHOD": "GET"},
    {"HTTP_PROXY": "http://p:1", "http_proxy": ""},
]
URLS = ["http://127.0.0.1:8080/", "http://hbr.example.com:8080/", "https://hbr.example.com/"]


@pytest.mark.parametrize("env", PROXY_ENVIRONMENTS)
@pytest.mark.parametrize("url", URLS)
def test_proxy_choice_is_requests_own(
    env: dict[str, str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For every environment, the proxy chosen is the one requests chooses from os.environ."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    expected = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    assert resolve_network(url, environ=env).proxy == expected


def test_proxy_resolved_from_the_given_environ_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """resolve() reads the proxy from its environ mapping, and reports the variable."""
    monkeypatch.setenv("HTTPS_PROXY", "http://from-os:1")
    conn = ConnectionSettings.resolve(
        endpoint="hbr.example.com", environ={**KEYS, "HTTPS_PROXY": "http://u:pw@given:3128"}
    )
    assert conn.network_settings is not None
    assert conn.network_settings.proxy_display() == "http://given:3128"
    assert conn.network_settings.proxy_source == "HTTPS_PROXY"
    assert "pw" not in repr(conn)


def test_ca_bundle_precedence(tmp_path: Path) -> None:
    """--ca-bundle beats REQUESTS_CA_BUNDLE, which beats CURL_CA_BUNDLE; default is certifi."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text(Path(certifi.where()).read_text(encoding="utf-8"), encoding="utf-8")
    env = {"REQUESTS_CA_BUNDLE": str(bundle), "CURL_CA_BUNDLE": "/nowhere.pem"}
    explicit = resolve_network("https://h/", ca_bundle=str(bundle), environ=env)
    assert (explicit.verify, explicit.ca_source) == (str(bundle), "ca_bundle")
    from_env = resolve_network("https://h/", environ=env)
    assert (from_env.verify, from_env.ca_source) == (str(bundle), "REQUESTS_CA_BUNDLE")
    default = resolve_network("https://h/", environ={})
    assert (default.verify, default.ca_source) == (certifi.where(), "certifi")


def test_ca_bundle_without_certificates_refused(tmp_path: Path) -> None:
    """A CA bundle with no certificate in it is refused, naming its source and path."""
    bundle = tmp_path / "empty.pem"
    bundle.write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(InvalidQuery) as info:
        resolve_network("https://h/", ca_bundle=str(bundle), environ={})
    (violation,) = info.value.violations
    assert (violation.field, violation.value) == ("ca_bundle", str(bundle))
    assert "could not be loaded" in violation.rule


def test_socks_proxy_without_pysocks_refused() -> None:
    """A SOCKS proxy without PySocks installed is refused before anything is sent."""
    with pytest.raises(InvalidQuery) as info:
        resolve_network("https://h/", environ={"ALL_PROXY": "socks5://user:pw@p:1080"})
    (violation,) = info.value.violations
    assert violation.field == "ALL_PROXY"
    assert violation.value == "socks5://p:1080"
    assert "PySocks" in violation.rule
