"""`sla-dashboard reconcile`: our first-response verdict beside the helpdesk's, and the
hypotheses (dashboard/reconcile.py) that explain where they differ."""

from __future__ import annotations

import argparse
import json
import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard.cli.options import (
    UsageError,
    add_db_option,
    add_json_option,
    add_period_options,
    add_policy_option,
    load_policy_noting_warnings,
    load_sample_on_first_use,
    parse_as_of,
    parse_period,
    parse_severities,
    refuse_unknown_filters,
)
from dashboard.importing import stale_cases
from dashboard.queries import Filters
from dashboard.readable import share
from dashboard.reconcile import CAUSES, MATRIX, Agreement, reconcile
from dashboard.store import opened


def add_parsers(commands) -> None:
    command = commands.add_parser(
        "reconcile",
        help="our verdicts beside the helpdesk's own, and why they differ",
        description=(
            "Cases with both our first-response verdict and the helpdesk's (met or breached) "
            "per severity: where both agree, where they differ, and for each difference the "
            "first hypothesis, re-scored with our engine, under which they agree: no public "
            "holidays, a 24-hour calendar, calendar hours (24x7), another time zone (--zone, and "
            "the zone each export was read in), the helpdesk's own response-time figure, "
            "resolution time, another severity's target, a few minutes from the deadline; else "
            "unexplained. Where an export gives the helpdesk's business-time figure but no "
            "verdict (Zendesk), its verdict is that figure against the policy's target."
        ),
    )
    add_db_option(command)
    add_policy_option(command)
    add_period_options(command)
    command.add_argument("--customer", action="append", default=[], metavar="NAME")
    command.add_argument("--severity", action="append", default=[], metavar="LEVEL",
                         help="a level (1, L1, P1) or its name (Urgent)")  # fmt: skip
    command.add_argument("--source", help="only the cases imported under this source")
    command.add_argument(
        "--zone",
        action="append",
        default=[],
        metavar="IANA",
        help="a time zone the helpdesk may count hours in (repeatable)",
    )
    command.add_argument(
        "--as-of", metavar="ISO", help="judge unanswered cases then (default: now)"
    )
    add_json_option(command)
    command.set_defaults(handler=reconcile_command)


def reconcile_command(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    for zone in args.zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(
                f"--zone {zone!r} is not a time zone such as America/New_York"
            ) from None
    date_from, date_to = parse_period(args)
    filters = Filters(
        date_from=date_from,
        date_to=date_to,
        customers=tuple(args.customer),
        severities=parse_severities(args.severity, policy),
        sources=(args.source,) if args.source else (),
    )
    as_of = parse_as_of(args.as_of, policy)
    with opened(args.db) as engine:
        load_sample_on_first_use(engine, policy, args.db)
        refuse_unknown_filters(engine, filters)
        stale = stale_cases(engine, policy)
        if stale:
            print(f"sla-dashboard: note: {stale} stored case(s) were scored under another policy: "
                  "our verdicts are the stored ones; run sla-dashboard recompute first",
                  file=sys.stderr)  # fmt: skip
        found = reconcile(engine, policy, filters, as_of, zones=tuple(args.zone))
    if args.json:
        print(json.dumps(found.as_json(), indent=2))
        return 0
    names = {s.level: s.name for s in policy.severities}
    _matrix("severity", [(f"{s.level} {names[s.level]}", s) for s in found.severities]
            + [("all", found.totals)])  # fmt: skip
    if len(found.sources) > 1:
        print()
        _matrix("source", [(s.source, s) for s in found.sources] + [("all", found.totals)])
    if found.figures_note():
        print(found.figures_note())
    if found.zones:
        print(f"time zones tried: {', '.join(found.zones)}")
    apart = ", ".join(f"{n} {k}" for k, n in found.not_compared.items() if n)
    print(f"not compared: {found.no_vendor_verdict} without the helpdesk's verdict"
          + (f"; {apart}" if apart else ""))  # fmt: skip
    if not found.totals.compared:
        print("nothing to compare: no case of these carries both verdicts (the export needs the "
              "helpdesk's own SLA result, e.g. ServiceNow's made_sla)")  # fmt: skip
    disagreeing = sum(found.causes.values())
    if disagreeing:
        print(f"why {disagreeing} disagree (the first hypothesis that makes the verdicts agree):")
        for cause, cases in sorted(found.causes.items(), key=lambda item: -item[1]):
            if cases:
                print(f"  {cause:16} {cases:6}  {cases / disagreeing:6.1%}  {CAUSES[cause]}")
        print(found.headline())
    return 0


def _matrix(by: str, rows: list[tuple[str, Agreement]]) -> None:
    table = [[by, "compared", *MATRIX, "agreement"]]
    for label, row in rows:
        table.append([label, row.compared, *(getattr(row, k) for k in MATRIX),
                      share(row.agreement)])  # fmt: skip
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    for r in table:
        print("  ".join(str(v).rjust(w) if i else str(v).ljust(w)
                        for i, (v, w) in enumerate(zip(r, widths, strict=True))))  # fmt: skip
