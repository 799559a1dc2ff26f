"""The hostile-server table through ``hbr-clients``.

Each case asserts the exit code, the message and how many requests reached the fake
endpoint (or the proxy). The command runs in this process (``run_cli``); the timed cases and
``DEBUG=sdk`` run the installed command as a process.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from tests.hostile.conftest import run_cli, timed
from tests.hostile.servers import CLIENT, FakeHbr, LoggingProxy, TlsFiles

FakeFactory = Callable[..., FakeHbr]

#: Never print these, whatever happens.
SECRETS = ("hostile-secret-value", "hostile-sts-token-value")


def assert_no_secret(*texts: str) -> None:
    """No AccessKey secret or STS token in any of ``texts``."""
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_list_success_false_envelope_is_an_api_error(fake_hbr: FakeFactory) -> None:
    """Success:false with HTTP 200 exits 3 naming the code and request ID, never prints []."""
    server = fake_hbr(mode="success-false")
    run = run_cli(server.endpoint, "--max-attempts", "2")
    assert run.returncode == 3
    assert run.stdout == ""
    assert "InternalError" in run.stderr
    assert "request id REQ-FAIL-1" in run.stderr
    assert "backend failure" in run.stderr
    assert len(server.requests) == 2  # InternalError is retried; --max-attempts bounds it


def test_list_missing_total_count_is_malformed(fake_hbr: FakeFactory) -> None:
    """An envelope without TotalCount or Clients exits 3 as a malformed response, sent once."""
    server = fake_hbr(mode="request-id-only")
    run = run_cli(server.endpoint)
    assert run.returncode == 3
    assert run.stdout == ""
    assert "malformed DescribeBackupClients response" in run.stderr
    assert "request id REQ-X" in run.stderr
    assert "TotalCount is missing" in run.stderr
    assert len(server.requests) == 1


def test_list_client_without_client_id_is_malformed(fake_hbr: FakeFactory) -> None:
    """A client without ClientId makes the response malformed, named by its index."""
    server = fake_hbr(mode="no-client-id")
    run = run_cli(server.endpoint)
    assert run.returncode == 3
    assert "Clients[0] has no ClientId" in run.stderr
    assert len(server.requests) == 1


def test_list_html_502_names_the_gateway(fake_hbr: FakeFactory) -> None:
    """An HTML 502 says a proxy or gateway answered; it is retried up to --max-attempts."""
    server = fake_hbr(mode="html-502")
    run = run_cli(server.endpoint, "--max-attempts", "2")
    assert run.returncode == 3
    assert (
        f"HTTP 502 with an HTML body from {server.endpoint}: a proxy or gateway answered, "
        "not HBR" in run.stderr
    )
    assert "502 Bad Gateway" in run.stderr
    assert "RuntimeError" not in run.stderr
    assert len(server.requests) == 2


def test_list_invalid_json_says_so(fake_hbr: FakeFactory) -> None:
    """A 200 whose body is not JSON exits 3 with "the response is not JSON", sent once."""
    server = fake_hbr(mode="invalid-json")
    run = run_cli(server.endpoint)
    assert run.returncode == 3
    assert "the response is not JSON: HTTP 200 with a text/plain body" in run.stderr
    assert "oops" in run.stderr
    assert len(server.requests) == 1


def test_list_redirect_is_not_followed(fake_hbr: FakeFactory) -> None:
    """A 302 is reported with its target; the signed request is not sent there."""
    server = fake_hbr(mode="redirect")
    run = run_cli(server.endpoint)
    assert run.returncode == 3
    assert "HTTP 302 redirect to http://127.0.0.1:9/" in run.stderr
    assert "not followed" in run.stderr
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("endpoint", "shown"),
    [
        ("127.0.0.1:99999", "'127.0.0.1:99999'"),
        ("https://hbr.cn-hangzhou.aliyuncs.com", "leave out the scheme"),
        ("hbr host", "'hbr host'"),
        ("999.1.1.1", "'999.1.1.1'"),
    ],
)
def test_list_invalid_endpoint_exit_2_nothing_sent(
    endpoint: str, shown: str, proxy: LoggingProxy
) -> None:
    """An invalid endpoint exits 2 naming --endpoint and the value; no request leaves."""
    run = run_cli(endpoint, env={"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url})
    assert run.returncode == 2
    assert "invalid input (nothing was sent)" in run.stderr
    assert "--endpoint: must be a host name or IP address" in run.stderr
    assert shown in run.stderr
    assert proxy.seen == []


def test_list_self_signed_certificate_fails_at_once(
    fake_hbr: FakeFactory, self_signed: TlsFiles
) -> None:
    """A self-signed certificate exits 3 naming it and how to trust a CA; one connection."""
    server = fake_hbr(tls=self_signed.server_context())
    run = run_cli(server.endpoint, protocol="https")
    assert run.returncode == 3
    assert "TLS certificate verify failed: self-signed certificate" in run.stderr
    assert "REQUESTS_CA_BUNDLE" in run.stderr
    assert "--ca-bundle" in run.stderr
    assert server.connections == 1
    assert server.requests == []


def test_list_private_ca_without_trust_fails(fake_hbr: FakeFactory, private_ca: TlsFiles) -> None:
    """A certificate from an untrusted private CA names the issuer problem and the trust store."""
    server = fake_hbr(tls=private_ca.server_context())
    run = run_cli(server.endpoint, protocol="https")
    assert run.returncode == 3
    assert "unable to get local issuer certificate" in run.stderr
    assert "trusted CAs: certifi" in run.stderr
    assert server.connections == 1


@pytest.mark.parametrize("how", ["--ca-bundle", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_list_private_ca_trusted(how: str, fake_hbr: FakeFactory, private_ca: TlsFiles) -> None:
    """The private CA is trusted through --ca-bundle, REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE."""
    server = fake_hbr(tls=private_ca.server_context())
    args = ("--ca-bundle", str(private_ca.ca)) if how == "--ca-bundle" else ()
    env = {} if how == "--ca-bundle" else {how: str(private_ca.ca)}
    run = run_cli(server.endpoint, *args, protocol="https", env=env)
    assert run.returncode == 0, run.stderr
    assert [c["client_id"] for c in json.loads(run.stdout)] == [CLIENT["ClientId"]]
    assert len(server.requests) == 1


def test_list_missing_ca_bundle_exit_2(fake_hbr: FakeFactory, proxy: LoggingProxy) -> None:
    """A CA bundle that does not exist exits 2 naming the variable; nothing is sent."""
    server = fake_hbr()
    run = run_cli(
        server.endpoint,
        protocol="https",
        env={"REQUESTS_CA_BUNDLE": "/nonexistent/ca.pem", "HTTPS_PROXY": proxy.url},
    )
    assert run.returncode == 2
    assert "REQUESTS_CA_BUNDLE: must be the path of a PEM file" in run.stderr
    assert "/nonexistent/ca.pem" in run.stderr
    assert server.connections == 0
    assert proxy.seen == []


def test_list_http_proxy_is_used(fake_hbr: FakeFactory, proxy: LoggingProxy) -> None:
    """HTTP_PROXY carries the requests when NO_PROXY does not exclude the endpoint."""
    server = fake_hbr()
    run = run_cli(server.endpoint, env={"HTTP_PROXY": proxy.url})
    assert run.returncode == 0, run.stderr
    assert proxy.seen == [
        f"POST http://{server.endpoint}/?ClientType=ECS_CLIENT&PageNumber=1&PageSize=99"
    ]
    assert len(server.requests) == 1


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "127.0.0.0/8", "*", "example.com, 127.0.0.1"])
def test_list_no_proxy_is_honoured(
    no_proxy: str, fake_hbr: FakeFactory, proxy: LoggingProxy
) -> None:
    """NO_PROXY (an IP, a CIDR, ``*``, a list) keeps the requests off the proxy."""
    server = fake_hbr()
    env = {
        "HTTP_PROXY": proxy.url,
        "ALL_PROXY": proxy.url,
        "NO_PROXY": no_proxy,
    }
    run = run_cli(server.endpoint, env=env)
    assert run.returncode == 0, run.stderr
    assert proxy.seen == []
    assert len(server.requests) == 1


def test_list_all_proxy_is_used(fake_hbr: FakeFactory, proxy: LoggingProxy) -> None:
    """ALL_PROXY carries the requests when no scheme-specific proxy is set."""
    server = fake_hbr()
    run = run_cli(server.endpoint, env={"ALL_PROXY": proxy.url})
    assert run.returncode == 0, run.stderr
    assert len(proxy.seen) == 1
    assert len(server.requests) == 1


def test_list_https_through_proxy_trusts_private_ca(
    fake_hbr: FakeFactory, proxy: LoggingProxy, private_ca: TlsFiles
) -> None:
    """HTTPS goes through the proxy's CONNECT tunnel and still trusts REQUESTS_CA_BUNDLE."""
    server = fake_hbr(tls=private_ca.server_context())
    env = {"HTTPS_PROXY": proxy.url, "REQUESTS_CA_BUNDLE": str(private_ca.ca)}
    run = run_cli(server.endpoint, protocol="https", env=env)
    assert run.returncode == 0, run.stderr
    assert proxy.seen == [f"CONNECT {server.endpoint}"]
    assert len(server.requests) == 1


