"""The ``hbr-emulator`` command: ``hbr-emulator serve [flags]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

import attrs

from hbr_emulator.defaults import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.emulator import Emulator
from hbr_emulator.estate import REGION_IDS, Estate, EstateError
from hbr_emulator.faults import Faults
from hbr_emulator.organisation import DEFAULT_MEMBER_ESTATE, Organisation, OrganisationError
from hbr_emulator.package import package_version
from hbr_emulator.quota import QUOTA_SCOPES
from hbr_emulator.summary import organisation_lines, quota_line, region_lines, summary_lines

logger = logging.getLogger("hbr_emulator")


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        msg = f"must be >= 0, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        msg = f"must be >= 0, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        msg = f"must be > 0, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        msg = f"must be between 0 and 1, got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _regions(text: str) -> tuple[str, ...]:
    regions = tuple(part.strip() for part in text.split(",") if part.strip())
    if not regions:
        msg = "must name at least one region, e.g. cn-hangzhou,cn-shanghai"
        raise argparse.ArgumentTypeError(msg)
    unknown = [region for region in regions if region not in REGION_IDS]
    if unknown:
        msg = f"unknown region {unknown[0]!r}; known: {', '.join(REGION_IDS)}"
        raise argparse.ArgumentTypeError(msg)
    return regions


def _account_keys(text: str) -> tuple[str, ...]:
    keys = tuple(part.strip() for part in text.split(",") if part.strip())
    if not keys or not all(key.isdigit() for key in keys):
        msg = f"must be member indexes (from 1) or 16-digit account IDs, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return keys


def _throttles(text: str) -> tuple[tuple[str, float], ...]:
    pairs = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, _, rate = part.partition("=")
        _account_keys(key)
        try:
            per_s = float(rate) if rate else 1.0
        except ValueError:
            per_s = 0.0
        if not per_s > 0:
            msg = f"a quota must be a number > 0 (ACCOUNT=PER_S), got {part!r}"
            raise argparse.ArgumentTypeError(msg)
        pairs.append((key.strip(), per_s))
    if not pairs:
        msg = "must name at least one member, e.g. 2 or 2=0.5"
        raise argparse.ArgumentTypeError(msg)
    return tuple(pairs)


ESTATE_FLAGS = {
    "regions": "--regions",
    "instances_per_region": "--instances-per-region",
    "uncovered_per_region": "--uncovered-per-region",
    "orphans_per_region": "--orphans-per-region",
    "stopped_per_region": "--stopped-per-region",
    "containers_per_region": "--containers-per-region",
    "not_activated": "--not-activated",
}
"""The flag of each :class:`Estate` field."""

ORGANISATION_FLAGS = {
    "accounts": "--accounts",
    "member_regions": "--member-regions",
    "without_role": "--without-role",
    "throttled_account": "--throttled-account",
    "token_lifetime": "--token-lifetime",
}
"""The organisation's flags, by argument name."""

_ORGANISATION_FIELDS = {
    "members": "--accounts",
    "without_role": "--without-role",
    "throttled": "--throttled-account",
    "token_lifetime_s": "--token-lifetime",
}


