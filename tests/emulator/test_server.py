"""The HTTP server: every HTTP/1.1 framing, keep-alive, pipelining, concurrency, start and stop."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

import pytest

from hbr_emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Faults
from hbr_emulator.signing import sign_acs3

from .helpers import describe, sdk_client

Factory = Callable[..., Emulator]


def _connect(emulator: Emulator) -> socket.socket:
    host, port = emulator.endpoint.rsplit(":", 1)
    return socket.create_connection((host.strip("[]"), int(port)), timeout=10)


def _read_response(stream: BinaryIO) -> tuple[bytes, dict[str, str], bytes]:
    """Read one response: its status line, its headers (lowercase names) and its body."""
    status_line = stream.readline()
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = stream.read(int(headers.get("content-length", "0")))
    return status_line, headers, body


def _chunked(body: bytes, *, size: int, trailers: tuple[str, ...] = ()) -> bytes:
    """Return ``body`` in the chunked coding, ``size`` bytes a chunk, then ``trailers``."""
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    coded = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    return coded + b"0\r\n" + b"".join(f"{t}\r\n".encode() for t in trailers) + b"\r\n"


def _admin_get(path: str, *, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: emulator\r\n{extra}\r\n".encode()


def _signed_list(
    emulator: Emulator, *, page_size: int, framing: str, trailers: tuple[str, ...] = ()
) -> bytes:
    """A signed ``DescribeBackupClients`` whose parameters travel in a form body."""
    target, headers, body = sign_acs3(
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        host=emulator.endpoint,
        action="DescribeBackupClients",
        version="2017-09-08",
        form={"ClientType": "ECS_CLIENT", "PageNumber": "1", "PageSize": str(page_size)},
    )
    if framing == "chunked":
        headers["Transfer-Encoding"] = "chunked"
        payload = _chunked(body, size=7, trailers=trailers)
    else:
        headers["Content-Length"] = str(len(body))
        payload = body
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {target} HTTP/1.1\r\n{head}\r\n".encode() + payload


@pytest.fixture
def connection(emulator: Emulator) -> Iterator[tuple[socket.socket, BinaryIO]]:
    """A raw socket to the emulator and a buffered reader of its answers."""
    sock = _connect(emulator)
    with sock, sock.makefile("rb") as stream:
        yield sock, stream


Connection = tuple[socket.socket, BinaryIO]


def _clients(body: bytes) -> list[dict[str, Any]]:
    clients: list[dict[str, Any]] = json.loads(body)["Clients"]
    return clients


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_signed_call_reads_the_form_body_in_either_framing(
    emulator: Emulator, connection: Connection, framing: str
) -> None:
    """A signed form body sent with Content-Length or chunked passes its hash and is applied."""
    sock, stream = connection
    sock.sendall(_signed_list(emulator, page_size=7, framing=framing))
    status, _, body = _read_response(stream)
    assert status == b"HTTP/1.1 200 OK\r\n"
    assert len(_clients(body)) == 7


def test_chunked_body_with_trailers_is_read_whole(
    emulator: Emulator, connection: Connection
) -> None:
    """Trailer fields after the last chunk end the body; the request is answered as usual."""
    sock, stream = connection
    request = _signed_list(emulator, page_size=5, framing="chunked", trailers=("X-Check: 1",))
    sock.sendall(request)
    status, _, body = _read_response(stream)
    assert status == b"HTTP/1.1 200 OK\r\n"
    assert len(_clients(body)) == 5


def test_next_request_after_a_chunked_one_is_answered(connection: Connection) -> None:
    """An empty chunked body (``0`` then a blank line) is not read as the next request line."""
    sock, stream = connection
    sock.sendall(_admin_get("/_emulator/summary", extra="Transfer-Encoding: chunked\r\n"))
    sock.sendall(b"0\r\n\r\n")
    first_status, _, first = _read_response(stream)
    sock.sendall(_admin_get("/_emulator/faults"))
    second_status, _, second = _read_response(stream)
    assert first_status == second_status == b"HTTP/1.1 200 OK\r\n"
    assert "Accounts" in json.loads(first)
    assert "reset_rate" in json.loads(second)


def test_keep_alive_carries_several_requests_on_one_socket(
    emulator: Emulator, connection: Connection
) -> None:
    """Four requests, one at a time on one socket, in both framings, get four answers."""
    sock, stream = connection
    requests = [
        _admin_get("/_emulator/summary"),
        _signed_list(emulator, page_size=3, framing="chunked"),
        _signed_list(emulator, page_size=4, framing="content-length"),
        _admin_get("/_emulator/summary"),
    ]
    statuses = []
    for request in requests:
        sock.sendall(request)
        status, headers, _ = _read_response(stream)
        statuses.append(status)
        assert headers.get("connection", "keep-alive") != "close"
    assert statuses == [b"HTTP/1.1 200 OK\r\n"] * 4


def test_pipelined_requests_are_answered_in_order(
    emulator: Emulator, connection: Connection
) -> None:
    """Three requests written in one send come back in the order they were sent."""
    sock, stream = connection
    sock.sendall(
        _signed_list(emulator, page_size=2, framing="chunked")
        + _admin_get("/_emulator/nowhere")
        + _signed_list(emulator, page_size=6, framing="content-length")
    )
    answers = [_read_response(stream) for _ in range(3)]
    assert [status for status, _, _ in answers] == [
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/1.1 404 Not Found\r\n",
        b"HTTP/1.1 200 OK\r\n",
    ]
    assert len(_clients(answers[0][2])) == 2
    assert len(_clients(answers[2][2])) == 6


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /a b HTTP/1.1\r\nHost: emulator\r\n\r\n",
        b"GET /_emulator/summary HTTP/1.1\r\nHost emulator\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: emulator\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: emulator\r\nContent-Length: 1\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ],
    ids=["request-line", "space-in-target", "header-colon", "chunk-size", "length-and-chunked"],
)
def test_malformed_request_gets_a_400_status_line_and_close(
    connection: Connection, request_bytes: bytes
) -> None:
    """A request that does not parse is answered ``HTTP/1.1 400`` and its connection closed."""
    sock, stream = connection
    sock.sendall(request_bytes)
    status, headers, _ = _read_response(stream)
    assert status == b"HTTP/1.1 400 Bad Request\r\n"
    assert headers["connection"] == "close"
    assert stream.read() == b""


def test_keep_alive_serves_many_requests_on_one_connection(emulator: Emulator) -> None:
    """One http.client connection carries several requests and answers each with a length."""
    host, port = emulator.endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    sockets = set()
    for page in range(1, 4):
        target, headers, body = sign_acs3(
            access_key_id=DEFAULT_ACCESS_KEY_ID,
            access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
            host=emulator.endpoint,
            action="DescribeBackupClients",
            version="2017-09-08",
            query={"ClientType": "ECS_CLIENT", "PageNumber": str(page)},
        )
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Server") == "hbr-emulator"
        assert int(response.getheader("Content-Length", "0")) == len(response.read())
        sockets.add(id(connection.sock))
    connection.close()
    assert len(sockets) == 1


def test_concurrent_clients_are_served(emulator: Emulator) -> None:
    """Eight SDK clients listing at once all get their pages."""

    def work(page: int) -> int:
        return len(describe(sdk_client(emulator.endpoint), page_number=page, page_size=9).clients)

    with ThreadPoolExecutor(max_workers=8) as pool:
        sizes = list(pool.map(work, range(1, 9)))
    assert sum(sizes) == min(
        72,
        emulator.backend.count()
        - sum(c["ClientType"] != "ECS_CLIENT" for c in emulator.backend.clients()),
    )


def test_injected_latency_does_not_serialise_clients(emulator_factory: Factory) -> None:
    """Ten clients each delayed 500 ms finish together, not one after another (5 s)."""
    emu = emulator_factory(fleet=50, seed=1, faults=Faults(latency_ms=500))

    def work(_: int) -> int:
        return len(describe(sdk_client(emu.endpoint), page_size=5).clients)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        sizes = list(pool.map(work, range(10)))
    elapsed = time.monotonic() - started
    assert sizes == [5] * 10
    assert elapsed < 2.5  # 0.5 s together, plus slack for a loaded machine; 5 s one by one


def test_reset_fault_sends_rst(emulator_factory: Factory) -> None:
    """A reset reply ends the connection with a TCP RST and not one byte of response."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(reset_rate=1.0))
    with _connect(emu) as sock:
        sock.sendall(_signed_list(emu, page_size=2, framing="chunked"))
        with pytest.raises(ConnectionResetError):
            sock.recv(4096)


