"""A fake HBR endpoint that misbehaves on purpose, a logging HTTP proxy, and TLS material.

:class:`FakeHbr` answers ``POST /`` on 127.0.0.1 with whatever its :attr:`FakeHbr.mode`
says (an error envelope with HTTP 200, an HTML 502, a body that is not JSON, a body that
drips...), optionally over TLS with a certificate made by :func:`make_tls_files`, and
counts the connections and requests it got. :class:`LoggingProxy` forwards plain HTTP
(absolute-form requests) and tunnels ``CONNECT``, and records every request it saw, so a
test can tell whether traffic went through it.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CLIENT = {
    "ClientId": "c-hostile-1",
    "ClientType": "ECS_CLIENT",
    "Status": "ACTIVATED",
    "InstanceId": "i-hostile-1",
    "Hostname": "web-1",
}


def answer(clients: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    """A well-formed DescribeBackupClients answer holding ``clients`` (one client by default)."""
    items = [CLIENT] if clients is None else clients
    body: dict[str, Any] = {
        "RequestId": "REQ-OK",
        "Success": True,
        "Code": "200",
        "Message": "successful",
        "PageNumber": 1,
        "PageSize": 99,
        "TotalCount": len(items),
        "Clients": items,
    }
    body.update(extra)
    return body


@attrs.frozen
class Reply:
    """What the fake server sends: a status, headers, a body, and how fast it drips."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json;charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    drip_s: float | None = None  # seconds between bytes, None: all at once
    delay_s: float = 0.0  # seconds of silence before the status line

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        """A JSON reply."""
        return cls(status=status, body=json.dumps(data).encode())