def test_list_proxy_password_never_printed(fake_hbr: FakeFactory) -> None:
    """A proxy that refuses is named without the password its URL carries."""
    server = fake_hbr()
    env = {"HTTP_PROXY": "http://user:proxy-password-value@127.0.0.1:9"}
    run = run_cli(server.endpoint, env=env)
    assert run.returncode == 3
    assert "the proxy http://127.0.0.1:9 (from HTTP_PROXY) failed" in run.stderr
    assert "proxy-password-value" not in run.stderr
    assert server.requests == []


def test_list_https_to_plain_http_port(fake_hbr: FakeFactory) -> None:
    """HTTPS to a plain-HTTP server says the handshake failed and suggests --protocol http."""
    server = fake_hbr()
    run = run_cli(server.endpoint, protocol="https")
    assert run.returncode == 3
    assert "the TLS handshake failed" in run.stderr
    assert "--protocol http" in run.stderr


def test_list_dripping_body_cut_at_deadline(fake_hbr: FakeFactory) -> None:
    """A body that drips within the read timeout is cut when the listing's deadline passes."""
    server = fake_hbr(mode="drip")
    run, elapsed, slack = timed(server.endpoint, "--deadline", "2", "--read-timeout", "5")
    assert run.returncode == 3
    assert "deadline" in run.stderr
    assert elapsed < 2 + slack  # the drip alone would take over two minutes
    assert len(server.requests) == 1