def _add_estate_flags(serve: argparse.ArgumentParser) -> None:
    estate = serve.add_argument_group(
        "a small cloud", "several regions with ECS instances and HBR fleets (see README)"
    )
    estate.add_argument(
        "--regions", type=_regions, metavar="R1,R2,...", help="serve these regions (estate mode)"
    )
    for field, help_text in (
        ("instances_per_region", "ECS instances per region (default 40)"),
        ("uncovered_per_region", "instances with no HBR client, per region (default 3)"),
        ("orphans_per_region", "ECS clients naming no instance, per region (default 1)"),
        ("stopped_per_region", "Stopped instances per region (default 2)"),
        ("containers_per_region", "CONTAINER_CLIENT clients per region (default 2)"),
    ):
        estate.add_argument(
            ESTATE_FLAGS[field], type=_non_negative_int, metavar="N", help=help_text
        )
    estate.add_argument(
        "--not-activated",
        type=_regions,
        metavar="R1,...",
        help="regions (of --regions) whose HBR answers 403 ServiceNotActivated",
    )
    organisation = serve.add_argument_group(
        "an organisation",
        "a resource directory of member accounts: STS AssumeRole, ResourceManager ListAccounts",
    )
    organisation.add_argument(
        "--accounts", type=_non_negative_int, metavar="N", help="member accounts (organisation)"
    )
    organisation.add_argument(
        "--member-regions",
        type=_regions,
        metavar="R1,...",
        help="the members' regions (default: the management account's)",
    )
    organisation.add_argument(
        "--without-role",
        type=_account_keys,
        metavar="ACCOUNT,...",
        help="members (index from 1, or ID) without ResourceDirectoryAccountAccessRole",
    )
    organisation.add_argument(
        "--throttled-account",
        type=_throttles,
        metavar="ACCOUNT[=PER_S],...",
        help="members whose own API quota is PER_S calls per second (default 1)",
    )
    organisation.add_argument(
        "--token-lifetime",
        type=_non_negative_float,
        metavar="S",
        help="STS credentials expire after at most S seconds",
    )
    quota = serve.add_argument_group("quota", "an API rate quota, for benchmarks")
    quota.add_argument(
        "--quota",
        type=_positive_float,
        metavar="PER_S",
        help="calls per second per scope (in an organisation: of every account)",
    )
    quota.add_argument(
        "--quota-scope",
        choices=QUOTA_SCOPES,
        default="target_api",
        help="target_api: per region and API (default); account: one for all calls",
    )


def build_estate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Estate | None:
    """Return the :class:`Estate` the flags describe (None without ``--regions``).

    A bad combination exits 2 through ``parser.error``, naming the flag.
    """
    given = {field: getattr(args, field) for field in ESTATE_FLAGS}
    if given["regions"] is None:
        extra = [ESTATE_FLAGS[field] for field, value in given.items() if value is not None]
        if extra:
            parser.error(f"{extra[0]} needs --regions (the estate mode)")
        return None
    if args.data is not None:
        parser.error("--data and --regions cannot be combined (an estate generates its fleets)")
    try:
        return Estate(
            seed=args.seed, **{field: value for field, value in given.items() if value is not None}
        )
    except EstateError as error:
        parser.error(f"{ESTATE_FLAGS.get(error.field, error.field)}: {error}")


