"""What every API call passes through, whatever its service and region: :class:`Gateway`.

The emulated cloud has one accepted access key (and STS token), one nonce window, one set
of faults, one quota and one request log, shared by every service in every region, as the
real API gateway checks every product's calls the same way. In an organisation each member
account has a :meth:`Gateway.child`: its own faults and quota (an account's API quota is
its own), the parent's keys, nonces and request log.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any

import attrs

from hbr_emulator.auth import Credentials, NonceCache
from hbr_emulator.faults import FaultInjector, Faults
from hbr_emulator.quota import Quota, TokenBuckets

REQUEST_LOG_LIMIT = 10_000
"""Most recent requests kept by :meth:`Gateway.request_log`; counts are kept for all."""


@attrs.frozen(kw_only=True)
class LogEntry:
    """One API request as the emulator saw it: which product, region and account answered it.

    ``account`` is the account ID in an organisation, ``""`` otherwise.
    """

    action: str
    params: dict[str, str]
    status: int
    code: str
    time: float
    product: str = "hbr"
    region: str = ""
    account: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as a plain dict."""
        return attrs.asdict(self)


class Gateway:
    """Credentials, nonces, faults, quota and the request log of the emulated account."""

    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        faults: Faults | None = None,
        seed: int = 0,
        quota: Quota | None = None,
    ) -> None:
        """Accept ``credentials``, inject ``faults`` (seeded by ``seed``), enforce ``quota``."""
        self.credentials = credentials or Credentials()
        self.seed = seed
        self.quota = quota
        self.nonces = NonceCache()
        self.injector = FaultInjector(faults or Faults(), seed=seed)
        self._quota_buckets = TokenBuckets(quota.per_s) if quota is not None else None
        self._lock = threading.Lock()
        self._log: collections.deque[LogEntry] = collections.deque(maxlen=REQUEST_LOG_LIMIT)
        self._counts: collections.Counter[str] = collections.Counter()
        self.parent: Gateway | None = None
        self._reset_faults = Faults()

    def child(self, *, faults: Faults | None = None, quota: Quota | None, seed: int) -> Gateway:
        """Return the gateway of another account of this cloud (an organisation's member).

        It has its own ``faults`` (seeded by ``seed``; a reset restores them, as they
        describe the account) and ``quota``, and shares this gateway's access key,
        nonces, request log and counts.
        """
        child = Gateway(credentials=self.credentials, faults=faults, seed=seed, quota=quota)
        child.nonces = self.nonces
        child._lock = self._lock
        child._log = self._log
        child._counts = self._counts
        child.parent = self
        child._reset_faults = faults or Faults()
        return child

    @property
    def faults(self) -> Faults:
        """The faults in force."""
        return self.injector.faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the faults; re-seeds the fault generator and restarts page counting."""
        self.injector = FaultInjector(faults, seed=self.seed)

    def quota_wait(self, *, region: str, product: str, action: str) -> float:
        """Take a call of ``product``'s ``action`` in ``region`` from the quota.

        Return 0.0 if it is within the quota, else the seconds until it would be.
        """
        if self.quota is None or self._quota_buckets is None:
            return 0.0
        key = self.quota.key(region=region, product=product, action=action)
        return self._quota_buckets.wait(key)

    def log_request(
        self,
        *,
        action: str,
        params: dict[str, str],
        status: int,
        code: str,
        product: str = "hbr",
        region: str = "",
        account: str = "",
    ) -> None:
        """Record one API request."""
        entry = LogEntry(
            action=action,
            params=params,
            status=status,
            code=code,
            time=time.time(),
            product=product,
            region=region,
            account=account,
        )
        with self._lock:
            self._log.append(entry)
            self._counts[action] += 1

    def request_log(self) -> list[dict[str, Any]]:
        """Return the most recent API requests, oldest first."""
        with self._lock:
            return [entry.as_dict() for entry in self._log]

    def api_call_count(self, action: str = "DescribeBackupClients") -> int:
        """Return how many API requests named ``action`` arrived (any outcome)."""
        with self._lock:
            return self._counts[action]

    def call_counts(self) -> dict[str, int]:
        """Return the number of API requests per action."""
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        """No faults, an empty log, full quota buckets; a child: its own faults, the log kept."""
        if self.parent is None:
            with self._lock:
                self._log.clear()
                self._counts.clear()
        self.injector = FaultInjector(self._reset_faults, seed=self.seed)
        if self._quota_buckets is not None:
            self._quota_buckets.clear()
