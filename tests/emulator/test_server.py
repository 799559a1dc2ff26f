"""The HTTP server: keep-alive, concurrency, start and stop."""

from __future__ import annotations

import http.client
import socket
from concurrent.futures import ThreadPoolExecutor

from hbr_emulator import Emulator
from hbr_emulator.signing import sign_acs3

from .helpers import describe, sdk_client


def test_keep_alive_serves_many_requests_on_one_connection(emulator: Emulator) -> None:
    """One connection carries several requests and answers each with a Content-Length."""
    host, port = emulator.endpoint.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    sockets = set()
    for page in range(1, 4):
        target, headers, body = sign_acs3(
            access_key_id="LTAI5tHbrEmulatorLocal",
            access_key_secret="hbr-emulator-local-secret",
            host=emulator.endpoint,
            action="DescribeBackupClients",
            version="2017-09-08",
            query={"ClientType": "ECS_CLIENT", "PageNumber": str(page)},
        )
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200
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
