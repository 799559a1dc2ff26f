"""The ``hbr-clients`` command line.

``hbr-clients list --client-type ECS_CLIENT [--instance-id ID]... [--tag KEY=VALUE]...
[--status S]... [--format table|json|csv] [--show-secrets]`` lists backup clients.

``hbr-clients audit --client-type ECS_CLIENT [query flags] [--require-activated]
[--require-protected] [--require-latest] [--require-https-proxy] [--max-heartbeat-age 2h]
[--expect-instance ID...]... [--format table|json|markdown]`` lists the same clients and
audits them (see :mod:`hbr_clients_provider.audit.rules`).

``hbr-clients policy-pack init DIR [--enforcement-level LEVEL] [--virtualenv PATH]`` writes a
ready HBR policy pack (:mod:`hbr_clients_provider.policy_pack`).

``hbr-clients audit --regions all|A,B [--require-client] [--accounts all|IDs] [...]
[--format table|json|junit|github|markdown|html] [--report FORMAT=PATH]...
[--suppressions FILE] [--baseline PREVIOUS.json]`` audits the estate (every ECS instance in
scope, :mod:`hbr_clients_provider.audit.estate`) and reports it through
:mod:`hbr_clients_provider.reports`: ``--format`` is printed, each ``--report`` is written from
the same listing; suppressions and the baseline decide which findings the gate counts. Every
``--report`` path and both files are checked before anything is sent. On a terminal (and
``CI`` unset) stderr shows the targets listed so far.

Exit codes: 0 success (for ``audit``: the gate passed); 1 ``audit``'s gate failed: more findings
than ``--max-findings`` (default 0), or nothing to audit (no client matched, no instance
expected) without ``--allow-empty`` (:mod:`hbr_clients_provider.audit.gate`); 2 invalid
input (the message names the flag, the value given and the rule, and suggests the closest
valid value; nothing is sent); 3 API, credential or network failure, a ``TotalCount`` above
``--max-clients`` or a listing past its ``--deadline`` (the message carries the error code
and request ID, or the bound and how to change it; never a traceback).

Output is streamed: the listing is checked complete and consistent first, then each client
(or finding) is rendered and written one at a time, so printing 100,000 clients does not
hold them all as text at once.

What the server sent reaches the terminal only through :mod:`hbr_clients_provider.display`:
the table and every message on stderr show control characters as escapes (``\x1b``), a
table cell is at most :data:`~hbr_clients_provider.display.MAX_CELL_CHARS` characters (a
cut is said once, under the table), CSV cells are quoted and a cell that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``) starts with ``'``. JSON is exact.

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
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from hbr_clients_provider import policy_pack
from hbr_clients_provider.api.coerce import coerce_inputs
from hbr_clients_provider.api.connection import NETWORKS, PROTOCOLS, ConnectionSettings
from hbr_clients_provider.api.constants import CLIENT_TYPES, CROSS_ACCOUNT_TYPES
from hbr_clients_provider.api.instances import IN_SCOPE_STATUSES
from hbr_clients_provider.api.limits import (
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_CLIENTS,
    NUMBER_RANGES,
    ListingLimits,
)
from hbr_clients_provider.api.models import BackupClient, ClientListing, ClientSettings
from hbr_clients_provider.api.paging import DEFAULT_CONCURRENCY, list_clients
from hbr_clients_provider.api.query import ClientQuery
from hbr_clients_provider.api.retry import RetryPolicy
from hbr_clients_provider.api.sts_api import valid_role_name
from hbr_clients_provider.audit.accounts import DEFAULT_ROLE_NAME
from hbr_clients_provider.audit.coverage import InstanceScope, TargetListing
from hbr_clients_provider.audit.estate import (
    DISCOVERY_REGION,
    audit_estate,
    parse_accounts,
    parse_regions,
)
from hbr_clients_provider.audit.gate import (
    CLI_NAMES,
    DEFAULT_MAX_FINDINGS,
    PYTHON_NAMES,
    Gate,
    judge,
)
from hbr_clients_provider.audit.render import FORMATS as AUDIT_FORMATS
from hbr_clients_provider.audit.render import failure_message, write_audit
from hbr_clients_provider.audit.rules import AuditRules, audit
from hbr_clients_provider.display import csv_cell, cut_note, fit, is_cut, terminal_text
from hbr_clients_provider.errors import ApiError, HbrError, InvalidQuery, Violation
from hbr_clients_provider.package import package_version
from hbr_clients_provider.reports.names import PRINT_FORMATS

if TYPE_CHECKING:  # the estate audit's reports are imported when an estate audit runs
    from hbr_clients_provider.reports.baseline import Baseline
    from hbr_clients_provider.reports.model import EstateReport, QueryInfo
    from hbr_clients_provider.reports.outputs import ReportRequest
    from hbr_clients_provider.reports.suppressions import Suppression

__all__ = [
    "COMMANDS",
    "CSV_COLUMNS",
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
    "write_listing",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2
EXIT_FAILURE = 3
#: The reader closed stdout early: 128 + SIGPIPE, what a shell reports for such a tool.
EXIT_BROKEN_PIPE = 141

#: Progress is shown only for listings of at least this many pages.
_PROGRESS_MIN_PAGES = 5

#: The field of one ``--tag`` (``tags[0]``), as a violation names it.
_TAG_ITEM = re.compile(r"tags\[\d+\]")

#: Flags whose names are not the input's name with dashes.
_FLAGS: Mapping[str, str] = {
    "instance_ids": "--instance-id",
    "client_ids": "--client-id",
    "tags": "--tag",
    "filters": "--filter",
    "statuses": "--status",
    "backup_statuses": "--backup-status",
    "expected_instance_ids": "--expect-instance",
    "instance_tags": "--instance-tag",
    "instance_statuses": "--instance-status",
    "allow_unreachable": "--allow-unreachable",
    "HBR_CONNECT_TO": "HBR_CONNECT_TO",
}


def flag_for(field: str) -> str:
    """The flag a violation's field came from: ``tags[0].key`` -> ``--tag #1 key``."""
    match = re.fullmatch(r"([a-z_]+)(?:\[(\d+)\])?(?:\.(.+))?", field)
    if match is None:
        return field
    top, index, rest = match.groups()
    label = _FLAGS.get(top, "--" + top.replace("_", "-"))
    if index is not None:
        label += f" #{int(index) + 1}"
    if rest:
        label += f" {rest}"
    return label


