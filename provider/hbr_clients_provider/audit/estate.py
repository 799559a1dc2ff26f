"""The estate audit's listings: every region's ECS inventory and ECS backup clients.

:func:`audit_estate` lists each target (one region of the caller's account) and hands the
listings to the pure :func:`~hbr_clients_provider.audit.coverage.audit_coverage`:

* **regions**: named (``("cn-hangzhou", "cn-shanghai")``), or ``"all"``: the regions HBR's
  ``DescribeRegions`` lists, asked at the HBR endpoint of the connection's region (default
  :data:`DISCOVERY_REGION`), never a list of this package's own that goes stale;
* **per target**: ECS ``DescribeInstances`` (the whole inventory) and HBR
  ``DescribeBackupClients`` (``ClientType=ECS_CLIENT``), each through the one transport,
  paging engine, retry policy, rate limiter and error taxonomy of :mod:`hbr_clients_provider.api`;
  each service and region at the endpoint the official SDKs resolve
  (:mod:`~hbr_clients_provider.api.endpoints`), or through ``connect_to``;
* **concurrency**: up to :data:`DEFAULT_TARGET_CONCURRENCY` targets of each account at once
  (:data:`MAX_TARGETS_AT_ONCE` in all; the ECS and HBR listings of each side by side), paced
  by their account's :class:`~hbr_clients_provider.api.account_quota.AccountRateLimits`: a
  limiter per API and region, since most quotas belong to an API in a region, which adapt
  together once throttling shows the quota is the whole account's; a throttled region slows
  only itself, a throttled account only its own targets;
* **one deadline** over the whole estate: every listing gets the time that is left;
* **a failed target is a value**: its error's code (the API's, or the kind of failure), its
  message and request ID land in the report, which is then incomplete unless the target is
  accepted by name (``allow_unreachable``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, Final

import attrs

from hbr_clients_provider.api.account_quota import AccountRateLimits
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.ecs_api import DESCRIBE_INSTANCES
from hbr_clients_provider.api.hbr_api import DESCRIBE_REGIONS
from hbr_clients_provider.api.instances import EcsInstance
from hbr_clients_provider.api.limits import DEFAULT_DEADLINE_S, DEFAULT_MAX_CLIENTS, ListingLimits
from hbr_clients_provider.api.models import BackupClient
from hbr_clients_provider.api.paging import Pager, list_clients
from hbr_clients_provider.api.ratelimit import AdaptiveRateLimiter
from hbr_clients_provider.api.regions import offered_regions, region_problem
from hbr_clients_provider.api.retry import RetryPolicy
from hbr_clients_provider.api.sts_api import valid_account_id, valid_role_name
from hbr_clients_provider.api.transport import Transport
from hbr_clients_provider.audit.accounts import (
    DEFAULT_ROLE_NAME,
    RoleSessions,
    list_member_accounts,
)
from hbr_clients_provider.audit.coverage import (
    CoverageReport,
    InstanceScope,
    Target,
    TargetError,
    TargetListing,
    audit_coverage,
)
from hbr_clients_provider.audit.rules import AuditRules
from hbr_clients_provider.display import terminal_text
from hbr_clients_provider.errors import (
    ApiError,
    DeadlineExceeded,
    HbrError,
    InvalidQuery,
    Violation,
)
from hbr_clients_provider.settings import CONNECT_TO_HINT

__all__ = [
    "ALL_ACCOUNTS",
    "ALL_REGIONS",
    "DEFAULT_TARGET_CONCURRENCY",
    "DISCOVERY_REGION",
    "audit_estate",
    "discover_regions",
    "list_target",
    "parse_accounts",
    "parse_regions",
]

#: ``regions="all"``: every region ``DescribeRegions`` lists.
ALL_REGIONS: Final = "all"

#: ``accounts="all"``: every member of the caller's Resource Directory.
ALL_ACCOUNTS: Final = "all"

#: The region of the one target that stands for a member account that could not be reached.
WHOLE_ACCOUNT: Final = "*"

#: Where ``DescribeRegions`` is asked when the connection names no region.
DISCOVERY_REGION: Final = "cn-hangzhou"

#: Targets (regions) of one account listed at once, each its ECS and HBR listings side by side.
DEFAULT_TARGET_CONCURRENCY: Final = 8

#: Targets listed at once in all: every account has its own quotas, so the accounts of an
#: organisation run side by side, up to this many targets (threads that mostly wait).
MAX_TARGETS_AT_ONCE: Final = 32

#: Page workers of one listing in an estate audit: the targets already run side by side.
_PAGES_PER_LISTING: Final = 4

_REGIONS_RULE = "must be 'all' or region IDs separated by commas, e.g. cn-hangzhou,cn-shanghai"


def parse_regions(value: str | Sequence[str], *, field: str = "regions") -> tuple[str, ...] | str:
    """``"all"``, or the region IDs of ``"cn-hangzhou,cn-shanghai"`` (or a list), de-duplicated.

    :raises InvalidQuery: naming ``field`` for an empty list or a malformed region ID.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(item).strip() for item in items if str(item).strip()]
    if names == [ALL_REGIONS]:
        return ALL_REGIONS
    if not names:
        raise InvalidQuery((Violation(field=field, rule=_REGIONS_RULE, value=value),))
    violations = [
        Violation(field=field, rule=problem, value=name)
        for name in names
        if (problem := region_problem(name)) is not None
    ]
    if violations:
        raise InvalidQuery(tuple(violations))
    return tuple(dict.fromkeys(names))


