"""The :class:`Emulator`: a cloud (backends per region) and its HTTP server, in a thread."""

from __future__ import annotations

import os
from types import TracebackType
from typing import TYPE_CHECKING

from hbr_emulator.auth import Credentials
from hbr_emulator.cloud import Cloud
from hbr_emulator.defaults import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.directory import Directory
from hbr_emulator.estate import Estate
from hbr_emulator.faults import Faults
from hbr_emulator.models import HbrBackend
from hbr_emulator.organisation import Organisation
from hbr_emulator.quota import Quota, QuotaScope
from hbr_emulator.truth import EstateTruth, OrganisationTruth

if TYPE_CHECKING:
    from hbr_emulator.server import EmulatorServer


class Emulator:
    """An in-process emulator of Alibaba Cloud's HBR (and ECS) APIs.

    Use it as a context manager (``with Emulator(fleet=300, seed=1) as emu:``) or
    call :meth:`start` and :meth:`stop`. ``emu.endpoint`` is what the official
    SDK's ``Config(endpoint=...)`` takes; ``emu.backend`` is the control API of the
    default region's HBR; ``emu.cloud`` holds every region's backends.

    With ``estate=Estate(...)`` it serves several regions, each with ECS instances and
    an HBR fleet (``fleet`` is then unused, and ``data`` may not be given); requests
    reach a region's service through their ``Host`` header (see ``emulator/README.md``).
    ``quota_per_s``/``quota_scope`` set an API quota (they override the estate's).

    With ``organisation=Organisation(...)`` (instead of ``estate``) it serves a resource
    directory: the emulator's keys are the management account's and see its estate;
    STS ``AssumeRole`` issues credentials that see a member's estate; ResourceManager
    ``ListAccounts`` lists the members. The quota arguments then override the management
    estate's quota only (each member has its own).
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
        estate: Estate | None = None,
        quota_per_s: float | None = None,
        quota_scope: QuotaScope = "target_api",
        organisation: Organisation | None = None,
    ) -> None:
        """Build the fleets now; the server starts with :meth:`start`."""
        credentials = Credentials(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            security_token=security_token,
        )
        quota = Quota(per_s=quota_per_s, scope=quota_scope) if quota_per_s is not None else None
        if organisation is not None:
            if estate is not None or data is not None:
                msg = (
                    "an organisation holds its estates: give organisation alone, not estate or data"
                )
                raise ValueError(msg)
            self._cloud = Cloud.from_organisation(
                organisation, seed=seed, credentials=credentials, faults=faults, quota=quota
            )
        elif estate is None:
            self._cloud = Cloud.single(
                fleet=fleet,
                seed=seed,
                data=data,
                credentials=credentials,
                faults=faults,
                quota=quota,
            )
        elif data is not None:
            msg = "an estate generates its fleets: give estate or data, not both"
            raise ValueError(msg)
        else:
            self._cloud = Cloud.from_estate(
                estate, seed=seed, credentials=credentials, faults=faults, quota=quota
            )
        self._address = (host, port)
        self._server: EmulatorServer | None = None

    @property
    def backend(self) -> HbrBackend:
        """The default region's HBR (fleet, faults, request log): the first estate region."""
        return self._cloud.hbr()

    @property
    def cloud(self) -> Cloud:
        """Every region's HBR and ECS backends, and the gateway in front of them."""
        return self._cloud

    def estate_truth(self) -> EstateTruth:
        """What an audit should find, per region: instances, clients, uncovered, orphans.

        In an organisation: the management account's estate.
        """
        return self._cloud.truth()

    @property
    def directory(self) -> Directory | None:
        """The organisation served (accounts, issued STS credentials); None without one."""
        return self._cloud.directory

    def member(self, account_id: str) -> Cloud:
        """The cloud of a member account (``KeyError`` if none): its HBR and ECS per region."""
        if self._cloud.directory is None:
            raise KeyError(account_id)
        return self._cloud.directory.cloud(account_id)

    def organisation_truth(self) -> OrganisationTruth:
        """What an audit of every account should find; ``RuntimeError`` without an organisation."""
        truth = self._cloud.organisation_truth()
        if truth is None:
            msg = "the emulator serves no organisation: pass organisation=Organisation(...)"
            raise RuntimeError(msg)
        return truth

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

        server = EmulatorServer(self._address, self._cloud)
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
