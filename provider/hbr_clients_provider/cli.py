"""The ``hbr-clients`` command line.

``hbr-clients list --client-type ECS_CLIENT [--instance-id ID]... [--tag KEY=VALUE]...
[--status S]... [--format table|json|csv] [--show-secrets]`` lists backup clients.

``hbr-clients audit --client-type ECS_CLIENT [query flags] [--require-activated]
[--require-protected] [--require-latest] [--require-https-proxy] [--max-heartbeat-age 2h]
[--expect-instance ID...]... [--format table|json|markdown]`` lists the same clients and
audits them (see :mod:`hbr_clients_provider.audit`).

Exit codes: 0 success (for ``audit``: no findings); 1 ``audit`` found something; 2 invalid
input (the message names the field, nothing is sent); 3 API, credential or network failure
(the message carries the error code and request ID, never a traceback).

The query, connection and output flags are defined by reusable functions
(:func:`add_query_arguments`, :func:`query_from_args`, :func:`add_connection_arguments`,
:func:`connection_from_args`, :func:`add_output_arguments`) so later subcommands (``audit``)
accept the same flags; subcommands register themselves in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from hbr_clients_provider.audit import AuditRules, audit
from hbr_clients_provider.audit_render import FORMATS as AUDIT_FORMATS
from hbr_clients_provider.audit_render import render_audit
from hbr_clients_provider.connection import NETWORKS, PROTOCOLS, ConnectionSettings
from hbr_clients_provider.constants import CLIENT_TYPES, CROSS_ACCOUNT_TYPES
from hbr_clients_provider.errors import ApiError, HbrError, InvalidQuery, Violation
from hbr_clients_provider.models import ClientListing
from hbr_clients_provider.package import package_version
from hbr_clients_provider.paging import list_clients
from hbr_clients_provider.query import ClientQuery
from hbr_clients_provider.retry import RetryPolicy

__all__ = [
    "COMMANDS",
    "EXIT_FAILURE",
    "EXIT_FINDINGS",
    "EXIT_INVALID",
    "EXIT_OK",
    "add_audit_arguments",
    "add_connection_arguments",
    "add_output_arguments",
    "add_query_arguments",
    "audit_inputs_from_args",
    "build_parser",
    "connection_from_args",
    "main",
    "query_from_args",
    "render",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2
EXIT_FAILURE = 3

#: Progress is shown only for listings of at least this many pages.
_PROGRESS_MIN_PAGES = 5


def add_query_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``ClientQuery`` flags (server-side conditions and client-side filters)."""
    group = parser.add_argument_group("query")
    group.add_argument("--client-type", help=f"one of {', '.join(CLIENT_TYPES)} (required)")
    group.add_argument("--instance-id", action="append", dest="instance_ids", metavar="ID")
    group.add_argument("--client-id", action="append", dest="client_ids", metavar="ID")
    group.add_argument("--tag", action="append", dest="tags", metavar="KEY=VALUE")
    group.add_argument("--cluster-id")
    group.add_argument("--cross-account-type", help=", ".join(CROSS_ACCOUNT_TYPES))
    group.add_argument("--cross-account-user-id", metavar="UID")
    group.add_argument("--cross-account-role-name", metavar="ROLE")
    group.add_argument("--filter", action="append", dest="filters", metavar="KEY=VALUE[,VALUE]...")
    group.add_argument("--page-number", metavar="N", help="fetch only this page")
    group.add_argument("--page-size", metavar="N", help="page size (1-99) of a single page")
    filters = parser.add_argument_group("client-side filters")
    filters.add_argument("--status", action="append", dest="statuses", metavar="STATUS")
    filters.add_argument(
        "--backup-status", action="append", dest="backup_statuses", metavar="STATUS"
    )
    filters.add_argument("--name-regex", metavar="REGEX")
    filters.add_argument("--outdated-only", action="store_true", default=None)
    filters.add_argument("--heartbeat-older-than", metavar="DURATION", help="e.g. 15m, 2h, 1d")


def _filters(values: Sequence[str] | None) -> list[dict[str, Any]] | None:
    if not values:
        return None
    merged: dict[str, list[str]] = {}
    for item in values:
        key, _, rest = item.partition("=")
        merged.setdefault(key, []).extend(v for v in rest.split(",") if v)
    return [{"key": k, "values": v} for k, v in merged.items()]


