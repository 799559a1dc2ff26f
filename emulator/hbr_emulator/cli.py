"""The ``hbr-emulator`` command: ``hbr-emulator serve [flags]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from hbr_emulator.defaults import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from hbr_emulator.emulator import Emulator
from hbr_emulator.estate import REGION_IDS, Estate, EstateError
from hbr_emulator.faults import Faults
from hbr_emulator.package import package_version
from hbr_emulator.quota import QUOTA_SCOPES
from hbr_emulator.summary import quota_line, region_lines, summary_lines

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
    quota = serve.add_argument_group("quota", "an API rate quota, for benchmarks")
    quota.add_argument(
        "--quota", type=_positive_float, metavar="PER_S", help="calls per second per scope"
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


def serve(args: argparse.Namespace, estate: Estate | None = None) -> int:
    """Run the emulator (of ``estate``, if given) until SIGTERM or SIGINT; return the exit code."""
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
    )
    emulator.start()
    logger.info("serving %s", emulator.url)
    lines = [] if estate is not None else summary_lines(emulator.backend.summary())
    lines += [*region_lines(emulator.cloud), quota_line(emulator.cloud.gateway.quota)]
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
    estate = build_estate(parser, args)
    try:
        return serve(args, estate)
    except (OSError, ValueError) as error:
        logger.error("cannot serve: %s", error)  # noqa: TRY400  # a clean message, no traceback
        return 1


if __name__ == "__main__":
    sys.exit(main())