def test_list_debug_sdk_prints_no_secret(fake_hbr: FakeFactory) -> None:
    """DEBUG=sdk logs the exchange but masks the signature and the STS token."""
    server = fake_hbr()
    # A process: darabonba logs to the stderr it found when it was imported.
    run = run_cli(server.endpoint, env={"DEBUG": "sdk"}, process=True)
    assert run.returncode == 0, run.stderr
    assert "x-acs-security-token : ******" in run.stderr
    assert "authorization : ******" in run.stderr.lower()
    assert_no_secret(run.stdout, run.stderr)


def test_list_read_timeout_names_the_timeout(fake_hbr: FakeFactory) -> None:
    """A silent server fails with the endpoint and the read timeout named, retried to the bound."""
    server = fake_hbr(mode="silent")
    run = run_cli(server.endpoint, "--read-timeout", "0.5", "--max-attempts", "2")
    assert run.returncode == 3
    assert f"({server.endpoint}): the read timeout of 0.5 s passed (--read-timeout sets it)" in (
        run.stderr
    )
    assert len(server.requests) == 2


def test_list_unresolvable_host_fails_at_once() -> None:
    """A host name that does not resolve (the reserved .invalid TLD) is named, not retried."""
    started = time.monotonic()
    run = run_cli("hbr.nonexistent.invalid")
    assert run.returncode == 3
    assert "the host name 'hbr.nonexistent.invalid' did not resolve (DNS)" in run.stderr
    assert time.monotonic() - started < 10  # eight attempts with backoff would take longer


def test_list_refused_connection_names_the_endpoint(fake_hbr: FakeFactory) -> None:
    """Nothing listening is "refused", with the endpoint; retried up to --max-attempts."""
    server = fake_hbr()
    endpoint = server.endpoint
    server.stop()
    run = run_cli(endpoint, "--max-attempts", "2")
    assert run.returncode == 3
    assert f"({endpoint}): the connection was refused" in run.stderr


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("deep-brackets", "nesting too deep: arrays and objects nested 200,000 levels deep"),
        ("deep-tags", "nesting too deep: arrays and objects nested 100,003 levels deep"),
        ("infinite-number", "the number 1e999 is out of range"),
        ("repeated-key", "an object has the key 'Success' twice"),
    ],
)
def test_json_outside_the_bounds_is_malformed_without_a_traceback(
    fake_hbr: FakeFactory, mode: str, problem: str
) -> None:
    """A body the parser could choke on, or read two ways, exits 3 as malformed, sent once."""
    server = fake_hbr(mode=mode)
    started = time.monotonic()
    run = run_cli(server.endpoint)
    assert run.returncode == 3, run.stderr
    assert run.stdout == ""
    assert "malformed DescribeBackupClients response" in run.stderr
    assert problem in run.stderr
    assert "Traceback" not in run.stderr
    assert "RecursionError" not in run.stderr
    assert len(server.requests) == 1
    assert time.monotonic() - started < 10


def test_deep_error_body_is_an_http_error_not_a_traceback(fake_hbr: FakeFactory) -> None:
    """An HTTP 400 whose body nests 200,000 deep is reported as the status it is."""
    server = fake_hbr(mode="deep-error")
    run = run_cli(server.endpoint)
    assert run.returncode == 3, run.stderr
    assert "HTTP 400" in run.stderr
    assert "Traceback" not in run.stderr
    assert len(server.requests) == 1