def query_inputs_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Return the query flags as :meth:`ClientQuery.from_inputs` inputs (unset ones left out)."""
    tags = None
    if args.tags:
        tags = [item if "=" in item else f"{item}=" for item in args.tags]
    inputs = {
        "client_type": args.client_type,
        "instance_ids": args.instance_ids,
        "client_ids": args.client_ids,
        "tags": tags,
        "cluster_id": args.cluster_id,
        "cross_account_type": args.cross_account_type,
        "cross_account_user_id": args.cross_account_user_id,
        "cross_account_role_name": args.cross_account_role_name,
        "filters": _filters(args.filters),
        "page_number": args.page_number,
        "page_size": args.page_size,
        "statuses": args.statuses,
        "backup_statuses": args.backup_statuses,
        "name_regex": args.name_regex,
        "outdated_only": args.outdated_only,
        "heartbeat_older_than": args.heartbeat_older_than,
    }
    return {k: v for k, v in inputs.items() if v is not None}


def query_from_args(args: argparse.Namespace) -> ClientQuery:
    """Build the validated query from parsed flags; raises :class:`InvalidQuery`."""
    return ClientQuery.from_inputs(query_inputs_from_args(args))


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """Add endpoint, region, protocol, profile, timeout and concurrency flags."""
    group = parser.add_argument_group("connection")
    group.add_argument("--region", help="default: ALIBABA_CLOUD_REGION_ID")
    group.add_argument("--endpoint", metavar="HOST[:PORT]", help="default: HBR_ENDPOINT")
    group.add_argument("--protocol", choices=PROTOCOLS, help="default: HBR_PROTOCOL or https")
    group.add_argument("--network", choices=NETWORKS, default=None)
    group.add_argument("--profile", help="credentials profile (default: the standard chain)")
    group.add_argument("--connect-timeout", type=float, default=5.0, metavar="SECONDS")
    group.add_argument("--read-timeout", type=float, default=10.0, metavar="SECONDS")
    group.add_argument("--concurrency", type=int, default=None, metavar="N")
    group.add_argument(
        "--max-attempts", type=int, default=None, metavar="N", help="attempts per request (8)"
    )


def connection_from_args(args: argparse.Namespace) -> ConnectionSettings:
    """Resolve :class:`ConnectionSettings` from flags, the environment and the chain."""
    return ConnectionSettings.resolve(
        endpoint=args.endpoint,
        region=args.region,
        protocol=args.protocol,
        network=args.network,
        profile=args.profile,
        connect_timeout_s=args.connect_timeout,
        read_timeout_s=args.read_timeout,
    )


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--format`` and ``--show-secrets``."""
    group = parser.add_argument_group("output")
    group.add_argument("--format", choices=("table", "json", "csv"), default="table")
    group.add_argument(
        "--show-secrets", action="store_true", help="print proxy passwords instead of ******"
    )


_TABLE_COLUMNS = (
    "client_id",
    "instance_id",
    "hostname",
    "status",
    "backup_status",
    "client_version",
    "outdated",
)


def _flat_row(item: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in item.items() if k not in ("tags", "settings")}
    row["tags"] = ";".join(f"{t['key']}={t['value']}" for t in item["tags"])
    for key, value in item["settings"].items():
        row[f"settings.{key}"] = value
    return row