def build_organisation(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> Organisation | None:
    """Return the :class:`Organisation` the flags describe (None without ``--accounts``).

    The estate flags then describe every account's regions (defaults: those of
    :data:`~hbr_emulator.organisation.DEFAULT_MEMBER_ESTATE`); a bad value exits 2 through
    ``parser.error``, naming the flag.
    """
    if args.accounts is None:
        extra = [
            flag for name, flag in ORGANISATION_FLAGS.items() if getattr(args, name) is not None
        ]
        if extra:
            parser.error(f"{extra[0]} needs --accounts (an organisation)")
        return None
    if args.data is not None:
        parser.error("--data and --accounts cannot be combined (accounts generate their fleets)")
    given = {field: getattr(args, field) for field in ESTATE_FLAGS}
    try:
        template = attrs.evolve(
            DEFAULT_MEMBER_ESTATE,
            seed=args.seed,
            **{field: value for field, value in given.items() if value is not None},
        )
        if args.quota is not None:  # every account's own quota, of the same size
            template = attrs.evolve(template, quota_per_s=args.quota, quota_scope=args.quota_scope)
        return Organisation.generate(
            members=args.accounts,
            seed=args.seed,
            member_estate=template,
            member_regions=args.member_regions,
            without_role=args.without_role or (),
            throttled=dict(args.throttled_account or ()),
            token_lifetime_s=args.token_lifetime,
        )
    except EstateError as error:
        field = "member_regions" if error.field == "regions" and args.member_regions else None
        flag = ORGANISATION_FLAGS[field] if field else ESTATE_FLAGS.get(error.field, error.field)
        parser.error(f"{flag}: {error}")
    except OrganisationError as error:
        parser.error(f"{_ORGANISATION_FIELDS.get(error.field, error.field)}: {error}")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``hbr-emulator``."""
    parser = argparse.ArgumentParser(
        prog="hbr-emulator", description="Offline emulator of the HBR DescribeBackupClients API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API until SIGTERM or SIGINT")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_non_negative_int, default=0, help="0 picks a free port")
    serve.add_argument("--fleet", type=_non_negative_int, default=100, help="clients (default 100)")
    serve.add_argument("--seed", type=int, default=0, help="fleet and fault seed (default 0)")
    serve.add_argument("--data", metavar="FILE.json", help="load the fleet from a JSON file")
    serve.add_argument("--access-key-id", default=DEFAULT_ACCESS_KEY_ID)
    serve.add_argument("--access-key-secret", default=DEFAULT_ACCESS_KEY_SECRET)
    serve.add_argument("--security-token", default=None, help="require this STS token")
    serve.add_argument("--latency-ms", type=_non_negative_float, default=0.0)
    serve.add_argument("--latency-jitter-ms", type=_non_negative_float, default=0.0)
    serve.add_argument("--qps", type=_positive_float, default=None, help="per access key")
    serve.add_argument("--retry-after-ms", type=int, default=None)
    serve.add_argument("--error-rate", type=_rate, default=0.0, help="share of 500/503 answers")
    serve.add_argument("--reset-rate", type=_rate, default=0.0, help="share of reset connections")
    serve.add_argument("--slow-response-ms", type=_non_negative_float, default=0.0)
    serve.add_argument("--slow-rate", type=_rate, default=0.0)
    serve.add_argument("--mutate-after-pages", type=int, default=None)
    serve.add_argument("--verbose", "-v", action="store_true", help="log every request")
    _add_estate_flags(serve)
    return parser


def serve(
    args: argparse.Namespace,
    estate: Estate | None = None,
    organisation: Organisation | None = None,
) -> int:
    """Run the emulator (of ``estate`` or ``organisation``) until SIGTERM or SIGINT; exit code."""
    faults = Faults(
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        qps=args.qps,
        retry_after_ms=args.retry_after_ms,
        error_rate=args.error_rate,
        reset_rate=args.reset_rate,
        slow_response_ms=args.slow_response_ms,
        slow_rate=args.slow_rate,
        mutate_after_pages=args.mutate_after_pages,
    )
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("received signal %d, stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    emulator = Emulator(
        fleet=args.fleet,
        seed=args.seed,
        data=args.data,
        host=args.host,
        port=args.port,
        access_key_id=args.access_key_id,
        access_key_secret=args.access_key_secret,
        security_token=args.security_token,
        faults=faults,
        estate=estate,
        quota_per_s=args.quota,
        quota_scope=args.quota_scope,
        organisation=organisation,
    )
    emulator.start()
    logger.info("serving %s", emulator.url)
    plain = estate is None and organisation is None
    lines = summary_lines(emulator.backend.summary()) if plain else []
    lines += [*region_lines(emulator.cloud), quota_line(emulator.cloud.gateway.quota)]
    lines += organisation_lines(emulator.cloud)
    for line in lines:
        logger.info("%s", line)
    sys.stdout.write(f"HBR_ENDPOINT={emulator.endpoint}\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.2):
            pass
    finally:
        emulator.stop()
    logger.info("stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hbr-emulator``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if args.mutate_after_pages is not None and args.mutate_after_pages < 1:
        parser.error("--mutate-after-pages must be >= 1")
    if args.retry_after_ms is not None and args.retry_after_ms < 1:
        parser.error("--retry-after-ms must be >= 1")
    organisation = build_organisation(parser, args)
    estate = build_estate(parser, args) if organisation is None else None
    try:
        return serve(args, estate, organisation)
    except (OSError, ValueError) as error:
        logger.error("cannot serve: %s", error)  # noqa: TRY400  # a clean message, no traceback
        return 1


if __name__ == "__main__":
    sys.exit(main())
