"""What every `sla-dashboard` command shares: its options, and reading them into values.

Errors in an option's value raise UsageError, which the command line shows as one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from sqlalchemy import Engine

from dashboard.errors import DashboardError
from dashboard.importing import load_sample_if_empty
from dashboard.policy import DEFAULT_POLICY_PATH, Policy, load_policy
from dashboard.queries import Filters
from dashboard.store import DATABASE_URL_ENV
from dashboard.timestamps import parse_instant


class UsageError(DashboardError):
    """A command-line option has a value we cannot use."""


def refuse_the_database(paths: list[Path], url: str | None = None) -> None:
    """Refuse writing a file over the SQLite database (--db, else $SLA_DATABASE_URL, else the
    embedded default): an export named like it would replace every stored case."""
    from sqlalchemy.engine import make_url

    from dashboard.store import database_url

    try:
        parsed = make_url(database_url(url))
    except Exception:  # an unusable URL is refused where it is opened, with its own message
        return
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    database = Path(parsed.database).resolve()
    for path in paths:
        if path.resolve() == database:
            raise UsageError(f"refusing to write {path} over the database file {database}")


def add_db_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $SLA_DATABASE_URL, else the SQLite file data/"
        "sla_dashboard.sqlite); PostgreSQL: postgresql+psycopg://USER@HOST/DB",
    )


def add_policy_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--policy",
        type=Path,
        default=DEFAULT_POLICY_PATH,
        metavar="PATH",
        help="policy file (default: data/policy.toml)",
    )


def _format_names() -> list[str]:
    """The formats' names as their files name them (a file each): the built-in ones (under
    data/formats), then those saved in the user's formats folder. Not loaded: a file that
    does not load is named here, and --format NAME then says why it was skipped."""
    from dashboard.importer.formats import FORMATS_DIR, user_formats_dir

    builtins = sorted(path.stem for path in FORMATS_DIR.glob("*.toml"))
    saved = sorted(path.stem for path in user_formats_dir().glob("*.toml"))
    return [*builtins, *(name for name in saved if name not in builtins)]


def add_format_options(command: argparse.ArgumentParser) -> None:
    """How to read an export: its zone, format or mapping, and day/month order."""
    command.add_argument(
        "--timezone",
        metavar="TZ",
        help="zone of times written without an offset (default: the calendar's zone)",
    )
    command.add_argument(
        "--format",
        metavar="NAME",
        help="read the file as this export format instead of detecting it "
        f"({', '.join(_format_names())})",
    )
    command.add_argument(
        "--map", type=Path, metavar="FILE", help="read the file with this mapping file"
    )
    command.add_argument(
        "--date-order",
        choices=["DMY", "MDY"],
        help="day/month order for numeric dates, when the file itself cannot tell",
    )


def add_json_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--json", action="store_true", help="print one JSON object")


def add_period_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--from", dest="date_from", metavar="DATE", help="first creation day")
    command.add_argument("--to", dest="date_to", metavar="DATE", help="last creation day")


def load_policy_noting_warnings(path: Path) -> Policy:
    policy = load_policy(path)
    for warning in policy.warnings:
        print(f"sla-dashboard: warning: {warning}", file=sys.stderr)
    return policy


def parse_as_of(text: str | None, policy: Policy, *, zone: ZoneInfo | None = None) -> dt.datetime:
    """--as-of (local time in `zone`, else the calendar's, unless it has an offset), or now."""
    if text is None:
        return dt.datetime.fromtimestamp(int(dt.datetime.now(dt.UTC).timestamp()), dt.UTC)
    try:
        seconds = parse_instant(text, zone=zone or policy.calendar.zone, what="--as-of")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date YYYY-MM-DD") from None


def parse_period(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    """--from and --to, both days included; a period that ends before it starts is refused
    rather than shown as a table of zeros."""
    first, last = parse_date(args.date_from, "--from"), parse_date(args.date_to, "--to")
    if first is not None and last is not None and first > last:
        raise UsageError(
            f"--from {first} is after --to {last}: the period has no days (both are included; "
            "swap them?)"
        )
    return first, last


def parse_severities(texts: Sequence[str], policy: Policy) -> tuple[int, ...]:
    """--severity as the policy's levels: `1`, `L1`, `P1`, `Level 1 - Urgent` or a name
    (`Urgent`), as an export may write them; an unknown one is refused, naming the levels."""
    from dashboard.severity_labels import parse_severity

    levels: list[int] = []
    problems: list[str] = []
    names = [s.name for s in policy.severities]
    for text in texts:
        [level], [error] = parse_severity(pd.Series([text], dtype=object), policy)
        if error:
            problems.append(f"--severity {text!r} is not a level of the policy"
                            + did_you_mean(text, names))  # fmt: skip
        elif int(level) not in levels:
            levels.append(int(level))
    if problems:
        known = ", ".join(f"{s.level} {s.name}" for s in policy.severities)
        raise UsageError(f"{'; '.join(problems)}; its levels: {known}")
    return tuple(levels)


def close_matches(value: str, known: Iterable[str], *, n: int = 3) -> list[str]:
    """The known values a mistyped one most likely meant: the same text in another case,
    those containing it or contained in it ('Acme' -> 'Acme Payments'), then the nearest by
    spelling (difflib), of the whole value, its words or its start ('Globx' -> 'Globex
    Retail')."""
    typed = " ".join(value.split()).casefold()
    if not typed:
        return []
    by_key: dict[str, str] = {}
    for name in known:
        by_key.setdefault(" ".join(str(name).split()).casefold(), str(name))
    same = [name for key, name in by_key.items() if key == typed]
    within = [name for key, name in by_key.items() if typed in key or key in typed]
    # What difflib compares the typed value with: each value whole, each of its words, and
    # its start as long as what was typed; each leads back to the value it came from.
    candidates: dict[str, str] = {}
    for key, name in by_key.items():
        for part in (key, *key.split(), key[: len(typed)]):
            candidates.setdefault(part, name)
    close = difflib.get_close_matches(typed, list(candidates), n=n * 3, cutoff=0.75)
    spelled = [candidates[part] for part in close]
    return list(dict.fromkeys(same + within + spelled))[:n]


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """' (did you mean 'Acme Payments'?)', or '' when nothing is close."""
    matches = close_matches(value, known)
    if not matches:
        return ""
    quoted = [repr(m) for m in matches]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f" (did you mean {listed}?)"


def refuse_unknown_values(option: str, given: Sequence[str], known: Sequence[str],
                          what: str) -> None:  # fmt: skip
    """Refuse filter values that no stored case has (exit status 2), naming the close ones:
    a mistyped `--customer Acme` would otherwise give a table of zeros that reads as "no
    cases" (issue 15)."""
    problems = []
    for value in dict.fromkeys(given):
        if value in known:
            continue
        problem = f"{option} {value!r}: no stored case has this {what}"
        hint = did_you_mean(value, known)
        if not hint and not known:
            hint = f" (no stored case names a {what})"
        elif not hint and len(known) <= 8:
            hint = f" (those stored: {', '.join(repr(k) for k in known)})"
        elif not hint:
            hint = f" (none of the {len(known)} stored is close to it)"
        problems.append(problem + hint)
    if problems:
        raise UsageError("; ".join(problems))


def zone_option(name: str | None, policy: Policy) -> ZoneInfo:
    """--timezone as a zone (default: the calendar's)."""
    if name is None:
        return policy.calendar.zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {name!r} is not a known time zone (expected an IANA name such as "
            "'Europe/London')"
        ) from None


def shown_url(engine: Engine) -> str:
    """The database as a message may name it: never with its password."""
    return engine.url.render_as_string(hide_password=True)


def load_sample_on_first_use(engine: Engine, policy: Policy, url: str | None) -> None:
    """The embedded default database starts with the bundled sample, so figures show at once."""
    if url is None and not os.environ.get(DATABASE_URL_ENV):
        report = load_sample_if_empty(engine, policy)
        if report is not None:
            print(f"sla-dashboard: note: loaded the bundled sample ({report.inserted} cases) "
                  "into the new embedded database", file=sys.stderr)  # fmt: skip


def refuse_unknown_filters(engine: Engine, filters: Filters) -> None:
    """--customer, --channel, --plan and --source values no stored case has, refused in one
    line."""
    from dashboard.views import filter_options

    if not (filters.customers or filters.channels or filters.plans or filters.sources):
        return
    stored = filter_options(engine)
    problems = []
    for option, given, known, what in (
        ("--customer", filters.customers, stored.customers, "customer"),
        ("--channel", filters.channels, stored.channels, "channel"),
        ("--plan", filters.plans, stored.plans, "plan"),
        ("--source", filters.sources, stored.sources, "source"),
    ):
        try:
            refuse_unknown_values(option, given, known, what)
        except UsageError as exc:
            problems.append(str(exc))
    if problems:
        raise UsageError("; ".join(problems))
