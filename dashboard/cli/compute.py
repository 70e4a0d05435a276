"""`sla-dashboard compute`: score one case CSV against the policy, no database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.cli.options import (
    UsageError,
    add_format_options,
    add_policy_option,
    load_policy_noting_warnings,
    parse_as_of,
    refuse_the_database,
    zone_option,
)
from dashboard.compute_csv import compute_file, rejects_frame
from dashboard.files import write_csvs
from dashboard.importer.prepare import choose_format
from dashboard.timestamps import format_instants


def add_parsers(commands) -> None:
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
    add_policy_option(compute)
    compute.add_argument(
        "--as-of",
        metavar="ISO",
        help="judge unanswered cases at this instant (default: now); without an offset it is "
        "local time in --timezone",
    )
    add_format_options(compute)
    compute.set_defaults(handler=compute_command)


def compute_command(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    zone = zone_option(args.timezone, policy) if args.timezone else None
    as_of = int(parse_as_of(args.as_of, policy, zone=zone).timestamp())
    rejects_path = args.rejects or args.out.with_name(f"{args.out.stem}.rejects.csv")
    if args.export.resolve() in (args.out.resolve(), rejects_path.resolve()):
        raise UsageError(f"refusing to overwrite the input {args.export} with results")
    refuse_the_database([args.out, rejects_path])

    forced = choose_format(args.format, args.map)
    result = compute_file(
        args.export, policy, as_of=as_of, zone=zone, forced=forced, date_order=args.date_order
    )
    write_csvs([(result.results, args.out), (rejects_frame(result.rejects), rejects_path)])

    counts = ", ".join(f"{n} {status}" for status, n in result.status_counts().items())
    summary = (
        f"{args.export}: {result.read} read, {len(result.results)} scored ({counts}), "
        f"{len(result.rejects)} rejected; as of {format_instants([as_of])[0]}; "
        f"results -> {args.out}, rejects -> {rejects_path}"
    )
    print(summary)
    for note in result.prepared.notes:
        print(f"  {note}", file=sys.stderr)
    return 0