def test_serves_on_ipv6_loopback(emulator_factory: Factory) -> None:
    """``host="::1"`` serves at ``[::1]:port``, and loopback reaches the admin API."""
    emu = emulator_factory(fleet=3, seed=1, host="::1")
    assert emu.endpoint.startswith("[::1]:")
    with _connect(emu) as sock, sock.makefile("rb") as stream:
        sock.sendall(_admin_get("/_emulator/summary"))
        status, _, _ = _read_response(stream)
    assert status == b"HTTP/1.1 200 OK\r\n"


def test_stop_ends_open_connections(emulator_factory: Factory) -> None:
    """``stop`` closes an idle keep-alive connection and one waiting on a delayed reply."""
    emu = emulator_factory(fleet=5, seed=1, faults=Faults(latency_ms=30_000))
    idle, waiting = _connect(emu), _connect(emu)
    with idle, waiting:
        idle.sendall(_admin_get("/_emulator/summary"))
        assert idle.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")
        waiting.sendall(_signed_list(emu, page_size=2, framing="content-length"))
        time.sleep(0.2)
        started = time.monotonic()
        emu.stop()
        assert time.monotonic() - started < 2
        assert idle.recv(1) == b""
        assert waiting.recv(1) == b""


def test_stop_releases_the_port() -> None:
    """After ``stop`` the port accepts no connection; the endpoint needs a started server."""
    emu = Emulator(fleet=3, seed=1).start()
    host, port = emu.endpoint.rsplit(":", 1)
    emu.stop()
    probe = socket.socket()
    probe.settimeout(1)
    try:
        refused = probe.connect_ex((host, int(port))) != 0
    finally:
        probe.close()
    assert refused
    with pytest.raises(RuntimeError, match="not started"):
        _ = emu.endpoint


def test_busy_port_fails_start_with_os_error(emulator: Emulator) -> None:
    """Starting on a port already served raises OSError (the CLI's clean "cannot serve")."""
    port = int(emulator.endpoint.rsplit(":", 1)[1])
    with pytest.raises(OSError, match="in use"):
        Emulator(fleet=1, seed=1, port=port).start()
