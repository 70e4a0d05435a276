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
from dashboard.compute_csv import ComputeResult, compute_file, rejects_frame
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

    summary = (
        f"{args.export}: {result.read} read, {_verdicts(result)}, {len(result.rejects)} "
        f"rejected; as of {format_instants([as_of])[0]}; results -> {args.out}, rejects -> "
        f"{rejects_path}"
    )
    print(summary)
    for note in result.prepared.notes:
        print(f"  {note}", file=sys.stderr)
    later = result.created_after(as_of)
    if later:
        print(
            f"sla-dashboard: note: {later} case(s) created after --as-of "
            f"{format_instants([as_of])[0]}: pending, with their whole target left",
            file=sys.stderr,
        )
    return 0


def _verdicts(result: ComputeResult) -> str:
    """'4 scored (1 met, 1 breached, 1 pending, 1 invalid)', and the unscored cases apart:
    a case whose export records no first response is not scored (issue 15: '67 scored (0
    met, ..., 67 unscored)')."""
    counts = result.status_counts()
    unscored = counts.pop("unscored", 0)
    scored = sum(counts.values())
    text = f"{scored} scored"
    if scored:
        text += f" ({', '.join(f'{n} {status}' for status, n in counts.items())})"
    if unscored:
        text += f", {unscored} unscored (the export records no first responses)"
    return text
