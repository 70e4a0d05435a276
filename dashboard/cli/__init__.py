"""The `sla-dashboard` command (also `python -m dashboard`).

One module per group of commands, each adding its parsers and handlers; options and the
reading of their values are shared from dashboard/cli/options.py. Nothing below imports this
package. Errors we expect (bad policy, unusable file, bad option value) end with one line on
stderr and exit status 2; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

import sqlalchemy.exc

from dashboard import __version__
from dashboard.cli import compute, data, figures, reconcile, report, sources
from dashboard.errors import DashboardError, DashboardWarning
from dashboard.store import database_url, not_a_database, not_sqlite_message

EXIT_OK, EXIT_ERROR = 0, 2
COMMAND_GROUPS = (compute, data, figures, reconcile, report, sources)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", DashboardWarning)  # ours: always shown, as one line
        warnings.showwarning = _show_warning
        return _run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sla-dashboard",
        description="Recompute business-hour SLA figures from helpdesk case exports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.add_parsers(commands)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"sla-dashboard: warning: {message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.handler(args)
    except DashboardError as exc:
        print(f"sla-dashboard: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except sqlalchemy.exc.DatabaseError as exc:
        # The server is down, the file locked, or (SQLite) a page of the file is damaged: a
        # damage found past opening it, in the middle of a command (opening checks the rest).
        if not_a_database(None, exc):
            url = database_url(getattr(args, "db", None))
            print(f"sla-dashboard: error: {not_sqlite_message(url, exc)}", file=sys.stderr)
            return EXIT_ERROR
        if not isinstance(exc, sqlalchemy.exc.OperationalError):
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        print(f"sla-dashboard: error: the database cannot be used: {reason}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        sys.stderr.close()
        return EXIT_OK