def discover_regions(connection: ConnectionSettings, *, deadline: float) -> tuple[str, ...]:
    """The regions HBR's ``DescribeRegions`` lists, sorted (asked at the connection's region).

    :param deadline: an absolute :func:`time.monotonic` instant.
    :raises HbrError: when it cannot be asked.
    """
    region = connection.region or DISCOVERY_REGION
    hbr = connection if connection.endpoint_given else connection.for_service("hbr", region)
    answer = Transport(hbr).call({}, deadline=deadline, operation=DESCRIBE_REGIONS)
    return tuple(sorted(offered_regions(answer, endpoint=hbr.endpoint)))


def _target_error(error: HbrError) -> TargetError:
    if isinstance(error, ApiError):
        return TargetError(code=error.code, message=error.message, request_id=error.request_id)
    return TargetError(
        code=type(error).__name__,
        message=terminal_text(str(error)),
        request_id=getattr(error, "request_id", None),
    )


def _list_instances(
    connection: ConnectionSettings,
    region: str,
    *,
    limits: ListingLimits,
    retry: RetryPolicy,
    limiter: AdaptiveRateLimiter,
) -> tuple[EcsInstance, ...]:
    transport = Transport(connection, pool_size=_PAGES_PER_LISTING)
    pager = Pager(
        transport,
        operation=DESCRIBE_INSTANCES,
        concurrency=_PAGES_PER_LISTING,
        retry=retry,
        limiter=limiter,
        limits=limits,
    )
    instances, _ = pager.list_all(
        lambda number, size: {"region_id": region, "page_number": number, "page_size": size}
    )
    return tuple(instances)


def _list_clients(
    connection: ConnectionSettings,
    *,
    limits: ListingLimits,
    retry: RetryPolicy,
    limiter: AdaptiveRateLimiter,
) -> tuple[BackupClient, ...]:
    listing = list_clients(
        {"client_type": "ECS_CLIENT"},
        connection=connection,
        concurrency=_PAGES_PER_LISTING,
        retry=retry,
        limits=limits,
        limiter=limiter,
    )
    return listing.clients


