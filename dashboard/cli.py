"""The `sla-dashboard` command (also `python -m dashboard`).

Errors we expect (bad policy, unusable file, bad option value) end with one line on stderr and
exit status 2; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard import __version__
from dashboard.errors import DashboardError
from dashboard.policy import DEFAULT_POLICY_PATH, Policy, load_policy
from dashboard.recompute import compute_file, rejects_frame, write_csv_atomically
from dashboard.timestamps import format_instants, parse_instant

EXIT_OK, EXIT_ERROR = 0, 2


class UsageError(DashboardError):
    """A command-line option has a value we cannot use."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except DashboardError as exc:
        print(f"sla-dashboard: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sla-dashboard",
        description="Recompute business-hour SLA figures from helpdesk case exports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compute = commands.add_parser(
        "compute",
        help="score a canonical case CSV against the policy",
        description=(
            "Read a canonical case CSV (case_id, customer, severity, created_at, "
            "first_response_at, resolved_at, status, channel, dismissal_reason), recompute "
            "business-hour response times, deadlines and SLA status, and write one row per case. "
            "Rows that cannot be used go to a rejects CSV with the reason."
        ),
    )
    compute.add_argument("export", type=Path, help="the case CSV to score")
    compute.add_argument("--out", type=Path, required=True, help="where to write the results CSV")
    compute.add_argument(
        "--rejects",
        type=Path,
        help="where to write rejected rows (default: beside --out, as NAME.rejects.csv)",
    )
    _add_policy_option(compute)
    compute.add_argument(
        "--as-of",
        metavar="ISO",
        help="judge unanswered cases at this instant (default: now); without an offset it is "
        "local time in --timezone",
    )
    compute.add_argument(
        "--timezone",
        metavar="TZ",
        help="zone of timestamps written without an offset (default: the calendar's zone)",
    )
    compute.set_defaults(handler=_compute)
    return parser


def _add_policy_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--policy",
        type=Path,
        default=DEFAULT_POLICY_PATH,
        metavar="PATH",
        help="policy file (default: data/policy.toml)",
    )


def _load_policy(path: Path) -> Policy:
    policy = load_policy(path)
    for warning in policy.warnings:
        print(f"sla-dashboard: warning: {warning}", file=sys.stderr)
    return policy


def _zone(name: str | None, policy: Policy) -> ZoneInfo:
    if name is None:
        return policy.calendar.zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {name!r} is not a known time zone (expected an IANA name such as "
            "'Europe/London')"
        ) from None


def _compute(args: argparse.Namespace) -> int:
    policy = _load_policy(args.policy)
    zone = _zone(args.timezone, policy)
    if args.as_of is None:
        as_of = int(dt.datetime.now(dt.UTC).timestamp())
    else:
        try:
            as_of = parse_instant(args.as_of, zone=zone, what="--as-of")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    rejects_path = args.rejects or args.out.with_name(f"{args.out.stem}.rejects.csv")
    if args.export.resolve() in (args.out.resolve(), rejects_path.resolve()):
        raise UsageError(f"refusing to overwrite the input {args.export} with results")

    result = compute_file(args.export, policy, as_of=as_of, zone=zone)
    write_csv_atomically(result.results, args.out)
    write_csv_atomically(rejects_frame(result.rejects), rejects_path)

    counts = ", ".join(f"{n} {status}" for status, n in result.status_counts().items())
    summary = (
        f"{args.export}: {result.read} read, {len(result.results)} scored ({counts}), "
        f"{len(result.rejects)} rejected; as of {format_instants([as_of])[0]}; "
        f"results -> {args.out}, rejects -> {rejects_path}"
    )
    print(summary)
    if result.ambiguous_times:
        print(
            f"sla-dashboard: note: {result.ambiguous_times} local time(s) fell in the hour the "
            f"clocks went back and were read as the first occurrence",
            file=sys.stderr,
        )
    return EXIT_OK