def add_query_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``ClientQuery`` flags (server-side conditions and client-side filters)."""
    group = parser.add_argument_group("query")
    group.add_argument("--client-type", help=f"one of {', '.join(CLIENT_TYPES)} (required)")
    group.add_argument("--instance-id", action="append", dest="instance_ids", metavar="ID")
    group.add_argument("--client-id", action="append", dest="client_ids", metavar="ID")
    group.add_argument("--tag", action="append", dest="tags", metavar="KEY=VALUE")
    group.add_argument("--cluster-id")
    group.add_argument("--cross-account-type", help=", ".join(CROSS_ACCOUNT_TYPES))
    group.add_argument("--cross-account-user-id", metavar="UID", help="ASCII digits")
    group.add_argument("--cross-account-role-name", metavar="ROLE")
    group.add_argument("--filter", action="append", dest="filters", metavar="KEY=VALUE[,VALUE]...")
    group.add_argument("--page-number", metavar="N", help="fetch only this page (1-2147483647)")
    group.add_argument("--page-size", metavar="N", help="page size (1-99) of a single page")
    filters = parser.add_argument_group("client-side filters")
    filters.add_argument("--status", action="append", dest="statuses", metavar="STATUS")
    filters.add_argument(
        "--backup-status", action="append", dest="backup_statuses", metavar="STATUS"
    )
    filters.add_argument(
        "--name-regex",
        metavar="REGEX",
        help="instance name or hostname matches this RE2 pattern (linear time: it cannot "
        "hang; no backreferences or lookaround)",
    )
    filters.add_argument("--outdated-only", action="store_true", default=None)
    filters.add_argument(
        "--heartbeat-older-than", metavar="DURATION", help="e.g. 15m, 2h, 1d (at most 3650d)"
    )


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
    inputs = {
        "client_type": args.client_type,
        "instance_ids": args.instance_ids,
        "client_ids": args.client_ids,
        "tags": args.tags,
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
    """Add endpoint, region, protocol, profile, timeout, concurrency and bound flags."""
    group = parser.add_argument_group("connection")
    group.add_argument("--region", help="default: ALIBABA_CLOUD_REGION_ID")
    group.add_argument("--endpoint", metavar="HOST[:PORT]", help="default: HBR_ENDPOINT")
    group.add_argument("--protocol", choices=PROTOCOLS, help="default: HBR_PROTOCOL or https")
    group.add_argument("--network", choices=NETWORKS, default=None)
    group.add_argument(
        "--connect-to",
        metavar="HOST:PORT",
        help="send every request's connection to HOST:PORT, keeping its real Host (curl's "
        "--connect-to; default: HBR_CONNECT_TO)",
    )
    group.add_argument("--profile", help="credentials profile (default: the standard chain)")
    group.add_argument(
        "--ca-bundle",
        metavar="PEM",
        help="trust the CAs in this PEM file (or directory) instead of the default ones "
        "(default: REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR, certifi); "
        "proxies come from HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and NO_PROXY",
    )
    group.add_argument(
        "--connect-timeout", metavar="SECONDS", help="per connection, 0.01-3600 (default 5)"
    )
    group.add_argument(
        "--read-timeout", metavar="SECONDS", help="per response, 0.01-3600 (default 10)"
    )
    group.add_argument(
        "--concurrency",
        metavar="N",
        help=f"pages requested at once, 1-64 (default {DEFAULT_CONCURRENCY})",
    )
    group.add_argument("--max-attempts", metavar="N", help="attempts per request, 1-100 (8)")
    bounds = parser.add_argument_group("bounds of one listing")
    bounds.add_argument(
        "--max-clients",
        metavar="N",
        help="refuse a TotalCount above N before fetching page 2, 1-2147483647 "
        f"(default {DEFAULT_MAX_CLIENTS:,})",
    )
    bounds.add_argument(
        "--deadline",
        metavar="SECONDS",
        help="the whole listing, retries included, must finish within this, 0.1-86400 "
        f"(default {DEFAULT_DEADLINE_S:g})",
    )


def numbers_from_args(args: argparse.Namespace) -> tuple[dict[str, Any], list[Violation]]:
    """Check the numeric flags that are set against their ranges; return values, violations."""
    given = {name: getattr(args, name, None) for name in NUMBER_RANGES}
    values, violations, _ = coerce_inputs(given, NUMBER_RANGES)
    return values, violations


def connection_from_args(args: argparse.Namespace) -> ConnectionSettings:
    """Resolve :class:`ConnectionSettings` from flags, the environment and the chain.

    The numeric flags must have been checked (:func:`numbers_from_args`).
    """
    numbers, _ = numbers_from_args(args)
    return ConnectionSettings.resolve(
        endpoint=args.endpoint,
        region=args.region,
        protocol=args.protocol,
        network=args.network,
        profile=args.profile,
        connect_timeout_s=numbers.get("connect_timeout", 5.0),
        read_timeout_s=numbers.get("read_timeout", 10.0),
        ca_bundle=args.ca_bundle,
        connect_to=args.connect_to,
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


#: The CSV columns, the same for every listing (an empty one too): the client's fields,
#: ``tags`` as ``KEY=VALUE;...``, then one ``settings.<name>`` column per setting.
CSV_COLUMNS: tuple[str, ...] = (
    *(f.name for f in attrs.fields(BackupClient) if f.name not in ("tags", "settings")),
    "tags",
    *(f"settings.{f.name}" for f in attrs.fields(ClientSettings)),
)


def _flat_row(item: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in item.items() if k not in ("tags", "settings")}
    row["tags"] = ";".join(f"{t['key']}={t['value']}" for t in item["tags"])
    for key, value in item["settings"].items():
        row[f"settings.{key}"] = value
    return row


def _csv_row(item: dict[str, Any]) -> dict[str, Any]:
    """The flat row with every text cell made safe (:func:`~hbr_clients_provider.display.csv_cell`).

    Numbers and booleans are written as they are: they cannot hold a formula.
    """
    return {k: csv_cell(v) if isinstance(v, str) else v for k, v in _flat_row(item).items()}


def _raw_cells(client: BackupClient) -> list[str]:
    values = {name: getattr(client, name, None) for name in _TABLE_COLUMNS}
    values["outdated"] = "yes" if client.is_outdated else ""
    return ["" if values[c] is None else str(values[c]) for c in _TABLE_COLUMNS]


def _table_cells(client: BackupClient) -> list[str]:
    """The table row of ``client``: terminal-safe cells of at most ``MAX_CELL_CHARS``."""
    return [fit(cell) for cell in _raw_cells(client)]


def _json_chunks(listing: ClientListing, show_secrets: bool) -> Iterator[str]:
    """``json.dumps(listing.to_dicts(), indent=2)``, one client at a time."""
    if not listing.clients:
        yield "[]\n"
        return
    yield "[\n"
    last = len(listing.clients) - 1
    for index, client in enumerate(listing.clients):
        text = json.dumps(client.to_dict(reveal_secrets=show_secrets), indent=2)
        yield f"  {text.replace(chr(10), chr(10) + '  ')}{',' if index < last else ''}\n"
    yield "]\n"


def _csv_chunks(listing: ClientListing, show_secrets: bool) -> Iterator[str]:
    """The header of :data:`CSV_COLUMNS`, then a row per client; every cell quoted (OWASP)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_COLUMNS, lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    yield buffer.getvalue()
    for client in listing.clients:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_csv_row(client.to_dict(reveal_secrets=show_secrets)))
        yield buffer.getvalue()


