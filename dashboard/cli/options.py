"""What every `sla-dashboard` command shares: its options, and reading them into values.

Errors in an option's value raise UsageError, which the command line shows as one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine

from dashboard.errors import DashboardError
from dashboard.importing import load_sample_if_empty
from dashboard.policy import DEFAULT_POLICY_PATH, Policy, load_policy
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
