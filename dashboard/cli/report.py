"""`sla-dashboard report`: one customer's review pack as HTML, PDF or XLSX, or every
customer's for the period into a folder with an index (--all-customers, issue 15)."""

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
from dashboard.errors import DashboardError
from dashboard.files import write_atomically
from dashboard.importer.validation import EARLIEST_YEAR
from dashboard.review import batch, content, packs
from dashboard.store import opened


def add_parsers(commands) -> None:
    report = commands.add_parser(
        "report",
        help="a customer review pack: HTML, PDF or XLSX (or every customer's, with an index)",
        description=(
            "One customer's figures for one period (default: the last full quarter before "
            "--as-of) against the policy: a summary, then the previous period beside it, every "
            "breach explained, the backlog and overdue cases, dismissals with the policy's "
            "wording, channels and data-quality notes. The format follows the output file's "
            "suffix: .html (self-contained), .pdf or .xlsx (the tables). With --all-customers, "
            "every customer with a case created in the period, into --out-dir with an index."
        ),
    )
    who = report.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", metavar="NAME", help="the customer of the pack")
    who.add_argument(
        "--all-customers",
        action="store_true",
        help="a pack for every customer with a case created in the period, and an index "
        "(index.html, index.csv), written into --out-dir",
    )
    add_period_options(report)
    report.add_argument("--as-of", metavar="ISO", help="judge unanswered cases then (default: now)")
    add_db_option(report)
    add_policy_option(report)
    report.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="with --customer: FILE.html, FILE.pdf or FILE.xlsx")  # fmt: skip
    report.add_argument(
        "--out-dir",
        type=Path,
        metavar="DIR",
        help="with --all-customers: the folder to write (new, empty, or an earlier run's, "
        "which is replaced whole)",
    )
    report.add_argument(
        "--format",
        choices=sorted(set(packs.FORMATS.values())),
        help="with --all-customers: the packs' format (default: pdf)",
    )
    report.add_argument(
        "--reconciliation",
        action="store_true",
        help="add our verdicts beside the helpdesk's own, and why they differ (see reconcile)",
    )
    report.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    if args.all_customers:
        if args.output is not None:
            raise UsageError("--all-customers writes into --out-dir DIR, not -o/--output FILE")
        if args.out_dir is None:
            raise UsageError("--all-customers needs --out-dir DIR: the folder to write into")
        kind = args.format or "pdf"
        batch.check_folder(args.out_dir)  # before any work: a refused folder is said at once
    else:
        if args.out_dir is not None or args.format is not None:
            given = "--out-dir" if args.out_dir is not None else "--format"
            raise UsageError(f"{given} goes with --all-customers; for one customer's pack give "
                             "-o FILE (its suffix is the format)")  # fmt: skip
        if args.output is None:
            raise UsageError("--customer needs -o/--output FILE (.html, .pdf or .xlsx)")
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
    if args.all_customers:
        return _all_customers(args, policy, period, as_of, kind)
    with opened(args.db) as engine:
        load_sample_on_first_use(engine, policy, args.db)
        pack = content.build(engine, policy, args.customer, period, as_of,
                             reconciliation=args.reconciliation)  # fmt: skip
    write_atomically(args.output, packs.render(pack, kind))
    print(f"wrote {args.output}: {kind.upper()} review pack for {args.customer!r}, "
          f"{period.label()}, {len(pack.breaches)} breach(es)")  # fmt: skip
    return 0


def _all_customers(args, policy, period: periods.Period, as_of, kind: str) -> int:
    """Every customer's pack into --out-dir, whole or not at all; one line a pack, then the
    index's."""
    with opened(args.db) as engine:
        load_sample_on_first_use(engine, policy, args.db)
        customers = batch.customers_in(engine, period, as_of)
        if not customers:
            raise DashboardError(
                f"no case was created {period.label()}: no customer to write a pack for; "
                f"nothing written to {args.out_dir}"
            )
        written = batch.write_all(
            args.out_dir, customers, kind,
            lambda customer: content.build(engine, policy, customer, period, as_of,
                                           reconciliation=args.reconciliation),
            packs.render, period=period,
        )  # fmt: skip
    for pack in written:
        print(f"wrote {args.out_dir / pack.file}: {kind.upper()} review pack for "
              f"{pack.customer!r}, {period.label()}, {pack.breaches} breach(es)")  # fmt: skip
    print(f"wrote {args.out_dir / batch.INDEX_HTML}: index of {len(written)} review pack(s), "
          f"{period.label()} (and {batch.INDEX_CSV})")  # fmt: skip
    return 0