def _table_chunks(listing: ClientListing) -> Iterator[str]:
    """Aligned columns in two passes over the clients (widths, then rows), no list of rows.

    A cell is at most ``MAX_CELL_CHARS`` wide, so one huge value cannot widen every row;
    when one was cut, the last line says so.
    """
    widths = [len(c) for c in _TABLE_COLUMNS]
    cut = False
    for client in listing.clients:
        widths = [max(w, len(c)) for w, c in zip(widths, _table_cells(client), strict=True)]
        cut = cut or any(is_cut(cell) for cell in _raw_cells(client))
    rows = (list(_TABLE_COLUMNS), *(_table_cells(c) for c in listing.clients))
    for row in rows:
        yield "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
    yield f"{listing.total_count} client(s)\n"
    if cut:
        yield cut_note(full_values="use --format json for full values") + "\n"


def listing_chunks(
    listing: ClientListing, fmt: str, *, show_secrets: bool = False
) -> Iterator[str]:
    """Yield a listing rendered as ``table``, ``json`` (array of snake_case clients) or ``csv``."""
    if fmt == "json":
        return _json_chunks(listing, show_secrets)
    if fmt == "csv":
        return _csv_chunks(listing, show_secrets)
    return _table_chunks(listing)


def write_listing(
    listing: ClientListing, fmt: str, stream: TextIO, *, show_secrets: bool = False
) -> None:
    """Write a listing to ``stream`` client by client (see :func:`listing_chunks`)."""
    for chunk in listing_chunks(listing, fmt, show_secrets=show_secrets):
        stream.write(chunk)


