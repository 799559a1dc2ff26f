"""The network edges through the installed ``hbr-clients`` command: one deadline over every byte.

A scripted fake endpoint (:class:`~tests.hostile.servers.ScriptedHbr`) drips response
headers, refuses, or asks the caller to wait; each case asserts the exit code, the message,
how many requests reached the endpoint and how long the whole command took.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.hostile.conftest import run_cli, timed
from tests.hostile.servers import (
    HeaderDrip,
    LoggingProxy,
    Reply,
    Script,
    ScriptedHbr,
    TlsFiles,
    answer,
    drip_headers_on,
)

Scripted = Callable[..., ScriptedHbr]

#: The message of a listing whose status line and headers were still arriving at its deadline.
HEADERS_SLOW = "still waiting for the status line and headers"


def deadline_message(seconds: int, detail: str) -> str:
    """The start of the deadline error of a ``--deadline seconds`` listing with ``detail``."""
    return f"did not finish within the listing deadline of {seconds} s ({detail}"


def test_list_header_drip_on_page_1_stops_at_deadline(scripted: Scripted) -> None:
    """Headers dripping a byte every 0.5 s are cut at --deadline 3, named, sent once."""
    server = scripted(script=drip_headers_on(frozenset({1}), total=1))
    run, elapsed, slack = timed(server.endpoint, "--deadline", "3", "--read-timeout", "10")
    assert run.returncode == 3
    assert run.stdout == ""
    assert deadline_message(3, HEADERS_SLOW) in run.stderr
    assert "Traceback" not in run.stderr
    assert len(server.requests) == 1
    assert elapsed < 3 + slack  # the drip alone takes over 80 s, each byte within 10 s


def test_list_header_drip_on_a_parallel_page_stops_at_deadline(scripted: Scripted) -> None:
    """Page 1 fast with three pages; page 2's dripping headers stop the listing at --deadline."""
    server = scripted(script=drip_headers_on(frozenset({2}), total=199))
    run, elapsed, slack = timed(server.endpoint, "--deadline", "3", "--concurrency", "2")
    assert run.returncode == 3
    assert run.stdout == ""
    assert deadline_message(3, f"{HEADERS_SLOW}; 2 of 3 pages fetched") in run.stderr
    assert sorted(server.requests) == sorted(
        f"/?ClientType=ECS_CLIENT&PageNumber={n}&PageSize=99" for n in (1, 2, 3)
    )
    assert elapsed < 3 + slack


def test_list_header_drip_over_tls_through_connect_proxy(
    scripted: Scripted, proxy: LoggingProxy, private_ca: TlsFiles
) -> None:
    """HTTPS through a CONNECT tunnel is bounded the same: the drip after TLS is cut."""
    server = scripted(
        script=drip_headers_on(frozenset({1}), total=1), tls=private_ca.server_context()
    )
    env = {"HTTPS_PROXY": proxy.url, "REQUESTS_CA_BUNDLE": str(private_ca.ca)}
    run, elapsed, slack = timed(server.endpoint, "--deadline", "3", protocol="https", env=env)
    assert run.returncode == 3
    assert deadline_message(3, HEADERS_SLOW) in run.stderr
    assert proxy.seen == [f"CONNECT {server.endpoint}"]
    assert len(server.requests) == 1
    assert elapsed < 3 + slack


def test_list_forwarding_proxy_that_holds_the_answer_stops_at_deadline(
    scripted: Scripted, proxy: LoggingProxy
) -> None:
    """A plain-HTTP proxy that sends nothing until the dripping origin is done is cut too."""
    server = scripted(script=drip_headers_on(frozenset({1}), total=1))
    run, elapsed, slack = timed(server.endpoint, "--deadline", "2", env={"HTTP_PROXY": proxy.url})
    assert run.returncode == 3
    assert deadline_message(2, HEADERS_SLOW) in run.stderr
    assert len(proxy.seen) == 1
    assert elapsed < 2 + slack


def test_list_refused_connection_fails_within_a_second(scripted: Scripted) -> None:
    """Nothing listening fails in about a second with the default 8 attempts: retried once."""
    server = scripted()
    endpoint = server.endpoint
    server.stop()
    run, elapsed, slack = timed(endpoint)
    assert run.returncode == 3
    assert f"({endpoint}): the connection was refused: nothing listens there" in run.stderr
    # One retry after a short wait, not 8 attempts (their backoffs alone add up to about 11 s
    # on average). The start-up is measured on both sides: under a parallel run it varies.
    assert elapsed < slack + 1.0


def unavailable_then_ok(retry_after: str) -> Script:
    """A script that answers 503 with ``Retry-After: retry_after`` first, then a fleet."""

    def script(number: int, _path: str) -> Reply | HeaderDrip:
        if number == 1:
            return Reply(
                status=503,
                content_type="text/html",
                body=b"<html><body>busy</body></html>",
                headers=(("Retry-After", retry_after),),
            )
        return Reply.json(answer())

    return script


def test_list_503_retry_after_is_waited_for(scripted: Scripted) -> None:
    """HTTP 503 with Retry-After: 2 is retried after at least 2 s (not the 0-0.2 s backoff)."""
    server = scripted(script=unavailable_then_ok("2"))
    run, elapsed, slack = timed(server.endpoint)
    assert run.returncode == 0, run.stderr
    assert len(json.loads(run.stdout)) == 1
    assert len(server.stamps) == 2
    gap = server.stamps[1] - server.stamps[0]
    assert 2.0 <= gap < 3.0  # 2 s plus at most 10 % jitter, the round trip and a busy machine
    assert elapsed < gap + slack


def test_list_503_retry_after_past_the_deadline_is_not_waited_for(scripted: Scripted) -> None:
    """A Retry-After that would pass --deadline is not waited for: the 503 is the answer."""
    server = scripted(script=unavailable_then_ok("30"))
    run, elapsed, slack = timed(server.endpoint, "--deadline", "10")
    assert run.returncode == 3
    assert f"HTTP 503 with an HTML body from {server.endpoint}" in run.stderr
    assert len(server.requests) == 1
    assert elapsed < slack < 10  # neither the 30 s asked for nor the 10 s deadline


@pytest.mark.parametrize(
    ("code", "requests"), [("InvalidTimeStamp.Expired", 1), ("SignatureNonceUsed", 2)]
)
def test_list_clock_errors_say_to_check_the_clock(
    code: str, requests: int, scripted: Scripted
) -> None:
    """Signature-time errors exit 3 naming the code and how to check this machine's clock."""
    envelope = {
        "Code": code,
        "Message": "Specified time stamp or nonce is invalid.",
        "RequestId": "REQ-T",
    }
    server = scripted(script=lambda _n, _p: Reply.json(envelope, status=400))
    run = run_cli(server.endpoint)
    assert run.returncode == 3
    assert f"{code} (HTTP 400, request id REQ-T)" in run.stderr
    assert "check this machine's clock: `date -u` must be within 15 minutes of UTC" in run.stderr
    assert "enable NTP" in run.stderr
    assert len(server.requests) == requests  # SignatureNonceUsed is retried once, fresh nonce
