"""Complete, consistent listings: :class:`Pager` for any paged API, :func:`list_clients` for HBR.

Paging is described as data (:class:`~.operations.PagingSpec` of an
:class:`~.operations.Operation`, in the manner of botocore's paginator models) and run by one
engine, whatever the API (HBR ``DescribeBackupClients``, ECS ``DescribeInstances``):

1. Page 1 is fetched with the largest page size; its ``TotalCount`` says how many pages
   there are. A ``TotalCount`` above ``max_clients`` is refused here, before page 2
   (:class:`~.errors.TooManyClientsError`; see :mod:`.limits`). A page 1 that holds every
   item already (a server that ignores ``PageSize``) is the whole, consistent answer.
2. Pages 2..n are fetched concurrently by a thread pool of ``concurrency`` workers, each
   call passing an :class:`~.ratelimit.AdaptiveRateLimiter` and the retry loop of
   :mod:`.retry`. Pages are scheduled as a sliding window of ``2 * concurrency``: what is
   queued stays the same size however many pages there are, and a page that reports
   another ``TotalCount`` stops the attempt at once. The window costs no speed: against
   submitting every page at once, six interleaved runs of 102 pages at 50 ms took a median
   0.89 s against 0.96 s (shared 2-core machine, load average about 8).
3. The listing has one overall deadline (``deadline_s``, measured from the start of the
   listing). Before every attempt the time left is checked, no retry wait or rate-limit
   wait may sleep past it, and the main thread stops waiting for pages when it passes:
   :class:`~.errors.DeadlineExceeded`.
4. The pages are checked before anything is returned, and each misfit is named for what it
   is (:class:`~.errors.InconsistentPagesError` says which):

   * a page that echoes another ``PageNumber`` than the one asked for (``wrong_page``): the
     server or a proxy ignores the parameter; retrying cannot help, so it fails at once;
   * a page that reports another ``TotalCount`` than page 1 (``count_changed``): the fleet
     changed under the listing;
   * a page that is not full although it is not the last, or a last page without exactly
     the remainder (``short_page``);
   * an ID listed twice (``duplicate``).

   All but ``wrong_page`` may come from a change landing between two page requests, so the
   whole listing starts again (``fleet_attempts`` times). When the count changed every time
   the error is :class:`~.errors.FleetChangedError`; otherwise the last misfit is raised as
   :class:`~.errors.InconsistentPagesError` (a subclass, so a caller that catches the
   former still catches both). A partial or duplicated list is never returned.

   Worked example: 250 clients, page size 99. Page 1 says ``TotalCount=250``, so pages 2
   and 3 are fetched at once and must hold 99 and 52 clients. If a client is added after
   page 1, page 3 says 251 (count changed); if one is removed, page 2 starts with a client
   that page 1 already returned shifted by one (duplicate) or page 3 comes up short.

   What these checks cannot see: one removal *and* one addition landing between the same
   two page requests keep every count right, and can move one client across a page
   boundary (listed twice, which the duplicate check catches, or not at all, which nothing
   on the wire reveals). The API offers no snapshot or cursor to close that gap.

Long ``client_ids``/``instance_ids`` lists are split into chunks of
:data:`ID_CHUNK_SIZE` (99: the API documents no maximum; 99 IDs keep the form body small,
about 2.5 KB, and a chunk whose IDs all match still fits in one page, so listing N IDs
costs ceil(N / 99) calls) and the chunks are listed one after another
(every combination when both lists are long, which keeps the API's AND semantics); the
results are concatenated in chunk order and de-duplicated by client ID.

Client-side filters run after listing; ``total_count`` of the result counts the clients
returned and ``api_total_count`` keeps the API's ``TotalCount``.

Defaults, measured with ``bench/pagination.py`` (2-core shared machine, emulator with 50 ms
latency, 10,000 clients = 102 pages): see :data:`DEFAULT_CONCURRENCY` and
:class:`~.ratelimit.RateLimit`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from itertools import product
from typing import Any

import attrs

from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.hbr_api import DESCRIBE_BACKUP_CLIENTS, DESCRIBE_REGIONS
from hbr_clients_provider.api.limits import ListingLimits
from hbr_clients_provider.api.models import BackupClient, ClientListing
from hbr_clients_provider.api.operations import Operation, Page, PagingSpec
from hbr_clients_provider.api.query import ClientQuery
from hbr_clients_provider.api.ratelimit import AdaptiveRateLimiter, RateLimit
from hbr_clients_provider.api.regions import check_region, offered_regions
from hbr_clients_provider.api.retry import Clock, RetryPolicy, SystemClock, call_with_retries
from hbr_clients_provider.api.transport import Transport
from hbr_clients_provider.errors import (
    ApiError,
    DeadlineExceeded,
    FleetChangedError,
    HbrError,
    InconsistentPagesError,
    Misfit,
    TooManyClientsError,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_FLEET_ATTEMPTS",
    "ID_CHUNK_SIZE",
    "Pager",
    "list_clients",
]

#: Worker threads for pages 2..n, chosen by measurement with ``bench/pagination.py``
#: (shared 2-core machine, emulator in its own process at 50 ms latency, 10,000 clients =
#: 102 pages, after the ``from_wire`` fast path): 8 workers 0.83-0.87 s, 10 -> 0.68-0.72 s,
#: 12 -> 0.60-0.69 s, 16 -> 0.53-0.59 s; the official SDK's sequential loop takes about
#: 5.7 s. Each page costs this process about 3 ms of CPU under the GIL (signing, HTTP, JSON,
#: models), so up to about 50 ms / 3 ms workers the listing waits on the network alone and
#: takes 1.14-1.20x the time that waiting alone would take (10 workers); beyond that it
#: queues for the CPU (1.2-1.4x at 12, 1.33-1.48x at 16), holding more connections open for
#: a few per cent. In the real cloud the budget is about 10 calls/s, where the adaptive
#: limiter (:class:`~.ratelimit.RateLimit`) sets the pace, not the worker count.
DEFAULT_CONCURRENCY = 10

#: How many times a listing is started over when the fleet changes under it.
DEFAULT_FLEET_ATTEMPTS = 3

#: Largest number of client or instance IDs sent in one request (see the module docstring).
ID_CHUNK_SIZE = 99


class _MisfitError(Exception):
    """The pages of one listing attempt do not fit together (internal): ``kind`` and facts."""

    def __init__(self, kind: Misfit, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class _CancelledError(Exception):
    """Another page of the same listing failed for good (internal)."""


#: How long the main thread waits, past the deadline, for the pages in flight to report
#: their own :class:`~.errors.DeadlineExceeded` (they end at the same instant).
_REPORT_GRACE_S = 0.5


class Pager:
    """Runs the paging of one :class:`~.operations.Operation` over one :class:`Transport`."""

    def __init__(
        self,
        transport: Transport,
        *,
        operation: Operation = DESCRIBE_BACKUP_CLIENTS,
        concurrency: int = DEFAULT_CONCURRENCY,
        retry: RetryPolicy | None = None,
        limiter: AdaptiveRateLimiter | None = None,
        clock: Clock | None = None,
        fleet_attempts: int = DEFAULT_FLEET_ATTEMPTS,
        progress: Callable[[int, int], None] | None = None,
        limits: ListingLimits | None = None,
        deadline_at: float | None = None,
    ) -> None:
        """Page ``operation`` through ``transport``.

        :param deadline_at: when the listing must be over, on ``clock``'s time line (default:
            ``limits.deadline_s`` from now); several pagers of one audit share one.
        """
        if operation.paging is None:
            msg = f"{operation.name} does not page"
            raise ValueError(msg)
        self.transport = transport
        self.operation = operation
        self.spec: PagingSpec = operation.paging
        self.concurrency = max(1, concurrency)
        self.retry = retry or RetryPolicy()
        self.clock = clock or SystemClock()
        self.limiter = limiter or AdaptiveRateLimiter(burst=self.concurrency, clock=self.clock)
        self.fleet_attempts = max(1, fleet_attempts)
        self.progress = progress
        self._progress_lock = threading.Lock()
        self._done = 0
        self._expected = 0
        self.request_ids: list[str] = []
        self._cancel = threading.Event()
        self.limits = limits or ListingLimits()
        #: When the listing must be over, on ``clock``'s time line.
        self.deadline_at = (
            self.clock.monotonic() + self.limits.deadline_s if deadline_at is None else deadline_at
        )
        #: Items the listings of earlier ID chunks reported (``max_clients`` covers all).
        self.reported = 0

    def remaining(self) -> float:
        """Seconds left before the listing's deadline (negative once it has passed)."""
        return self.deadline_at - self.clock.monotonic()

    def deadline_error(self) -> DeadlineExceeded:
        """The error of a listing whose deadline passed, with its progress."""
        with self._progress_lock:
            done, expected = self._done, self._expected
        return DeadlineExceeded(
            deadline_s=self.limits.deadline_s,
            endpoint=self.transport.connection.endpoint,
            detail=f"{done} of {max(done, expected)} pages fetched",
        )

    def _before_attempt(self) -> None:
        if self._cancel.is_set():
            raise _CancelledError
        if self.remaining() <= 0 or not self.limiter.acquire(deadline=self.deadline_at):
            raise self.deadline_error()

    def fetch(self, params: Mapping[str, Any], *, page_number: int | None = None) -> Page:
        """Fetch one page with retries and rate limiting, within the listing's deadline.

        A retry whose wait would pass the deadline is not made: the last error is raised.
        With ``page_number``, a page that echoes another number is refused
        (:class:`~.errors.InconsistentPagesError`, ``wrong_page``).
        """
        remaining = self.remaining()
        if remaining <= 0:
            raise self.deadline_error()
        policy = self.retry
        if remaining < policy.deadline_s:
            policy = attrs.evolve(policy, deadline_s=remaining)

        def attempt() -> Page:
            # The transport's deadline is on the system's monotonic clock, not ``clock``.
            page = self.transport.fetch_page(
                self.operation, params, deadline=time.monotonic() + self.remaining()
            )
            self.limiter.on_success()
            return page

        def on_error(error: HbrError) -> None:
            if isinstance(error, ApiError) and error.throttled:
                retry_after = error.retry_after_ms / 1000.0 if error.retry_after_ms else None
                self.limiter.on_throttled(retry_after)

        try:
            page = call_with_retries(
                attempt,
                policy=policy,
                clock=self.clock,
                on_attempt=self._before_attempt,
                on_retryable_error=on_error,
            )
        except DeadlineExceeded as error:
            if error.deadline_s is not None:
                raise
            # The transport knows the instant and the slow phase, not the budget the user
            # set or the progress: name them.
            progress = self.deadline_error().detail
            raise DeadlineExceeded(
                deadline_s=self.limits.deadline_s,
                endpoint=error.endpoint,
                detail="; ".join(d for d in (error.detail, progress) if d),
            ) from None
        if page.request_id:
            self.request_ids.append(page.request_id)
        self._tick()
        if page_number is not None and page.page_number not in (0, page_number):
            raise self._inconsistent(
                "wrong_page",
                f"page {page_number} was asked for and the answer says PageNumber "
                f"{page.page_number}: the server or a proxy ignores PageNumber",
                attempts=1,
                request_id=page.request_id,
            )
        return page

    def _inconsistent(
        self, kind: Misfit, detail: str, *, attempts: int, request_id: str | None = None
    ) -> InconsistentPagesError:
        return InconsistentPagesError(
            kind,
            detail,
            attempts=attempts,
            endpoint=self.transport.connection.endpoint,
            request_id=request_id,
        )

    def _tick(self, extra_expected: int = 0) -> None:
        with self._progress_lock:
            if extra_expected:
                self._expected += extra_expected
            else:
                self._done += 1
            done, expected = self._done, self._expected
        if self.progress is not None:
            self.progress(done, max(done, expected))

    def list_all(
        self, params_for: Callable[[int, int], Mapping[str, Any]]
    ) -> tuple[tuple[Any, ...], int]:
        """List every page of one query; return ``(items, TotalCount)``.

        ``params_for(page_number, page_size)`` builds the request parameters of a page.
        """
        misfits: list[_MisfitError] = []
        for _ in range(self.fleet_attempts):
            try:
                return self._attempt(params_for)
            except _MisfitError as misfit:
                misfits.append(misfit)
        last = misfits[-1]
        if all(m.kind == "count_changed" for m in misfits):
            raise FleetChangedError(self.fleet_attempts, last.detail)
        raise self._inconsistent(last.kind, last.detail, attempts=self.fleet_attempts)

    def _attempt(
        self, params_for: Callable[[int, int], Mapping[str, Any]]
    ) -> tuple[tuple[Any, ...], int]:
        size = self.spec.max_page_size
        first_number = self.spec.first_page
        self._cancel.clear()
        self._tick(extra_expected=1)
        first = self.fetch(params_for(first_number, size), page_number=first_number)
        total = first.total_count
        if self.reported + total > self.limits.max_clients:
            raise TooManyClientsError(
                total_count=self.reported + total, max_clients=self.limits.max_clients
            )
        if len(first.items) >= total:
            # Everything on page 1, however large the server made it: check it is the whole.
            items = _assemble([first], total=total, size=max(size, total), spec=self.spec)
            self.reported += total
            return items, total
        pages = max(1, math.ceil(total / size))
        if pages > 1:
            self._tick(extra_expected=pages - 1)
        results: list[Page] = [first]
        if pages > 1:
            numbers = range(first_number + 1, first_number + pages)
            results.extend(self._fetch_rest(params_for, numbers, total=total))
        items = _assemble(results, total=total, size=size, spec=self.spec)
        self.reported += total
        return items, total

    def _fetch_rest(
        self,
        params_for: Callable[[int, int], Mapping[str, Any]],
        numbers: Sequence[int],
        *,
        total: int,
    ) -> list[Page]:
        """Fetch pages ``numbers`` through a sliding window of ``2 * concurrency`` requests."""
        workers = min(self.concurrency, len(numbers))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hbr-page")
        try:
            return self._collect(pool, params_for, numbers, total=total, window=2 * workers)
        finally:
            self._cancel.set()  # pages still queued stop before their request
            pool.shutdown(wait=True, cancel_futures=True)

    def _collect(
        self,
        pool: ThreadPoolExecutor,
        params_for: Callable[[int, int], Mapping[str, Any]],
        numbers: Sequence[int],
        *,
        total: int,
        window: int,
    ) -> list[Page]:
        size = self.spec.max_page_size
        pages: list[Page | None] = [None] * len(numbers)
        upcoming = iter(enumerate(numbers))
        pending: dict[Future[Page], int] = {}

        def schedule() -> None:
            for index, number in upcoming:
                future = pool.submit(self.fetch, params_for(number, size), page_number=number)
                pending[future] = index
                if len(pending) >= window:
                    return

        schedule()
        while pending:
            timeout = max(0.0, self.remaining())
            done, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            if not done:
                # The pages in flight end at the same deadline, at their sockets, naming the
                # phase that was slow: wait the moment it takes them to say so.
                done, _ = wait(pending, timeout=_REPORT_GRACE_S, return_when=FIRST_COMPLETED)
            if not done:
                raise self.deadline_error()
            for future in done:
                index = pending.pop(future)
                error = future.exception()
                if isinstance(error, _CancelledError):
                    continue
                if error is not None:
                    raise error
                page = future.result()
                if page.total_count != total:
                    raise _count_changed(numbers[index], page.total_count, total)
                pages[index] = page
            schedule()
        return [page for page in pages if page is not None]