def render(listing: ClientListing, fmt: str, *, show_secrets: bool = False) -> str:
    """Render a listing as ``table``, ``json`` (array of snake_case clients) or ``csv``."""
    return "".join(listing_chunks(listing, fmt, show_secrets=show_secrets))


def _progress_printer(stream: TextIO) -> Callable[[int, int], None] | None:
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total >= _PROGRESS_MIN_PAGES:
            end = "\n" if done >= total else ""
            stream.write(f"\rlisting backup clients: {done}/{total} pages{end}")
            stream.flush()

    return show


def _say(message: str) -> None:
    """Write ``hbr-clients: <message>`` to stderr, control characters shown as escapes.

    Messages quote what servers sent (an API error's message, a body's first bytes), so
    this is the one way text reaches stderr.
    """
    sys.stderr.write(f"hbr-clients: {terminal_text(message, keep_newlines=True)}\n")


def _fail(code: int, message: str) -> int:
    _say(f"error: {message}")
    return code


def _fail_invalid(violations: Sequence[Violation]) -> int:
    """Print every violation, each naming its flag (or environment variable); exit 2."""
    lines = []
    for given in violations:
        shown = given
        if _TAG_ITEM.fullmatch(given.field) and isinstance(given.value, str):
            # A command-line tag is a string: the mapping form is for Pulumi inputs only.
            shown = attrs.evolve(given, rule="must be KEY=VALUE")
        field = given.field
        lines.append(f"  {shown.render(field if field.isupper() else flag_for(field))}")
    return _fail(EXIT_INVALID, "invalid input (nothing was sent):\n" + "\n".join(lines))


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
    numbers, bad_numbers = numbers_from_args(args)
    found.extend(bad_numbers)
    if found or query is None:
        return _fail_invalid(found)
    attempts = numbers.get("max_attempts")
    try:
        connection = connection_from_args(args)
        listing = list_clients(
            query,
            connection=connection,
            concurrency=numbers.get("concurrency"),
            retry=RetryPolicy(max_attempts=attempts) if attempts is not None else None,
            progress=_progress_printer(sys.stderr),
            limits=ListingLimits(
                max_clients=numbers.get("max_clients", DEFAULT_MAX_CLIENTS),
                deadline_s=numbers.get("deadline", DEFAULT_DEADLINE_S),
            ),
        )
    except InvalidQuery as exc:  # the endpoint, the CA bundle or a proxy variable
        return _fail_invalid(exc.violations)
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
    write_listing(listing, args.format, sys.stdout, show_secrets=args.show_secrets)
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
    estate = parser.add_argument_group(
        "the estate: every ECS instance in scope, in every region (any of these turns it on)"
    )
    estate.add_argument(
        "--regions",
        metavar="all|REGION,...",
        help="the regions to audit: 'all' (those HBR's DescribeRegions lists) or a list",
    )
    estate.add_argument(
        "--require-client",
        action="store_true",
        help="flag every instance in scope without an ECS_CLIENT (rule no_backup_client)",
    )
    estate.add_argument(
        "--instance-tag",
        action="append",
        dest="instance_tags",
        metavar="KEY=VALUE",
        help="only instances with this tag are in scope (repeatable: all must match)",
    )
    estate.add_argument(
        "--instance-status",
        action="append",
        dest="instance_statuses",
        metavar="STATUS",
        help=f"instance statuses in scope (default {', '.join(IN_SCOPE_STATUSES)})",
    )
    estate.add_argument(
        "--accounts",
        metavar="all|ACCOUNT_ID,...",
        help="also audit these member accounts of your Resource Directory ('all': those "
        "ResourceManager ListAccounts lists), each through the role --role-name",
    )
    estate.add_argument(
        "--role-name",
        default=DEFAULT_ROLE_NAME,
        help=f"the RAM role assumed in each member account (default {DEFAULT_ROLE_NAME})",
    )
    estate.add_argument(
        "--include-caller",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="audit the caller's own account too (default: yes)",
    )
    estate.add_argument(
        "--allow-unreachable",
        action="append",
        metavar="REGION|ACCOUNT|ACCOUNT/REGION",
        help="accept that this target could not be listed (repeatable; default: exit 3)",
    )
    gate = parser.add_argument_group("the gate (the same defaults as the SDK, plugin and policies)")
    gate.add_argument(
        "--max-findings",
        metavar="N",
        help=f"exit 1 when there are more findings than N (default {DEFAULT_MAX_FINDINGS})",
    )
    gate.add_argument(
        "--allow-empty",
        action="store_true",
        help="pass when no client matched and no instance is expected (default: exit 1)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=tuple(dict.fromkeys((*AUDIT_FORMATS, *PRINT_FORMATS))),
        default="table",
        help="what is printed (junit, github and html: the estate audit only)",
    )
    reports = parser.add_argument_group("reports of the estate audit")
    reports.add_argument(
        "--report",
        action="append",
        dest="reports",
        metavar="FORMAT=PATH",
        help="also write the report as FORMAT (json, junit, github, markdown, html) to PATH "
        "(repeatable; every report comes from the same listing; github also appends the "
        "Markdown summary to GITHUB_STEP_SUMMARY when set)",
    )
    reports.add_argument(
        "--suppressions",
        metavar="FILE",
        help="a YAML file of suppressions (rule, where, reason, expires): a matching finding "
        "is reported as suppressed and not counted until the entry expires",
    )
    reports.add_argument(
        "--baseline",
        metavar="PREVIOUS.json",
        help="the JSON report of an earlier run: only findings not in it are counted",
    )


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
    gate: Gate | None = None
    violations: list[Violation] = []
    try:
        rules = AuditRules.from_inputs(audit_inputs_from_args(args))
    except InvalidQuery as exc:
        violations += exc.violations
    try:
        gate = Gate.from_inputs(
            {"max_findings": args.max_findings, "allow_empty": args.allow_empty},
            names=PYTHON_NAMES,
        )
    except InvalidQuery as exc:
        violations += exc.violations
    if _is_estate(args):
        return _run_estate_audit(args, rules, gate, violations)
    violations += _estate_only_violations(args)
    listing = _fetch_listing(args, violations=violations)
    if isinstance(listing, int):
        return listing
    if rules is None or gate is None:  # pragma: no cover - _fetch_listing reported them
        return EXIT_INVALID
    report = audit(listing.clients, rules=rules)
    judged = judge(report, gate)
    write_audit(report, args.format, sys.stdout, judged=judged)
    if judged.empty_scope:
        _say(failure_message(report, judged, CLI_NAMES))
    return EXIT_OK if judged.passed else EXIT_FINDINGS