def list_target(
    connection: ConnectionSettings | Callable[[bool], ConnectionSettings],
    target: Target,
    *,
    deadline: float,
    max_items: int = DEFAULT_MAX_CLIENTS,
    retry: RetryPolicy | None = None,
    pool: ThreadPoolExecutor | None = None,
    rate_limits: AccountRateLimits | None = None,
) -> TargetListing:
    """List one target's inventory and ECS clients; a failure is the listing's ``error``.

    :param connection: the target's connection, or a function ``connect(renew)`` that gives it
        (a member account's role session): an ``InvalidSecurityToken`` answer then renews the
        session and lists the target once more.
    :param deadline: an absolute :func:`time.monotonic` instant both listings end by.
    :param pool: where the two listings run side by side (default: one after the other).
    :param rate_limits: the target's account's rate limits, shared by its targets (default:
        the target's own).
    """
    retry = retry or RetryPolicy()
    quota = rate_limits or AccountRateLimits(burst=_PAGES_PER_LISTING)
    connect = connection if callable(connection) else (lambda _renew: connection)

    def limits() -> ListingLimits:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded(deadline_s=None, endpoint=target.region, detail="no time left")
        return ListingLimits(max_clients=max_items, deadline_s=left)

    def listed(settings: ConnectionSettings) -> TargetListing:
        ecs = settings.for_service("ecs", target.region)
        hbr = settings if settings.endpoint_given else settings.for_service("hbr", target.region)

        def instances() -> tuple[EcsInstance, ...]:
            limiter = quota.limiter("ecs", target.region)
            return _list_instances(
                ecs, target.region, limits=limits(), retry=retry, limiter=limiter
            )

        def clients() -> tuple[BackupClient, ...]:
            limiter = quota.limiter("hbr", target.region)
            return _list_clients(hbr, limits=limits(), retry=retry, limiter=limiter)

        if pool is None:
            found_instances, found_clients = instances(), clients()
        else:
            pending_instances, pending_clients = pool.submit(instances), pool.submit(clients)
            found_instances, found_clients = pending_instances.result(), pending_clients.result()
        return TargetListing(target=target, instances=found_instances, clients=found_clients)

    try:
        try:
            return listed(connect(False))
        except ApiError as error:
            if not (callable(connection) and error.code.startswith("InvalidSecurityToken")):
                raise
            return listed(connect(True))
    except InvalidQuery:
        raise
    except HbrError as error:
        return TargetListing(target=target, error=_target_error(error))