def _count_changed(number: int, found: int, total: int) -> _MisfitError:
    return _MisfitError(
        "count_changed", f"page {number} reports TotalCount {found}, page 1 reported {total}"
    )


def _assemble(pages: Sequence[Page], *, total: int, size: int, spec: PagingSpec) -> tuple[Any, ...]:
    """Check that the pages of one listing fit together, and join them."""
    count = len(pages)
    out: list[Any] = []
    for index, page in enumerate(pages):
        number = spec.first_page + index
        if page.total_count != total:
            raise _count_changed(number, page.total_count, total)
        expected = max(0, size if index < count - 1 else total - size * (count - 1))
        if len(page.items) != expected:
            held = len(page.items)
            raise _MisfitError(
                "short_page",
                f"page {number} of {count} holds {held} {spec.noun}s where TotalCount {total} "
                f"and PageSize {size} make {expected}",
            )
        out.extend(page.items)
    # This runs after the last page arrives, so it is on the listing's critical path: one
    # set built in C (about 1 ms for 10,000 clients, against 3.3 ms for a Python loop).
    keys = list(map(spec.key, out))
    if len(set(keys)) != len(keys):
        raise _MisfitError("duplicate", f"{spec.noun} {_first_repeated(keys)} is listed twice")
    return tuple(out)


