"""``BackupClients``: the HBR backup-client lookup as a Pulumi resource.

Use the resource when the lookup should be part of the stack: it is listed once per
``pulumi up``, refreshed by ``pulumi refresh``, shows an update in ``pulumi preview`` when the
fleet changed, and its outputs feed other resources. For a value inside the program at
preview time, use :func:`~pulumi_hbr_clients.get_backup_clients_output` instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pulumi

from hbr_clients_provider.adapters.dynamic import RESOURCE_INPUTS, BackupClientsProvider
from hbr_clients_provider.adapters.outputs import (
    HIDDEN_DIFFS,
    OUTPUT_NAMES,
    SECRET_OUTPUTS,
    decode_clients,
)

__all__ = ["BackupClients", "BackupClientsInputError"]


class BackupClientsInputError(pulumi.RunError):
    """An input of ``BackupClients`` holds ``None`` inside a map or a list.

    Raised as a ``pulumi.RunError``, so Pulumi reports the message without a traceback.
    Sending the inputs to the engine drops a ``None`` map value (``tags={"env": None}``
    would arrive as ``tags: {}`` and match every client), so it is refused before they are
    sent, as :func:`~pulumi_hbr_clients.get_backup_clients` refuses it. ``paths`` names each
    such value (``tags.env``, ``client_ids[2]``).
    """

    def __init__(self, resource_name: str, paths: Sequence[str]) -> None:
        self.resource_name = resource_name
        self.paths = tuple(paths)
        named = ", ".join(self.paths)
        super().__init__(
            f"BackupClients {resource_name!r}: {named}: must not be None (a None inside a map "
            "or a list would be dropped when the inputs are sent, which widens the query); "
            "give it a value or leave the entry out"
        )


def _none_paths(value: Any, path: str) -> Iterator[str]:
    """The paths of the ``None`` values inside the maps and lists of ``value``."""
    if isinstance(value, Mapping):
        items: Iterator[tuple[str, Any]] = ((f"{path}.{k}", v) for k, v in value.items())
    elif isinstance(value, list | tuple):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return
    for inner, item in items:
        if item is None:
            yield inner
        else:
            yield from _none_paths(item, inner)


def _holds_awaitable(value: Any) -> bool:
    """Whether ``value`` is, or holds, a value known later (an ``Output`` or awaitable)."""
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        return True
    if isinstance(value, Mapping):
        return any(_holds_awaitable(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_awaitable(v) for v in value)
    return False


def _known_none_paths(arguments: Mapping[str, Any]) -> list[str]:
    """The paths of the ``None`` values inside the inputs that are known now."""
    return [
        path
        for name, value in arguments.items()
        if not _holds_awaitable(value)
        for path in _none_paths(value, name)
    ]


def _checked_later(resource_name: str, name: str, value: Any) -> Any:
    """``value``; one that holds Outputs is checked for ``None`` as soon as they resolve.

    :raises BackupClientsInputError: (in the Output) when it holds ``None`` in a map or list.
    """
    if not _holds_awaitable(value):
        return value

    def check(known: Any) -> Any:
        paths = list(_none_paths(known, name))
        if paths:
            raise BackupClientsInputError(resource_name, paths)
        return known

    return pulumi.Output.from_input(value).apply(check)


class BackupClients(pulumi.dynamic.Resource, module="hbr", name="BackupClients"):
    """HBR backup clients matching a query, looked up with ``DescribeBackupClients``.

    Every argument accepts a ``pulumi.Input``, so outputs of other resources can drive the
    query. The connection comes from the arguments ``region``/``endpoint``/``protocol``,
    else stack config (``alicloud:region``, ``alicloud:accessKey``, ``alicloud:secretKey``,
    ``alicloud:securityToken``, ``alicloud:profile``, each overridden by its ``hbr:`` twin such
    as ``hbr:region``; ``hbr:endpoint``, ``hbr:protocol``), else the environment and the
    standard Alibaba Cloud credential chain. Credentials are never inputs and never reach the
    state.

    The proxy passwords of clients with a custom proxy are only in ``proxy_passwords``,
    which is secret; in ``clients`` they read ``"******"``.

    The state keeps the clients as one JSON document, ``clients_json`` (one value for the
    engine to move rather than about 40 per client); ``clients`` is that document decoded,
    and exporting ``clients`` exports the list.
    """

    client_ids: pulumi.Output[list[str]]
    """The client IDs, in the API's order."""
    instance_ids: pulumi.Output[list[str]]
    """The instance IDs of the clients that have one, in the API's order."""
    clients: pulumi.Output[list[dict[str, Any]]]
    """Every client as a snake_case dict with nested ``settings`` and ``tags``."""
    clients_json: pulumi.Output[str]
    """``clients`` as one compact JSON document: the form the state keeps them in."""
    total_count: pulumi.Output[int]
    """How many clients matched, after the client-side filters."""
    api_total_count: pulumi.Output[int]
    """The API's ``TotalCount`` (before client-side filters)."""
    instance_client_map: pulumi.Output[dict[str, str]]
    """Instance ID -> client ID."""
    proxy_passwords: pulumi.Output[dict[str, str]]
    """Client ID -> custom proxy password (secret)."""
    fingerprint: pulumi.Output[str]
    """SHA-256 of the fleet's content; changes when the fleet changes."""
    last_change: pulumi.Output[dict[str, list[str]]]
    """``{"added": [...], "removed": [...], "changed": [...]}``: the client IDs that moved
    the last time this lookup saw its fleet change (all empty until then)."""
    query: pulumi.Output[dict[str, Any]]
    """The inputs this listing was made from."""

    def __init__(
        self,
        resource_name: str,
        *,
        client_type: pulumi.Input[str],
        cluster_id: pulumi.Input[str] | None = None,
        client_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        instance_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        cross_account_type: pulumi.Input[str] | None = None,
        cross_account_user_id: pulumi.Input[int] | None = None,
        cross_account_role_name: pulumi.Input[str] | None = None,
        filters: pulumi.Input[Mapping[str, pulumi.Input[Sequence[str]]]] | None = None,
        statuses: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        backup_statuses: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        name_regex: pulumi.Input[str] | None = None,
        outdated_only: pulumi.Input[bool] | None = None,
        heartbeat_older_than: pulumi.Input[str] | None = None,
        include_volatile: pulumi.Input[bool] | None = None,
        region: pulumi.Input[str] | None = None,
        endpoint: pulumi.Input[str] | None = None,
        protocol: pulumi.Input[str] | None = None,
        ca_bundle: pulumi.Input[str] | None = None,
        max_clients: pulumi.Input[int] | None = None,
        deadline: pulumi.Input[float] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the lookup.

        :param client_type: ``ECS_CLIENT``, ``CONTAINER_CLIENT`` or ``LOCAL_CLIENT``.
        :param cluster_id: container cluster, for ``CONTAINER_CLIENT``.
        :param client_ids: HBR client IDs (``c-...``); long lists are split into several calls.
        :param instance_ids: ECS instance IDs (``i-...``).
        :param tags: ``{key: value}``; a client must carry all of them (1 to 20).
        :param cross_account_type: ``SELF_ACCOUNT`` or ``CROSS_ACCOUNT``.
        :param cross_account_user_id: UID of the account that authorised this one.
        :param cross_account_role_name: RAM role in that account, e.g. ``hbrcrossrole``.
        :param filters: ``{key: [values]}``, passed to the API's ``Filters``.
        :param statuses: keep clients in these statuses (client-side).
        :param backup_statuses: keep ``PROTECTED`` and/or ``UNPROTECTED`` clients (client-side).
        :param name_regex: keep clients whose instance name or hostname matches this RE2
            pattern (client-side; linear time, no backreferences or lookaround).
        :param outdated_only: keep clients older than their ``max_client_version``.
        :param heartbeat_older_than: keep clients silent for longer than this (``15m``, ``2h``).
        :param include_volatile: count heartbeat and update times as fleet changes.
        :param region: region, overriding ``hbr:region`` and ``alicloud:region``.
        :param endpoint: ``host[:port]``, overriding ``hbr:endpoint`` and ``HBR_ENDPOINT``.
        :param protocol: ``https`` or ``http``, overriding ``hbr:protocol``.
        :param ca_bundle: PEM file (or directory) of the CAs to trust, overriding
            ``hbr:caBundle``, ``REQUESTS_CA_BUNDLE`` and the default (``certifi``).
        :param max_clients: refuse a ``TotalCount`` above this before page 2 (default
            ``hbr:maxClients`` or 1,000,000).
        :param deadline: seconds the whole listing may take, retries included (default
            ``hbr:deadline`` or 300).
        :param opts: resource options; ``additional_secret_outputs`` always has
            ``proxy_passwords``, and ``hide_diffs`` has the outputs that restate the fleet
            (``clients_json``, ``client_ids``, ``instance_ids``, ``instance_client_map``) and
            ``query``:
            ``--diff`` shows ``last_change``, ``total_count`` and ``fingerprint`` instead.
        :raises BackupClientsInputError: when an input holds ``None`` inside a map or a list
            (when the input is an ``Output``, as soon as it resolves).
        """
        arguments = locals()  # single-page inputs (page_number, page_size) are not offered
        given = {n: arguments[n] for n in RESOURCE_INPUTS if n in arguments}
        dropped = _known_none_paths(given)
        if dropped:
            raise BackupClientsInputError(resource_name, dropped)
        props = {n: _checked_later(resource_name, n, v) for n, v in given.items()}
        for name in OUTPUT_NAMES:  # client_ids and instance_ids are inputs and outputs
            props.setdefault(name, None)
        secrets = pulumi.ResourceOptions(
            additional_secret_outputs=list(SECRET_OUTPUTS), hide_diffs=list(HIDDEN_DIFFS)
        )
        super().__init__(
            BackupClientsProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(secrets, opts),
        )
        self.clients = self.clients_json.apply(decode_clients)