def render(listing: ClientListing, fmt: str, *, show_secrets: bool = False) -> str:
    """Render a listing as ``table``, ``json`` (array of snake_case clients) or ``csv``."""
    items = listing.to_dicts(reveal_secrets=show_secrets)
    if fmt == "json":
        return json.dumps(items, indent=2, sort_keys=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        rows = [_flat_row(item) for item in items]
        names = list(rows[0]) if rows else ["client_id"]
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    table = [list(_TABLE_COLUMNS)]
    for client, item in zip(listing.clients, items, strict=True):
        values = {**item, "outdated": "yes" if client.is_outdated else ""}
        table.append(["" if values[c] is None else str(values[c]) for c in _TABLE_COLUMNS])
    widths = [max(len(row[i]) for row in table) for i in range(len(_TABLE_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.append(f"{listing.total_count} client(s)")
    return "\n".join(lines) + "\n"


def _progress_printer(stream: TextIO) -> Callable[[int, int], None] | None:
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total >= _PROGRESS_MIN_PAGES:
            end = "\n" if done >= total else ""
            stream.write(f"\rlisting backup clients: {done}/{total} pages{end}")
            stream.flush()

    return show


def _fail(code: int, message: str) -> int:
    sys.stderr.write(f"hbr-clients: error: {message}\n")
    return code


def _fetch_listing(
    args: argparse.Namespace, *, violations: Sequence[Violation] = ()
) -> ClientListing | int:
    """List the clients the query flags select, or print the error and return its exit code.

    ``violations`` found by the caller in its own flags are reported together with the
    query's, and stop the command before anything is sent.
    """
    found = list(violations)
    query: ClientQuery | None = None
    try:
        query = query_from_args(args)
    except InvalidQuery as exc:
        found[:0] = exc.violations
    if found or query is None:
        details = "\n".join(f"  {v.field}: {v.rule}" for v in found)
        return _fail(EXIT_INVALID, f"invalid input:\n{details}")
    try:
        connection = connection_from_args(args)
        listing = list_clients(
            query,
            connection=connection,
            concurrency=args.concurrency,
            retry=RetryPolicy(max_attempts=max(1, args.max_attempts))
            if args.max_attempts is not None
            else None,
            progress=_progress_printer(sys.stderr),
        )
    except ApiError as exc:
        hint = f"\n  recommend: {exc.recommend}" if exc.recommend else ""
        return _fail(EXIT_FAILURE, f"{exc}{hint}")
    except HbrError as exc:
        return _fail(EXIT_FAILURE, str(exc))
    except ValueError as exc:
        return _fail(EXIT_INVALID, str(exc))
    return listing


def _run_list(args: argparse.Namespace) -> int:
    listing = _fetch_listing(args)
    if isinstance(listing, int):
        return listing
    sys.stdout.write(render(listing, args.format, show_secrets=args.show_secrets))
    return EXIT_OK


#: Subcommands: name -> (help, add-arguments function, run function).
COMMANDS: dict[
    str,
    tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]],
] = {}


def _add_list_arguments(parser: argparse.ArgumentParser) -> None:
    add_query_arguments(parser)
    add_connection_arguments(parser)
    add_output_arguments(parser)


COMMANDS["list"] = ("list HBR backup clients", _add_list_arguments, _run_list)


def add_audit_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the audit rule flags and the audit's ``--format``."""
    group = parser.add_argument_group("audit rules (each is off unless given)")
    group.add_argument(
        "--require-activated",
        action="store_true",
        help="flag clients whose status is not ACTIVATED",
    )
    group.add_argument(
        "--require-protected", action="store_true", help="flag clients that are UNPROTECTED"
    )
    group.add_argument(
        "--require-latest", action="store_true", help="flag clients older than MaxClientVersion"
    )
    group.add_argument(
        "--require-https-proxy",
        action="store_true",
        help="flag clients that use a CUSTOM data proxy without HTTPS",
    )
    group.add_argument(
        "--max-heartbeat-age",
        metavar="DURATION",
        help="flag clients whose last heartbeat is older, e.g. 15m, 2h, 1d",
    )
    group.add_argument(
        "--expect-instance",
        action="extend",
        nargs="+",
        dest="expected_instance_ids",
        metavar="ID",
        help="an instance that must have a client (repeatable, or several values)",
    )
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=AUDIT_FORMATS, default="table")


def audit_inputs_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Return the rule flags as :meth:`AuditRules.from_inputs` inputs."""
    return {
        "require_activated": args.require_activated,
        "require_protected": args.require_protected,
        "require_latest": args.require_latest,
        "require_https_proxy": args.require_https_proxy,
        "max_heartbeat_age": args.max_heartbeat_age,
        "expected_instance_ids": args.expected_instance_ids,
    }


def _run_audit(args: argparse.Namespace) -> int:
    rules: AuditRules | None = None
    violations: tuple[Violation, ...] = ()
    try:
        rules = AuditRules.from_inputs(audit_inputs_from_args(args))
    except InvalidQuery as exc:
        violations = exc.violations
    listing = _fetch_listing(args, violations=violations)
    if isinstance(listing, int):
        return listing
    if rules is None:  # pragma: no cover - _fetch_listing has reported the violations
        return EXIT_INVALID
    report = audit(listing.clients, rules=rules)
    sys.stdout.write(render_audit(report, args.format))
    return EXIT_OK if report.passed else EXIT_FINDINGS


def _add_audit_command_arguments(parser: argparse.ArgumentParser) -> None:
    add_query_arguments(parser)
    add_connection_arguments(parser)
    add_audit_arguments(parser)


COMMANDS["audit"] = (
    "audit HBR backup clients against rules (exit 1 on findings)",
    _add_audit_command_arguments,
    _run_audit,
)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``hbr-clients`` parser with one subparser per entry of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="hbr-clients", description="Look up Alibaba Cloud HBR backup clients."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        child = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(child)
        child.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``hbr-clients``; return the exit code (0 ok, 1 findings, 2 invalid input, 3 failure)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse reports usage errors with exit status 2
        return int(exc.code) if isinstance(exc.code, int) else EXIT_INVALID
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except KeyboardInterrupt:
        return _fail(130, "interrupted")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
