"""`sla-dashboard stats` and `sla-dashboard explain`: the figures and the why, in a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dashboard import analytics, whatif
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
from dashboard.explain import case_history, explain_case, find_case
from dashboard.headline import Comparison, Headline
from dashboard.importing import stale_cases
from dashboard.policy import DEFAULT_POLICY_PATH
from dashboard.queries import Filters
from dashboard.readable import hours, share
from dashboard.store import opened


def add_parsers(commands) -> None:
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
    add_db_option(stats)
    add_policy_option(stats)
    add_period_options(stats)
    stats.add_argument("--customer", action="append", default=[], metavar="NAME")
    stats.add_argument("--severity", action="append", default=[], metavar="LEVEL",
                       help="a level (1, L1, P1) or its name (Urgent)")  # fmt: skip
    stats.add_argument("--channel", action="append", default=[], metavar="NAME")
    stats.add_argument("--plan", action="append", default=[], metavar="NAME")
    stats.add_argument("--as-of", metavar="ISO", help="judge unanswered cases then (default: now)")
    stats.add_argument("--compare", action="store_true",
                       help="show the figures under --policy OTHER beside the stored ones "
                       "(needs --policy)")  # fmt: skip
    add_json_option(stats)
    stats.set_defaults(handler=stats_command)

    explain = commands.add_parser(
        "explain",
        help="why a case met or breached: its business-time ledger",
        description=(
            "Every stretch between a case's creation and its first response (or --as-of): "
            "counted business time, and skipped nights, weekends, holidays and closures by "
            "name; then the deadline and the verdict. By default the counted stretches, then "
            "what was skipped in one line (a long wait is shortened to its first and last "
            "days); --full shows every stretch."
        ),
    )
    explain.add_argument("case_id", metavar="CASE_ID")
    explain.add_argument("--source", help="the source, when several have this case id")
    add_db_option(explain)
    add_policy_option(explain)
    explain.add_argument("--as-of", metavar="ISO", help="for unanswered cases (default: now)")
    explain.add_argument("--full", action="store_true",
                         help="every stretch, skipped ones too, however long the wait")  # fmt: skip
    add_json_option(explain)
    explain.set_defaults(handler=explain_command)


def stats_command(args: argparse.Namespace) -> int:
    if args.compare and Path(args.policy).resolve() == DEFAULT_POLICY_PATH.resolve():
        # Without another policy the two columns would be the same figures twice.
        raise UsageError(
            "--compare needs --policy OTHER.toml: it shows the figures under that policy "
            "beside those stored under the policy in force (data/policy.toml)"
        )
    policy = load_policy_noting_warnings(args.policy)
    date_from, date_to = parse_period(args)
    filters = Filters(
        date_from=date_from,
        date_to=date_to,
        customers=tuple(args.customer),
        severities=parse_severities(args.severity, policy),
        channels=tuple(args.channel),
        plans=tuple(args.plan),
    )
    scope = analytics.Scope(filters, parse_as_of(args.as_of, policy))
    figures: Headline | Comparison
    with opened(args.db) as engine:
        load_sample_on_first_use(engine, policy, args.db)
        refuse_unknown_filters(engine, filters)
        stale = stale_cases(engine, policy)
        if args.compare:
            in_force = load_policy_noting_warnings(DEFAULT_POLICY_PATH)
            if in_force.fingerprint == policy.fingerprint:
                print(f"sla-dashboard: note: {args.policy} has the same rules as the policy in "
                      "force: both columns show the same figures", file=sys.stderr)  # fmt: skip
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
        print(json.dumps(figures.as_json(), indent=2))
    elif isinstance(figures, Comparison):
        _print_comparison(figures)
    else:
        _print_headline(figures)
    return 0


def explain_command(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    as_of = parse_as_of(args.as_of, policy)
    with opened(args.db) as engine:
        case = find_case(engine, args.case_id, source=args.source, hint="give --source")
        events = case_history(engine, case)
    explanation = explain_case(case, policy, int(as_of.timestamp()), events)
    if args.json:
        print(json.dumps(explanation.as_json(), indent=2))
    else:
        print("\n".join(explanation.lines if args.full else explanation.summary))
    return 0


def _print_headline(figures: Headline) -> None:
    as_of = figures.as_of_text
    print(
        f"SLA figures for cases created {_period(figures)}, as of {as_of} "
        f"({figures.policy_name}, {figures.policy_fingerprint})"
    )
    rows = [["severity", "target", "cases", "met", "breached", "pending", "invalid",
             "attainment", "median", "p90"]]  # fmt: skip
    for s in figures.severities:
        c = s.counts
        rows.append(
            [
                f"{s.level} {s.name}",
                hours(s.target_hours),
                c.cases, c.met, c.breached, c.pending, c.invalid,
                share(s.attainment),
                hours(s.median_response_hours),
                hours(s.p90_response_hours),
            ]
        )  # fmt: skip
    t = figures.totals
    rows.append(["all", "", t.cases, t.met, t.breached, t.pending, t.invalid,
                 share(t.attainment), "", ""])  # fmt: skip
    _print_table(rows)
    if t.unscored:
        print(f"({t.unscored} case(s) unscored: their exports record no first responses)")
    _print_resolution(figures)
    by_level = ", ".join(f"level {k}: {v}" for k, v in figures.open_by_severity.items())
    print(f"open at {as_of}: {figures.open_cases} ({by_level})")
    d = figures.dismissals
    reasons = ", ".join(f"{k} {v}" for k, v in d.by_reason.items())
    print(f"dismissed as out of scope: {d.dismissed} of {t.cases} ({share(d.rate)}): {reasons}")


def _period(figures: Headline) -> str:
    """The period's days: the options' or, where not given, the matching cases' first or last
    day; when no case matches either, said in words (never 'None .. None')."""
    first, last = figures.first_day, figures.last_day
    if first is not None and last is not None:
        return f"{first} .. {last}"
    if first is not None:
        return f"from {first} (no case matches these filters)"
    if last is not None:
        return f"up to {last} (no case matches these filters)"
    return "on any day (no case matches these filters)"


def _print_resolution(figures: Headline) -> None:
    """Resolution times of the period's resolved cases, per severity; the verdicts against
    resolution targets when the policy sets some, reopens when some case has a history."""
    resolved = sum(s.resolution.resolved for s in figures.severities)
    print(
        f"resolution time of the {resolved} case(s) resolved by {figures.as_of_text} (business "
        "time from creation to resolution, less pauses)"
    )
    targets = figures.has_resolution_targets
    histories = any(s.resolution.reopened is not None for s in figures.severities)
    header = ["severity", "resolved"]
    header += ["target", "met", "breached", "attainment"] if targets else []
    header += ["median", "p90"] + (["reopened"] if histories else [])
    rows: list[list] = [header]
    for s in figures.severities:
        r = s.resolution
        row = [f"{s.level} {s.name}", r.resolved]
        if targets:
            row += [hours(r.target_hours), r.met, r.breached, share(r.attainment)]
        row += [hours(r.median_hours), hours(r.p90_hours)]
        if histories:
            row.append("-" if r.reopened is None else r.reopened)
        rows.append(row)
    _print_table(rows)


def _print_comparison(figures: Comparison) -> None:
    stored, other = figures.stored, figures.other
    print(
        f"cases created {_period(stored)}, as of "
        f"{stored.as_of_text}: stored ({stored.policy_fingerprint}) -> "
        f"{other.policy_name} ({other.policy_fingerprint})"
    )
    rows = [["severity", "target", "-> other", "attainment", "-> other", "breached", "-> other",
             "p90", "-> other"]]  # fmt: skip
    for a, b in zip(stored.severities, other.severities, strict=False):
        rows.append(
            [
                f"{a.level} {a.name}",
                hours(a.target_hours),
                hours(b.target_hours),
                share(a.attainment),
                share(b.attainment),
                a.counts.breached,
                b.counts.breached,
                hours(a.p90_response_hours),
                hours(b.p90_response_hours),
            ]
        )
    a_totals, b_totals = stored.totals, other.totals
    rows.append(["all", "", "", share(a_totals.attainment), share(b_totals.attainment),
                 a_totals.breached, b_totals.breached, "", ""])  # fmt: skip
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
