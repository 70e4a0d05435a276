"""`sla-dashboard stats` and `sla-dashboard explain`: the figures and the why, in a terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from dashboard import analytics, periods, whatif
from dashboard.business_hours import supported_years
from dashboard.explain import explain_case, find_case
from dashboard.importer.validation import EARLIEST_YEAR
from dashboard.importing import load_sample_if_empty, stale_cases
from dashboard.ledger import hours_minutes
from dashboard.policy import DEFAULT_POLICY_PATH, Policy
from dashboard.queries import Filters
from dashboard.store import DATABASE_URL_ENV, opened


def add_parsers(commands, *, add_db, add_policy) -> None:
    stats = commands.add_parser(
        "stats",
        help="headline SLA figures: attainment, response times, backlog, dismissals",
        description=(
            "Attainment and response times per severity for cases created in the period, the "
            "backlog open at --as-of, and dismissal rates. With --compare, the figures stored "
            "under the policy in force (data/policy.toml) beside the same figures under "
            "--policy, computed in memory: a what-if that changes nothing stored."
        ),
    )
    add_db(stats)
    add_policy(stats)
    stats.add_argument("--from", dest="date_from", metavar="DATE", help="first creation day")
    stats.add_argument("--to", dest="date_to", metavar="DATE", help="last creation day")
    stats.add_argument("--customer", action="append", default=[], metavar="NAME")
    stats.add_argument("--severity", action="append", default=[], type=int, metavar="LEVEL")
    stats.add_argument("--channel", action="append", default=[], metavar="NAME")
    stats.add_argument("--plan", action="append", default=[], metavar="NAME")
    stats.add_argument("--as-of", metavar="ISO", help="judge unanswered cases then (default: now)")
    stats.add_argument("--compare", action="store_true",
                       help="show the figures under --policy beside the stored ones")  # fmt: skip
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=stats_command)

    explain = commands.add_parser(
        "explain",
        help="why a case met or breached: its business-time ledger",
        description=(
            "Every stretch between a case's creation and its first response (or --as-of): "
            "counted business time, and skipped nights, weekends, holidays and closures by "
            "name; then the deadline and the verdict."
        ),
    )
    explain.add_argument("case_id", metavar="CASE_ID")
    explain.add_argument("--source", help="the source, when several have this case id")
    add_db(explain)
    add_policy(explain)
    explain.add_argument("--as-of", metavar="ISO", help="for unanswered cases (default: now)")
    explain.add_argument("--json", action="store_true", help="print one JSON object")
    explain.set_defaults(handler=explain_command)

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
    report.add_argument("--from", dest="date_from", metavar="DATE", help="first creation day")
    report.add_argument("--to", dest="date_to", metavar="DATE", help="last creation day")
    report.add_argument("--as-of", metavar="ISO", help="judge unanswered cases then (default: now)")
    add_db(report)
    add_policy(report)
    report.add_argument("-o", "--output", required=True, type=Path, metavar="FILE",
                        help="FILE.html, FILE.pdf or FILE.xlsx")  # fmt: skip
    report.set_defaults(handler=report_command)


def stats_command(args: argparse.Namespace) -> int:
    from dashboard.cli import load_policy_noting_warnings, parse_as_of

    policy = load_policy_noting_warnings(args.policy)
    filters = Filters(
        date_from=_date(args.date_from, "--from"),
        date_to=_date(args.date_to, "--to"),
        customers=tuple(args.customer),
        severities=tuple(args.severity),
        channels=tuple(args.channel),
        plans=tuple(args.plan),
    )
    scope = analytics.Scope(filters, parse_as_of(args.as_of, policy))
    with opened(args.db) as engine:
        _load_sample_on_first_use(engine, policy, args.db)
        stale = stale_cases(engine, policy)
        if args.compare:
            in_force = load_policy_noting_warnings(DEFAULT_POLICY_PATH)
            figures = whatif.compare(engine, scope, in_force, policy)
        elif stale:
            print(
                f"sla-dashboard: note: {stale} stored case(s) were scored under another policy: "
                f"figures computed in memory under {policy.source}; run sla-dashboard recompute "
                "to store them",
                file=sys.stderr,
            )
            figures = whatif.headline_under(engine, scope, policy)
        else:
            figures = analytics.headline(engine, scope, policy)
    if args.json:
        print(json.dumps(figures, indent=2))
    elif args.compare:
        _print_comparison(figures)
    else:
        _print_headline(figures)
    return 0


def explain_command(args: argparse.Namespace) -> int:
    from dashboard.cli import load_policy_noting_warnings, parse_as_of

    policy = load_policy_noting_warnings(args.policy)
    as_of = parse_as_of(args.as_of, policy)
    with opened(args.db) as engine:
        case = find_case(engine, args.case_id, source=args.source, hint="give --source")
    explanation = explain_case(case, policy, int(as_of.timestamp()))
    if args.json:
        print(json.dumps(explanation, indent=2))
    else:
        print("\n".join(explanation["lines"]))
    return 0


def report_command(args: argparse.Namespace) -> int:
    from dashboard import review
    from dashboard.cli import UsageError, load_policy_noting_warnings, parse_as_of
    from dashboard.files import write_atomically
    from dashboard.review import content

    kind = review.kind_of(args.output)
    policy = load_policy_noting_warnings(args.policy)
    as_of = parse_as_of(args.as_of, policy)
    lo, hi = supported_years(policy.calendar)
    lo = max(lo, EARLIEST_YEAR)
    for option, value in (("--as-of", as_of.date()), ("--from", _date(args.date_from, "--from")),
                          ("--to", _date(args.date_to, "--to"))):  # fmt: skip
        if value is not None and not lo <= value.year <= hi - 1:
            raise UsageError(f"{option} {value} is outside the years the policy's calendar "
                             f"covers ({lo}-{hi - 1})")  # fmt: skip
    period = content.default_period(as_of, policy)
    if args.date_from or args.date_to:
        first = _date(args.date_from, "--from") or period.first
        last = _date(args.date_to, "--to") or period.last
        if last < first:
            given = "--from" if args.date_from and not args.date_to else "--to"
            raise UsageError(
                f"{given} {first if given == '--from' else last} leaves no days: the period "
                f"would run {first} .. {last}"
                + ("; give --to as well" if given == "--from" else "")
            )
        period = periods.Period(first, last)
    with opened(args.db) as engine:
        _load_sample_on_first_use(engine, policy, args.db)
        pack = content.build(engine, policy, args.customer, period, as_of)
    write_atomically(args.output, review.render(pack, kind))
    print(f"wrote {args.output}: {kind.upper()} review pack for {args.customer!r}, "
          f"{period.label()}, {len(pack.breaches)} breach(es)")  # fmt: skip
    return 0


def _print_headline(figures: dict) -> None:
    period, policy = figures["period"], figures["policy"]
    print(
        f"SLA figures for cases created {period['from']} .. {period['to']}, as of "
        f"{figures['as_of']} ({policy['name']}, {policy['fingerprint']})"
    )
    rows = [["severity", "target", "cases", "met", "breached", "pending", "invalid",
             "attainment", "median", "p90"]]  # fmt: skip
    for s in figures["severities"]:
        rows.append(
            [
                f"{s['level']} {s['name']}",
                hours_minutes(round(s["target_hours"] * 3600)),
                *(s[k] for k in ("cases", "met", "breached", "pending", "invalid")),
                _percent(s["attainment"]),
                _hours(s["median_response_hours"]),
                _hours(s["p90_response_hours"]),
            ]
        )
    t = figures["totals"]
    rows.append(["all", "", *(t[k] for k in ("cases", "met", "breached", "pending", "invalid")),
                 _percent(t["attainment"]), "", ""])  # fmt: skip
    _print_table(rows)
    if t.get("unscored"):
        print(f"({t['unscored']} case(s) unscored: their exports record no first responses)")
    backlog = figures["backlog"]
    by_level = ", ".join(f"level {k}: {v}" for k, v in backlog["open_by_severity"].items())
    print(f"open at {figures['as_of']}: {backlog['open']} ({by_level})")
    d = figures["dismissals"]
    reasons = ", ".join(f"{k} {v}" for k, v in d["by_reason"].items())
    print(
        f"dismissed as out of scope: {d['dismissed']} of {t['cases']} ({_percent(d['rate'])}): "
        f"{reasons}"
    )


def _print_comparison(figures: dict) -> None:
    stored, other = figures["stored"], figures["other"]
    print(
        f"cases created {stored['period']['from']} .. {stored['period']['to']}, as of "
        f"{stored['as_of']}: stored ({stored['policy']['fingerprint']}) -> "
        f"{other['policy']['name']} ({other['policy']['fingerprint']})"
    )
    rows = [["severity", "target", "-> other", "attainment", "-> other", "breached", "-> other",
             "p90", "-> other"]]  # fmt: skip
    for a, b in zip(stored["severities"], other["severities"], strict=False):
        rows.append(
            [
                f"{a['level']} {a['name']}",
                _hours(a["target_hours"]),
                _hours(b["target_hours"]),
                _percent(a["attainment"]),
                _percent(b["attainment"]),
                a["breached"],
                b["breached"],
                _hours(a["p90_response_hours"]),
                _hours(b["p90_response_hours"]),
            ]
        )
    a, b = stored["totals"], other["totals"]
    rows.append(["all", "", "", _percent(a["attainment"]), _percent(b["attainment"]),
                 a["breached"], b["breached"], "", ""])  # fmt: skip
    _print_table(rows)


def _print_table(rows: list[list]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        first = row[0].ljust(widths[0])
        rest = "".join(
            cell.rjust(width + 2) for cell, width in zip(row[1:], widths[1:], strict=True)
        )
        print(first + rest)


def _percent(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _hours(value) -> str:
    return "-" if value is None else hours_minutes(round(value * 3600))


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        from dashboard.cli import UsageError

        raise UsageError(f"{option} {text!r} is not a date YYYY-MM-DD") from None


def _load_sample_on_first_use(engine, policy: Policy, url: str | None) -> None:
    """The embedded default database starts with the bundled sample, so figures show at once."""
    if url is None and not os.environ.get(DATABASE_URL_ENV):
        report = load_sample_if_empty(engine, policy)
        if report is not None:
            print(f"sla-dashboard: note: loaded the bundled sample ({report.inserted} cases) "
                  "into the new embedded database", file=sys.stderr)  # fmt: skip