def _is_estate(args: argparse.Namespace) -> bool:
    return bool(args.regions or args.require_client or args.instance_tags or args.accounts)


def _estate_inputs(args: argparse.Namespace) -> tuple[Any, InstanceScope | None, list[Violation]]:
    """The regions and the instance scope of an estate audit, or what is wrong with them."""
    found: list[Violation] = []
    query = query_inputs_from_args(args)
    for name, value in query.items():
        if value is not None and not (name == "client_type" and value == "ECS_CLIENT"):
            rule = (
                "is a client query flag; an estate audit lists every ECS_CLIENT of each "
                "region and scopes instances with --instance-tag and --instance-status"
            )
            found.append(Violation(field=name, rule=rule, value=value))
    regions: Any = None
    try:
        default = args.region or os.environ.get("ALIBABA_CLOUD_REGION_ID") or ""
        regions = parse_regions(args.regions or default, field="regions")
    except InvalidQuery as exc:
        found += exc.violations
    if args.accounts is not None:
        try:
            parse_accounts(args.accounts)
        except InvalidQuery as exc:
            found += exc.violations
    if not valid_role_name(args.role_name):
        rule = "must be a RAM role name: 1-64 letters, digits, '.', '-' or '_'"
        found.append(Violation(field="role_name", rule=rule, value=args.role_name))
    scope: InstanceScope | None = None
    tags: dict[str, str] = {}
    for index, item in enumerate(args.instance_tags or ()):
        key, sep, value = item.partition("=")
        if not sep or not key:
            found.append(
                Violation(field=f"instance_tags[{index}]", rule="must be KEY=VALUE", value=item)
            )
        tags[key] = value
    statuses = tuple(args.instance_statuses or IN_SCOPE_STATUSES)
    for index, status in enumerate(statuses):
        if status not in IN_SCOPE_STATUSES:
            rule = f"must be one of {', '.join(IN_SCOPE_STATUSES)}"
            found.append(Violation(field=f"instance_statuses[{index}]", rule=rule, value=status))
    if not found:
        scope = InstanceScope(tags=tags, statuses=statuses)
    return regions, scope, found


