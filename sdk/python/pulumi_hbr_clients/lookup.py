"""``get_backup_clients`` / ``get_backup_clients_output``: the lookup as a function.

The pair follows pulumi-alicloud's ``get_*`` / ``get_*_output`` convention. Both run the
query engine inside the program, so their values are known during ``pulumi preview``
whenever their inputs are. Identical queries within one program run are sent once.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

import attrs
import pulumi

from hbr_clients_provider.adapters.stack_config import (
    CONNECTION_INPUTS,
    LIMIT_INPUTS,
    connection_options,
    input_violations,
    resolve_connection,
    resolve_limits,
)
from hbr_clients_provider.adapters.wording import given_inputs, pulumi_message, pulumi_names
from hbr_clients_provider.api.connection import ConnectionSettings
from hbr_clients_provider.api.limits import ListingLimits
from hbr_clients_provider.api.models import BackupClient, ClientListing
from hbr_clients_provider.api.paging import list_clients
from hbr_clients_provider.api.query import ClientQuery
from hbr_clients_provider.errors import HbrError, InvalidQuery

__all__ = [
    "BackupClientsLookupError",
    "GetBackupClientsResult",
    "get_backup_clients",
    "get_backup_clients_output",
]


class BackupClientsLookupError(pulumi.RunError):
    """A lookup failed: invalid input, or an API, auth or network error.

    Raised as a ``pulumi.RunError``, so Pulumi reports the message without a traceback.
    ``cause`` is the query engine's error, which carries the facts (``violations``, or
    ``code`` and ``request_id``); the message names inputs and stack config keys, never a
    command-line flag (``message``, when given, is ``cause`` so worded).
    """

    def __init__(self, cause: HbrError | ValueError, message: str | None = None) -> None:
        super().__init__(f"get_backup_clients: {message or cause}")
        self.cause = cause


@attrs.frozen(kw_only=True)
class GetBackupClientsResult:
    """The typed result of a lookup."""

    clients: tuple[BackupClient, ...]
    """The clients, in the API's order; proxy passwords stay out of their repr."""
    client_ids: tuple[str, ...]
    """The client IDs, in the API's order."""
    instance_ids: tuple[str, ...]
    """The instance IDs of the clients that have one."""
    total_count: int
    """How many clients matched, after the client-side filters."""
    api_total_count: int
    """The API's ``TotalCount`` (before client-side filters)."""

    @classmethod
    def from_listing(cls, listing: ClientListing) -> GetBackupClientsResult:
        """Build the result of one listing."""
        return cls(
            clients=listing.clients,
            client_ids=listing.client_ids,
            instance_ids=listing.instance_ids,
            total_count=listing.total_count,
            api_total_count=listing.api_total_count,
        )

    @property
    def instance_client_map(self) -> dict[str, str]:
        """Instance ID -> client ID."""
        return {c.instance_id: c.client_id for c in self.clients if c.instance_id}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict fit for a stack output; proxy passwords read ``"******"``."""
        return {
            "client_ids": list(self.client_ids),
            "instance_ids": list(self.instance_ids),
            "total_count": self.total_count,
            "api_total_count": self.api_total_count,
            "clients": [c.to_dict() for c in self.clients],
        }


_Key = tuple[int, ClientQuery, ConnectionSettings, ListingLimits]
_results: dict[_Key, Future[GetBackupClientsResult]] = {}
_results_lock = threading.Lock()


def _program_run() -> int:
    """Identify the current program run, so a cached result never outlives it."""
    try:
        return id(pulumi.runtime.settings.get_monitor())
    except Exception:  # outside a Pulumi program there is no monitor
        return 0


def _stack_option(full_key: str) -> str | None:
    namespace, name = full_key.split(":", 1)
    return pulumi.Config(namespace).get(name)


def _lookup(inputs: Mapping[str, Any]) -> GetBackupClientsResult:
    connection_inputs = {k: inputs.get(k) for k in CONNECTION_INPUTS}
    query_inputs = {
        k: v
        for k, v in inputs.items()
        if k not in CONNECTION_INPUTS + LIMIT_INPUTS and v is not None
    }
    given = given_inputs(inputs)
    options: Mapping[str, str] = {}

    def failure(error: HbrError | ValueError) -> BackupClientsLookupError:
        names = pulumi_names(options, given)
        return BackupClientsLookupError(error, pulumi_message(error, names))

    violations = input_violations({k: v for k, v in inputs.items() if v is not None})
    if violations:
        raise failure(InvalidQuery(violations))
    try:
        query = ClientQuery.from_inputs(query_inputs)
        options = connection_options(_stack_option)
        limits = resolve_limits(options, inputs)
        connection = resolve_connection(options, connection_inputs)
    except (HbrError, ValueError) as error:
        raise failure(error) from None
    key = (_program_run(), query, connection, limits)
    with _results_lock:
        future = _results.get(key)
        owner = future is None
        if future is None:
            future = _results[key] = Future()
    if owner:
        try:
            future.set_result(
                GetBackupClientsResult.from_listing(
                    list_clients(query, connection=connection, limits=limits)
                )
            )
        except HbrError as error:
            with _results_lock:
                del _results[key]  # a failure is not remembered: the next call tries again
            future.set_exception(failure(error))
    return future.result()


def get_backup_clients(
    *,
    client_type: str,
    cluster_id: str | None = None,
    client_ids: Sequence[str] | None = None,
    instance_ids: Sequence[str] | None = None,
    tags: Mapping[str, str] | None = None,
    cross_account_type: str | None = None,
    cross_account_user_id: int | None = None,
    cross_account_role_name: str | None = None,
    filters: Mapping[str, Sequence[str]] | None = None,
    statuses: Sequence[str] | None = None,
    backup_statuses: Sequence[str] | None = None,
    name_regex: str | None = None,
    outdated_only: bool | None = None,
    heartbeat_older_than: str | None = None,
    region: str | None = None,
    endpoint: str | None = None,
    protocol: str | None = None,
    ca_bundle: str | None = None,
    max_clients: int | None = None,
    deadline: float | None = None,
) -> GetBackupClientsResult:
    """List the HBR backup clients that match; the arguments are those of ``BackupClients``.

    :raises BackupClientsLookupError: for invalid input (nothing is sent) and for API,
        auth and network errors after the retries.
    """
    arguments = locals()  # exactly the keyword arguments above
    return _lookup(arguments)


_LOOKUP_ARGUMENTS = frozenset(inspect.signature(get_backup_clients).parameters)


def get_backup_clients_output(
    **inputs: pulumi.Input[Any],
) -> pulumi.Output[GetBackupClientsResult]:
    """Like :func:`get_backup_clients`, but every argument may be a ``pulumi.Input``.

    The result is known during preview whenever the inputs are; the listing runs on a
    worker thread so it does not hold up the rest of the program.
    """

    unknown = sorted(set(inputs) - _LOOKUP_ARGUMENTS)
    if unknown:
        msg = f"get_backup_clients_output() got unknown arguments: {', '.join(unknown)}"
        raise TypeError(msg)

    def run(resolved: dict[str, Any]) -> asyncio.Future[GetBackupClientsResult]:
        # The worker thread needs the program's context: stack config lives in it.
        context = contextvars.copy_context()
        return asyncio.get_running_loop().run_in_executor(
            None, lambda: context.run(get_backup_clients, **resolved)
        )

    return pulumi.Output.all(**inputs).apply(run)
