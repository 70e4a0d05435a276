"""`sla-dashboard report`: one customer's review pack as HTML, PDF or XLSX."""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard import periods
from dashboard.business_hours import supported_years
from dashboard.cli.options import (
    UsageError,
    add_db_option,
    add_period_options,
    add_policy_option,
    load_policy_noting_warnings,
    load_sample_on_first_use,
    parse_as_of,
    parse_date,
)
from dashboard.files import write_atomically
from dashboard.importer.validation import EARLIEST_YEAR
from dashboard.review import content, packs
from dashboard.store import opened


def add_parsers(commands) -> None:
    report = commands.add_parser(
        "report",
        help="a customer review pack: HTML, PDF or XLSX",
        description=(
            "One customer's figures for one period (default: the last full quarter before "
            "--as-of) against the policy, with the previous period, every breach explained, "
            "the backlog, dismissals with the policy's wording, channels and data-quality "
            "notes. The format follows the output file's suffix: .html (self-contained), "
            ".pdf or .xlsx (the tables)."
        ),
    )
    report.add_argument("--customer", required=True, metavar="NAME")
    add_period_options(report)
    report.add_argument("--as-of", metavar="ISO", help="judge unanswered cases then (default: now)")
    add_db_option(report)
    add_policy_option(report)
    report.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                        help="FILE.html, FILE.pdf or FILE.xlsx")  # fmt: skip
    report.add_argument(
        "--reconciliation",
        action="store_true",
        help="add our verdicts beside the helpdesk's own, and why they differ (see reconcile)",
    )
    report.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    kind = packs.kind_of(args.output)
    policy = load_policy_noting_warnings(args.policy)
    as_of = parse_as_of(args.as_of, policy)
    date_from, date_to = parse_date(args.date_from, "--from"), parse_date(args.date_to, "--to")
    lo, hi = supported_years(policy.calendar)
    lo = max(lo, EARLIEST_YEAR)
    for option, value in (("--as-of", as_of.date()), ("--from", date_from), ("--to", date_to)):
        if value is not None and not lo <= value.year <= hi - 1:
            raise UsageError(f"{option} {value} is outside the years the policy's calendar "
                             f"covers ({lo}-{hi - 1})")  # fmt: skip
    period = content.default_period(as_of, policy)
    if date_from or date_to:
        first = date_from or period.first
        last = date_to or period.last
        if last < first:
            given = "--from" if date_from and not date_to else "--to"
            raise UsageError(
                f"{given} {first if given == '--from' else last} leaves no days: the period "
                f"would run {first} .. {last}"
                + ("; give --to as well" if given == "--from" else "")
            )
        period = periods.Period(first, last)
    with opened(args.db) as engine:
        load_sample_on_first_use(engine, policy, args.db)
        pack = content.build(engine, policy, args.customer, period, as_of,
                             reconciliation=args.reconciliation)  # fmt: skip
    write_atomically(args.output, packs.render(pack, kind))
    print(f"wrote {args.output}: {kind.upper()} review pack for {args.customer!r}, "
          f"{period.label()}, {len(pack.breaches)} breach(es)")  # fmt: skip
    return 0