def _estate_only_violations(args: argparse.Namespace) -> list[Violation]:
    """The estate audit's report flags, given to the client audit."""
    rule = "is for the estate audit (--regions, --require-client, --instance-tag or --accounts)"
    found = [
        Violation(field=name, rule=rule, value=getattr(args, name))
        for name in ("reports", "suppressions", "baseline")
        if getattr(args, name)
    ]
    if args.format not in AUDIT_FORMATS:
        found.append(Violation(field="format", rule=rule, value=args.format))
    return found


def _report_inputs(
    args: argparse.Namespace,
) -> tuple[tuple[Suppression, ...], Baseline | None, list[Violation]]:
    """The suppressions and the baseline files, read and checked before anything is sent."""
    from hbr_clients_provider.reports.baseline import load_baseline  # noqa: PLC0415
    from hbr_clients_provider.reports.errors import InputFileError  # noqa: PLC0415
    from hbr_clients_provider.reports.suppressions import load_suppressions  # noqa: PLC0415

    suppressions: tuple[Suppression, ...] = ()
    baseline: Baseline | None = None
    found: list[Violation] = []
    for flag, name in (("--suppressions", "suppressions"), ("--baseline", "baseline")):
        path = getattr(args, name)
        if path is None:
            continue
        try:
            if name == "suppressions":
                suppressions = load_suppressions(path)
            else:
                baseline = load_baseline(path)
        except InputFileError as exc:
            # "--suppressions FILE: suppressions[2].expires: ...": the file, the entry, the field.
            found += [attrs.evolve(v, field=f"{flag} {path}: {v.field}") for v in exc.violations]
    return suppressions, baseline, found