#: The replies of the modes a test selects by name.
MODES: dict[str, Callable[[], Reply]] = {
    "ok": lambda: Reply.json(answer()),
    "success-false": lambda: Reply.json(
        {
            "Success": False,
            "Code": "InternalError",
            "Message": "backend failure",
            "RequestId": "REQ-FAIL-1",
            "TotalCount": 0,
            "Clients": [],
        }
    ),
    "success-false-no-code": lambda: Reply.json(
        {"Success": False, "Message": "denied", "RequestId": "REQ-FAIL-2", "TotalCount": 0}
    ),
    "request-id-only": lambda: Reply.json({"RequestId": "REQ-X"}),
    "no-client-id": lambda: Reply.json(answer([{"ClientType": "ECS_CLIENT"}])),
    "html-502": lambda: Reply(
        status=502,
        content_type="text/html",
        body=b"<html><head><title>502 Bad Gateway</title></head>"
        b"<body><h1>502 Bad Gateway</h1></body></html>",
    ),
    "invalid-json": lambda: Reply(content_type="text/plain", body=b'{"RequestId": "R", oops'),
    "redirect": lambda: Reply(
        status=302, content_type="text/html", headers=(("Location", "http://127.0.0.1:9/"),)
    ),
    "drip": lambda: Reply(body=json.dumps(answer()).encode(), drip_s=0.5),
    "silent": lambda: Reply(body=json.dumps(answer()).encode(), delay_s=3.0),
    "huge-total": lambda: Reply.json(answer([CLIENT] * 99, TotalCount=100_000_000)),
    "deep-brackets": lambda: Reply(body=b"[" * 200_000),
    "deep-tags": lambda: Reply(
        body=json.dumps(answer())
        .encode()
        .replace(b'"Hostname"', b'"Tags": ' + b"[" * 100_000 + b"]" * 100_000 + b', "Hostname"')
    ),
    "deep-error": lambda: Reply(status=400, body=b'{"Code": ' + b"[" * 200_000),
    "infinite-number": lambda: Reply(body=json.dumps(answer()).encode()[:-1] + b', "X": 1e999}'),
    "repeated-key": lambda: Reply(body=b'{"Success": false, "Success": true, "Clients": []}'),
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(self.path)
        reply = MODES[owner.mode]()
        if reply.delay_s and owner.stopped.wait(reply.delay_s):
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if reply.drip_s is None:
            self.wfile.write(reply.body)
            return
        for byte in reply.body:
            if owner.stopped.is_set():
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(reply.drip_s)


def _serve_in_thread(server: ThreadingHTTPServer) -> None:
    # A short poll interval keeps stop() (and so each test's teardown) quick.
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()


def _close(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeHbr

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        with self.owner.lock:
            self.owner.connections += 1
        if self.owner.tls is not None:
            sock.settimeout(5)
            try:
                sock = self.owner.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                sock.close()
                raise
        return sock, address


@attrs.define
class FakeHbr:
    """A misbehaving HBR endpoint on 127.0.0.1 (see :data:`MODES`)."""

    mode: str = "ok"
    tls: ssl.SSLContext | None = None
    requests: list[str] = attrs.field(factory=list)
    connections: int = 0
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    stopped: threading.Event = attrs.field(factory=threading.Event)
    _server: _Server | None = None

    def start(self) -> FakeHbr:
        """Listen on a free port and serve in a thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        self._server = server
        _serve_in_thread(server)
        return self

    def stop(self) -> None:
        """Stop serving and stop any drip."""
        self.stopped.set()
        _close(self._server)

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:<port>``."""
        assert self._server is not None
        return f"127.0.0.1:{self._server.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ProxyServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:
        """Quiet."""

    def _record(self) -> None:
        with self.server.owner.lock:
            self.server.owner.seen.append(f"{self.command} {self.path}")

    def do_CONNECT(self) -> None:
        self._record()
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((host, int(port)), timeout=5)
        except OSError:
            self.send_error(502)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 5)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()

    def do_POST(self) -> None:
        self._record()
        target = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with socket.create_connection((target.hostname, target.port or 80), timeout=5) as up:
            path = target.path + (f"?{target.query}" if target.query else "")
            head = [f"POST {path} HTTP/1.1"]
            head += [f"{k}: {v}" for k, v in self.headers.items() if k.lower() != "connection"]
            head.append("Connection: close")
            up.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            chunks = []
            while data := up.recv(65536):
                chunks.append(data)
        self.wfile.write(b"".join(chunks))
        self.close_connection = True


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoggingProxy


@attrs.define
class LoggingProxy:
    """An HTTP proxy on 127.0.0.1 that records each request line it handles."""

    seen: list[str] = attrs.field(factory=list)
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    _server: _ProxyServer | None = None
    kinds: ClassVar[tuple[str, ...]] = ("CONNECT", "POST")

    def start(self) -> LoggingProxy:
        """Listen on a free port and serve in a thread."""
        server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler)
        server.owner = self
        self._server = server
        _serve_in_thread(server)
        return self

    def stop(self) -> None:
        """Stop serving."""
        _close(self._server)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"


@attrs.frozen
class TlsFiles:
    """A CA certificate, and a server certificate and key for 127.0.0.1 signed by it."""

    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """The server side of TLS with the signed certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    signing_key: ec.EllipticCurvePrivateKey,
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    """A certificate valid from five minutes ago for a day, with ``(extension, critical)``s."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def _write_pem(files: TlsFiles, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def make_tls_files(directory: Path) -> TlsFiles:
    """Make a private CA and a certificate for ``127.0.0.1``/``localhost`` it signed."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("hbr-clients test CA")
    ca_cert = _certificate(
        ca_name,
        ca_name,
        ca_key.public_key(),
        ca_key,
        [
            (x509.BasicConstraints(ca=True, path_length=None), True),
            (_CA_KEY_USAGE, True),
            (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False),
        ],
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(
        _name("127.0.0.1"),
        ca_name,
        key.public_key(),
        ca_key,
        [
            (
                x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
                ),
                False,
            ),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False),
            (x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), False),
        ],
    )
    files = TlsFiles(
        ca=directory / "ca.pem", cert=directory / "server.pem", key=directory / "key.pem"
    )
    files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_pem(files, cert, key)
    return files


def make_self_signed(directory: Path) -> TlsFiles:
    """A self-signed certificate for ``127.0.0.1`` (``ca`` is the certificate itself)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("127.0.0.1")
    cert = _certificate(
        name,
        name,
        key.public_key(),
        key,
        [
            (x509.BasicConstraints(ca=True, path_length=None), True),
            (
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                False,
            ),
        ],
    )
    files = TlsFiles(
        ca=directory / "self-signed.pem",
        cert=directory / "self-signed.pem",
        key=directory / "self-signed-key.pem",
    )
    _write_pem(files, cert, key)
    return files