def parse_accounts(value: str | Sequence[str], *, field: str = "accounts") -> tuple[str, ...]:
    """The account IDs of ``"111,222"`` (or a list), de-duplicated; ``"all"`` is kept as is.

    :raises InvalidQuery: naming ``field`` for an empty list or an ID that is not digits.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(item).strip() for item in items if str(item).strip()]
    if names == [ALL_ACCOUNTS]:
        return (ALL_ACCOUNTS,)
    if not names:
        rule = "must be 'all' or account IDs separated by commas, e.g. 1234567890123456"
        raise InvalidQuery((Violation(field=field, rule=rule, value=value),))
    bad = [
        Violation(field=field, rule="must be an account ID (digits)", value=name)
        for name in names
        if not valid_account_id(name)
    ]
    if bad:
        raise InvalidQuery(tuple(bad))
    return tuple(dict.fromkeys(names))


def _members_to_reach(
    members: tuple[str, ...],
    sessions: RoleSessions,
    *,
    include_caller: bool,
    retry: RetryPolicy | None,
) -> tuple[tuple[str, ...], str | None]:
    """The member accounts to reach through their role, and the caller's own account ID.

    ``("all",)`` lists the caller's Resource Directory. A directory may list its management
    account, the caller: that is no member to reach through a role (it has none), it is the
    caller's own account, audited as such when ``include_caller``. The caller's ID is asked
    of STS when several accounts are audited (``None`` otherwise).
    """
    if members != (ALL_ACCOUNTS,):
        return members, sessions.caller_account_id() if members and include_caller else None
    listed = list_member_accounts(sessions.caller, deadline=sessions.deadline, retry=retry)
    found = tuple(account.account_id for account in listed)
    if not found:
        return (), None
    caller = sessions.caller_account_id()
    return tuple(member for member in found if member != caller), caller


def audit_estate(
    connection: ConnectionSettings,
    *,
    regions: str | Sequence[str] = ALL_REGIONS,
    accounts: str | Sequence[str] | None = None,
    role_name: str = DEFAULT_ROLE_NAME,
    include_caller: bool = True,
    scope: InstanceScope | None = None,
    rules: AuditRules | None = None,
    require_client: bool = False,
    allow_unreachable: Iterable[str] = (),
    deadline_s: float = DEFAULT_DEADLINE_S,
    max_items: int = DEFAULT_MAX_CLIENTS,
    retry: RetryPolicy | None = None,
    concurrency: int = DEFAULT_TARGET_CONCURRENCY,
    now: datetime | None = None,
    on_target: Callable[[TargetListing], Any] | None = None,
    sessions: list[RoleSessions] | None = None,
) -> CoverageReport:
    """List every target (account x region) and judge the estate (module docstring).

    :param connection: the caller's credentials, protocol, network and ``connect_to`` (its
        endpoint serves HBR of its region only when it was set explicitly, for one region).
    :param accounts: ``None`` (the caller's own account), ``"all"`` (the members of the
        caller's Resource Directory) or account IDs; each member is reached through the role
        ``role_name``; the caller's own account is audited too unless ``include_caller`` is
        false.
    :param on_target: called with each target's listing as it completes (progress).
    :param sessions: when given, the :class:`RoleSessions` used is appended (tests count
        the ``AssumeRole`` calls).
    :raises InvalidQuery: bad ``regions`` or ``accounts``, or an explicit endpoint with
        several regions or accounts.
    :raises HbrError: when the regions (``"all"``) or the accounts (``"all"``) cannot be
        listed, or STS cannot name the caller's account (``GetCallerIdentity``, asked when
        several accounts are audited).
    """
    deadline = time.monotonic() + deadline_s
    wanted = parse_regions(regions)
    if accounts is not None and not valid_role_name(role_name):
        rule = "must be a RAM role name: 1-64 letters, digits, '.', '-' or '_'"
        raise InvalidQuery((Violation(field="role_name", rule=rule, value=role_name),))
    members = () if accounts is None else parse_accounts(accounts)
    names = discover_regions(connection, deadline=deadline) if isinstance(wanted, str) else wanted
    if connection.endpoint_given and (len(names) > 1 or members):
        rule = (
            "names one region's HBR endpoint, and this audit covers several regions or "
            f"accounts: {CONNECT_TO_HINT.cli} to send every request to one address, or audit "
            "one region of one account"
        )
        raise InvalidQuery((Violation(field="endpoint", rule=rule, value=connection.endpoint),))
    role_sessions = RoleSessions(connection, role_name=role_name, deadline=deadline, retry=retry)
    if sessions is not None:
        sessions.append(role_sessions)
    members, caller_account_id = _members_to_reach(
        members, role_sessions, include_caller=include_caller, retry=retry
    )
    listings: list[TargetListing] = []

    def reach(account_id: str) -> TargetListing | None:
        """Assume the member's role once up front; a failure is one target for the account."""
        try:
            role_sessions.connection_for(account_id)
        except InvalidQuery:
            raise
        except HbrError as error:
            target = Target(account_id=account_id, region=WHOLE_ACCOUNT)
            return TargetListing(target=target, error=_target_error(error))
        return None

    # An audit of several accounts names the caller's own too (``caller_account_id``); its
    # targets stay "the caller's", ``account_id`` None, as ``allow_unreachable`` and
    # suppressions name them.
    callers: list[tuple[str | None, Any]] = [(None, connection)] if include_caller else []
    if members:
        with ThreadPoolExecutor(
            max_workers=min(len(members), max(2, concurrency)), thread_name_prefix="hbr-role"
        ) as reaching:
            unreachable = dict(zip(members, reaching.map(reach, members), strict=True))
        for account_id, failed in unreachable.items():
            if failed is not None:
                listings.append(failed)
                continue

            def connect(renew: bool, account_id: str = account_id) -> ConnectionSettings:
                return role_sessions.connection_for(account_id, renew=renew)

            callers.append((account_id, connect))
    # Each account has its own quotas, so each gets ``concurrency`` targets at once.
    workers = max(2, min(MAX_TARGETS_AT_ONCE, max(1, concurrency) * max(1, len(callers))))
    with (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hbr-target") as targets,
        # Each target waits on its ECS and HBR listings: twice the workers, or they run in waves.
        ThreadPoolExecutor(
            max_workers=2 * workers, thread_name_prefix="hbr-listing"
        ) as listing_pool,
    ):
        futures: list[Future[TargetListing]] = []
        account_limits = {
            owner: AccountRateLimits(burst=_PAGES_PER_LISTING) for owner, _ in callers
        }
        # Region by region across the accounts, so that every account starts at once.
        for region in names:
            futures.extend(
                targets.submit(
                    list_target,
                    source,
                    Target(account_id=owner, region=region),
                    deadline=deadline,
                    max_items=max_items,
                    retry=retry,
                    pool=listing_pool,
                    rate_limits=account_limits[owner],
                )
                for owner, source in callers
            )
        for future in futures:
            listing = future.result()
            listings.append(listing)
            if on_target is not None:
                on_target(listing)
    report = audit_coverage(
        listings,
        scope=scope,
        rules=rules,
        require_client=require_client,
        allow_unreachable=allow_unreachable,
        now=now,
    )
    return attrs.evolve(report, caller_account_id=caller_account_id)