def _known_targets(args: argparse.Namespace, regions: Any) -> int | None:
    """How many targets the audit lists, when the flags say it up front."""
    if not isinstance(regions, tuple):
        return None
    if args.accounts is None:
        return len(regions)
    members = parse_accounts(args.accounts)
    if members == ("all",):
        return None
    return len(regions) * (len(members) + bool(args.include_caller))


def _query_info(
    args: argparse.Namespace, regions: Any, scope: InstanceScope, gate: Gate
) -> QueryInfo:
    from hbr_clients_provider.reports.model import QueryInfo  # noqa: PLC0415

    accounts = None if args.accounts is None else parse_accounts(args.accounts)
    flags = {
        **audit_inputs_from_args(args),
        "require_client": args.require_client,
        "instance_tags": dict(scope.tags),
        "instance_statuses": list(scope.statuses),
        "include_caller": args.include_caller,
        "role_name": args.role_name,
        "allow_unreachable": list(args.allow_unreachable or ()),
        "max_findings": gate.max_findings,
        "allow_empty": gate.allow_empty,
        "suppressions": args.suppressions,
        "baseline": args.baseline,
    }
    flags["expected_instance_ids"] = list(flags["expected_instance_ids"] or ())
    return QueryInfo(
        regions=regions,
        accounts=accounts if accounts != ("all",) else "all",
        flags=flags,
    )


def _write_reports(
    report: EstateReport, requests: Sequence[ReportRequest], *, printed_github: bool
) -> list[str]:
    """Write every ``--report``; return what could not be written."""
    from hbr_clients_provider.reports.formats import render as render_report  # noqa: PLC0415
    from hbr_clients_provider.reports.outputs import (  # noqa: PLC0415
        append_step_summary,
        write_report,
    )

    problems = []
    for request in requests:
        try:
            write_report(render_report(report, request.fmt), request.path)
        except OSError as exc:
            problems.append(f"--report {request.fmt}={request.path}: {exc.strerror or exc}")
    if printed_github or any(r.fmt == "github" for r in requests):
        try:
            append_step_summary(report, os.environ)
        except OSError as exc:
            problems.append(f"GITHUB_STEP_SUMMARY: {exc.strerror or exc}")
    return problems