def _first_repeated(keys: Sequence[str]) -> str:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return ""


def _chunks(items: Sequence[str], size: int) -> list[tuple[str, ...] | None]:
    if not items:
        return [None]
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _id_chunks(
    query: ClientQuery, size: int
) -> Iterator[tuple[tuple[str, ...] | None, tuple[str, ...] | None]]:
    yield from product(_chunks(query.client_ids, size), _chunks(query.instance_ids, size))


def _check_region(transport: Transport, pager: Pager) -> None:
    """Refuse an unknown region before listing (:func:`.regions.check_region`)."""
    connection = transport.connection
    if not connection.region:
        return

    def describe_regions() -> frozenset[str]:
        deadline = time.monotonic() + max(0.0, pager.remaining())
        answer = transport.call({}, deadline=deadline, operation=DESCRIBE_REGIONS)
        return offered_regions(answer, endpoint=connection.endpoint)

    check_region(connection.region, endpoint=connection.endpoint, describe_regions=describe_regions)


def list_clients(
    query: ClientQuery | Mapping[str, Any],
    *,
    connection: ConnectionSettings,
    concurrency: int | None = None,
    retry: RetryPolicy | None = None,
    progress: Callable[[int, int], None] | None = None,
    rate_limit: RateLimit | None = None,
    now: datetime | None = None,
    clock: Clock | None = None,
    fleet_attempts: int = DEFAULT_FLEET_ATTEMPTS,
    id_chunk_size: int = ID_CHUNK_SIZE,
    transport: Transport | None = None,
    limits: ListingLimits | None = None,
    limiter: AdaptiveRateLimiter | None = None,
) -> ClientListing:
    """List the backup clients matching ``query``: complete, in API order, de-duplicated.

    :param query: a :class:`ClientQuery`, or a mapping of inputs for
        :meth:`ClientQuery.from_inputs` (validated before any connection is made).
    :param connection: endpoint and credentials (:meth:`ConnectionSettings.resolve`).
    :param concurrency: worker threads for pages 2..n (default :data:`DEFAULT_CONCURRENCY`).
    :param retry: the retry policy (default :class:`RetryPolicy()`).
    :param progress: called as ``progress(pages_done, pages_known)`` from worker threads.
    :param rate_limit: client-side rate limit settings (default :class:`RateLimit()`).
    :param now: the moment ``heartbeat_older_than`` is measured from (default: now).
    :param clock: time source for retries and rate limiting (tests inject a fake).
    :param fleet_attempts: listings started before :class:`FleetChangedError` is raised.
    :param id_chunk_size: most IDs per request (see :data:`ID_CHUNK_SIZE`).
    :param transport: an existing :class:`Transport` to reuse (its connection wins).
    :param limits: ``max_clients`` and the overall deadline (default
        :class:`~.limits.ListingLimits()`: 1,000,000 clients, 300 s).
    :param limiter: the rate limiter to pace the calls (default: a new one of
        ``rate_limit``), e.g. an account's :class:`~.account_quota.PairLimiter`.
    :raises InvalidQuery: for invalid inputs (nothing is sent).
    :raises ApiError, TransportError, CredentialsError, FleetChangedError,
        TooManyClientsError, DeadlineExceeded: see :mod:`hbr_clients_provider.errors`.
    """
    if not isinstance(query, ClientQuery):
        query = ClientQuery.from_inputs(query)
    workers = DEFAULT_CONCURRENCY if concurrency is None else max(1, concurrency)
    transport = transport or Transport(connection, pool_size=workers)
    clock = clock or SystemClock()
    limiter = limiter or AdaptiveRateLimiter(rate_limit, burst=workers, clock=clock)
    pager = Pager(
        transport,
        concurrency=workers,
        retry=retry,
        limiter=limiter,
        clock=clock,
        fleet_attempts=fleet_attempts,
        progress=progress,
        limits=limits,
    )
    _check_region(transport, pager)
    chunks = 0
    if query.single_page:
        number = query.page_number or 1
        page = pager.fetch(
            query.request_params(page_number=number, page_size=query.page_size or 10),
            page_number=number,
        )
        clients: Sequence[BackupClient] = page.items
        api_total = page.total_count
    else:
        collected: list[BackupClient] = []
        api_total = 0
        for client_ids, instance_ids in _id_chunks(query, max(1, id_chunk_size)):
            chunks += 1

            def params_for(
                number: int,
                size: int,
                client_ids: tuple[str, ...] | None = client_ids,
                instance_ids: tuple[str, ...] | None = instance_ids,
            ) -> dict[str, Any]:
                return query.request_params(
                    page_number=number,
                    page_size=size,
                    client_ids=client_ids,
                    instance_ids=instance_ids,
                )

            chunk_clients, chunk_total = pager.list_all(params_for)
            collected.extend(chunk_clients)
            api_total += chunk_total
        clients = collected
    selected: Sequence[BackupClient]
    if chunks == 1:
        selected = tuple(clients)  # one listing: ``_assemble`` has checked the IDs are unique
    else:
        unique: dict[str, BackupClient] = {}
        for client in clients:
            unique.setdefault(client.client_id, client)
        selected = tuple(unique.values())
    if query.has_client_side_filters:
        match = query.matcher(now=now)
        selected = tuple(c for c in selected if match(c))
    return ClientListing(
        clients=selected,
        total_count=len(selected),
        api_total_count=api_total,
        request_ids=tuple(pager.request_ids),
    )
