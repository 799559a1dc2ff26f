"""The :class:`Emulator`: a backend and its HTTP server, served from a background thread."""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING

from hbr_emulator.auth import Credentials
from hbr_emulator.defaults import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.faults import Faults
from hbr_emulator.models import HbrBackend

if TYPE_CHECKING:
    from hbr_emulator.server import EmulatorServer


class Emulator:
    """An in-process HBR API emulator.

    Use it as a context manager (``with Emulator(fleet=300, seed=1) as emu:``) or
    call :meth:`start` and :meth:`stop`. ``emu.endpoint`` is what the official
    SDK's ``Config(endpoint=...)`` takes; ``emu.backend`` is the control API.
    """

    def __init__(
        self,
        *,
        fleet: int = 100,
        seed: int = 0,
        data: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        access_key_id: str = DEFAULT_ACCESS_KEY_ID,
        access_key_secret: str = DEFAULT_ACCESS_KEY_SECRET,
        security_token: str | None = None,
        faults: Faults | None = None,
    ) -> None:
        """Build the fleet now; the server starts with :meth:`start`."""
        credentials = Credentials(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            security_token=security_token,
        )
        self._backend = HbrBackend(
            fleet=fleet, seed=seed, data=data, credentials=credentials, faults=faults
        )
        self._address = (host, port)
        self._server: EmulatorServer | None = None

    @property
    def backend(self) -> HbrBackend:
        """The state of the emulated service (fleet, faults, request log)."""
        return self._backend

    @property
    def endpoint(self) -> str:
        """``host:port`` the server listens on."""
        if self._server is None:
            msg = "the emulator is not started"
            raise RuntimeError(msg)
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else host
        return f"[{host_text}]:{port}" if ":" in host_text else f"{host_text}:{port}"

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.endpoint}"

    def start(self) -> Emulator:
        """Bind and serve in a background thread; return ``self``."""
        if self._server is not None:
            return self
        # Imported here: aiohttp costs ~13 MiB, which a program that only builds a
        # backend (or imports the package for its defaults) need not pay.
        from hbr_emulator.server import EmulatorServer  # noqa: PLC0415

        server = EmulatorServer(self._address, self._backend)
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        """Stop serving, end open connections and release the port."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> Emulator:
        """Start the emulator."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the emulator."""
        self.stop()