def _run_estate_audit(
    args: argparse.Namespace, rules: AuditRules | None, gate: Gate | None, found: list[Violation]
) -> int:
    """``audit`` over the estate: every instance in scope, in every region asked for.

    Every input (flags, ``--report`` paths, the suppressions and baseline files) is checked
    before anything is sent; the reports are written from the one listing, whatever the verdict.
    """
    from hbr_clients_provider.reports.model import TargetInventory, build_report  # noqa: PLC0415
    from hbr_clients_provider.reports.outputs import parse_report_requests  # noqa: PLC0415
    from hbr_clients_provider.reports.progress import progress_for  # noqa: PLC0415

    regions, scope, estate_violations = _estate_inputs(args)
    numbers, bad_numbers = numbers_from_args(args)
    requests, report_violations = parse_report_requests(
        args.reports or (), os.environ, printing_github=args.format == "github"
    )
    suppressions, baseline, file_violations = _report_inputs(args)
    violations = [
        *found,
        *estate_violations,
        *bad_numbers,
        *report_violations,
        *file_violations,
    ]
    if violations or rules is None or gate is None or scope is None:
        return _fail_invalid(violations)
    attempts = numbers.get("max_attempts")
    if not (args.region or os.environ.get("ALIBABA_CLOUD_REGION_ID")):
        # The connection's own region: where DescribeRegions is asked for --regions all.
        args.region = regions[0] if isinstance(regions, tuple) else DISCOVERY_REGION
    inventory: list[TargetInventory] = []
    progress = progress_for(sys.stderr, os.environ, total=_known_targets(args, regions))

    def on_target(listing: TargetListing) -> None:
        if listing.error is None:
            inventory.append(TargetInventory.from_listing(listing, scope))
        if progress is not None:
            progress(listing)

    try:
        connection = connection_from_args(args)
        coverage = audit_estate(
            connection,
            regions=regions,
            accounts=args.accounts,
            role_name=args.role_name,
            include_caller=args.include_caller,
            scope=scope,
            rules=rules,
            require_client=args.require_client,
            allow_unreachable=args.allow_unreachable or (),
            deadline_s=numbers.get("deadline", DEFAULT_DEADLINE_S),
            max_items=numbers.get("max_clients", DEFAULT_MAX_CLIENTS),
            retry=RetryPolicy(max_attempts=attempts) if attempts is not None else None,
            on_target=on_target,
        )
    except InvalidQuery as exc:
        return _fail_invalid(exc.violations)
    except HbrError as exc:
        return _fail(EXIT_FAILURE, f"could not list the regions or accounts to audit: {exc}")
    except ValueError as exc:
        return _fail(EXIT_INVALID, str(exc))
    finally:
        if progress is not None:
            progress.finish()
    report = build_report(
        coverage,
        gate=gate,
        suppressions=suppressions,
        suppressions_file=args.suppressions,
        baseline=baseline,
        query=_query_info(args, regions, scope, gate),
        inventory=inventory,
    )
    return _finish_estate_audit(report, args.format, requests)


def _finish_estate_audit(report: EstateReport, fmt: str, requests: Sequence[ReportRequest]) -> int:
    """Print the report, write the others, say why the gate failed; return the exit code."""
    from hbr_clients_provider.reports.formats import render as render_report  # noqa: PLC0415
    from hbr_clients_provider.reports.verdict import verdict_text  # noqa: PLC0415

    sys.stdout.write(render_report(report, fmt))
    sys.stdout.flush()
    unwritten = _write_reports(report, requests, printed_github=fmt == "github")
    judged = report.verdict
    if judged.incomplete:
        lines = [
            f"  {t.target.label}: {t.error.code}"
            + (f" (request id {t.error.request_id})" if t.error.request_id else "")
            + f": {t.error.message}"
            for t in report.coverage.unreachable
            if t.error is not None
        ]
        _say(
            "error: the estate report is incomplete; these targets could not be listed "
            "(accept one with --allow-unreachable REGION, ACCOUNT or ACCOUNT/REGION):\n"
            + "\n".join(lines)
        )
    elif not judged.passed:
        _say(verdict_text(report))
    if unwritten:
        return _fail(EXIT_FAILURE, "could not write a report:\n  " + "\n  ".join(unwritten))
    if judged.incomplete:
        return EXIT_FAILURE
    return EXIT_OK if judged.passed else EXIT_FINDINGS


def _add_audit_command_arguments(parser: argparse.ArgumentParser) -> None:
    add_query_arguments(parser)
    add_connection_arguments(parser)
    add_audit_arguments(parser)


COMMANDS["audit"] = (
    "audit HBR backup clients against rules (exit 1 when the gate fails)",
    _add_audit_command_arguments,
    _run_audit,
)
COMMANDS["policy-pack"] = policy_pack.COMMAND


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
    except BrokenPipeError:
        # The reader stopped early (`hbr-clients list | head`): end quietly, as a tool killed
        # by SIGPIPE would, and keep the exit-time flush from failing on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