def paged_answer(page_number: int, *, total: int, page_size: int = 99) -> dict[str, Any]:
    """Page ``page_number`` of a consistent fleet of ``total`` clients (``c-paged-<n>``)."""
    first = (page_number - 1) * page_size
    clients = [
        {**CLIENT, "ClientId": f"c-paged-{n}", "InstanceId": f"i-paged-{n}"}
        for n in range(first + 1, min(total, first + page_size) + 1)
    ]
    return answer(clients, PageNumber=page_number, PageSize=page_size, TotalCount=total)


@attrs.frozen
class HeaderDrip:
    """A 200 answer whose status line and headers arrive one byte every ``drip_s`` seconds."""

    body: bytes
    drip_s: float = 0.5


#: What a :class:`ScriptedHbr` sends for its ``n``-th request (from 1) to ``path``.
Script = Callable[[int, str], "Reply | HeaderDrip"]


def page_of(path: str) -> int:
    """The ``PageNumber`` of a request path (1 when absent)."""
    query = dict(p.partition("=")[::2] for p in urlsplit(path).query.split("&") if p)
    return int(query.get("PageNumber") or 1)


class _ScriptedHandler(_Handler):
    server: _ScriptedServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(self.path)
            owner.stamps.append(time.monotonic())
            number = len(owner.requests)
        reply = owner.script(number, self.path)
        if isinstance(reply, HeaderDrip):
            self._drip_head(reply)
            return
        head = [
            f"HTTP/1.1 {reply.status} {self.responses.get(reply.status, ('X',))[0]}",
            f"Content-Type: {reply.content_type}",
        ]
        head += [f"Content-Length: {len(reply.body)}"]
        head += [f"{name}: {value}" for name, value in reply.headers]
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + reply.body)

    def _drip_head(self, reply: HeaderDrip) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\n"
            f"X-Padding: {'p' * 64}\r\nContent-Length: {len(reply.body)}\r\n\r\n"
        ).encode()
        for byte in head:
            if self.server.owner.stopped.wait(reply.drip_s):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client hung up, as it should at its deadline
                return
        self.wfile.write(reply.body)


class _ScriptedServer(_Server):
    owner: ScriptedHbr


@attrs.define
class ScriptedHbr(FakeHbr):
    """A fake endpoint whose every answer is chosen by ``script`` (request number, path).

    ``stamps`` holds the :func:`time.monotonic` instant each request arrived, so a test can
    measure the waits between retries.
    """

    script: Script = attrs.field(default=lambda _n, _path: Reply.json(answer()))
    stamps: list[float] = attrs.field(factory=list)

    def start(self) -> ScriptedHbr:
        """Listen on a free port and serve in a thread."""
        server = _ScriptedServer(("127.0.0.1", 0), _ScriptedHandler)
        server.owner = self
        self._server = server
        _serve_in_thread(server)
        return self


def drip_headers_on(pages: frozenset[int], *, total: int, drip_s: float = 0.5) -> Script:
    """A script that answers pages at once, but drips the headers of ``pages``."""

    def script(_number: int, path: str) -> Reply | HeaderDrip:
        page = page_of(path)
        body = json.dumps(paged_answer(page, total=total)).encode()
        return HeaderDrip(body=body, drip_s=drip_s) if page in pages else Reply(body=body)

    return script


#: Every request is throttled (HTTP 400 ``Throttling.User``): a listing retries until its deadline.
MODES["throttled"] = lambda: Reply.json(
    {
        "Code": "Throttling.User",
        "Message": "Request was denied due to user flow control.",
        "RequestId": "REQ-THROTTLED",
    },
    status=400,
)
