"""The `sla-dashboard` command (also `python -m dashboard`).

Errors we expect (bad policy, unusable file, bad option value) end with one line on stderr and
exit status 2; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy.exc

from dashboard import __version__, cli_analytics, sample_data
from dashboard.compute_csv import compute_file, rejects_frame
from dashboard.errors import DashboardError, DashboardWarning
from dashboard.export import export_canonical
from dashboard.files import atomic_text, staged_csvs, write_csvs
from dashboard.importer.prepare import choose_format, prepare_file
from dashboard.importing import import_prepared, stale_cases
from dashboard.policy import DEFAULT_POLICY_PATH, Policy, load_policy
from dashboard.recompute import recompute_stored
from dashboard.store import opened
from dashboard.timestamps import format_instants, parse_instant

EXIT_OK, EXIT_ERROR = 0, 2


class UsageError(DashboardError):
    """A command-line option has a value we cannot use."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", DashboardWarning)  # ours: always shown, as one line
        warnings.showwarning = _show_warning
        return _run(args)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"sla-dashboard: warning: {message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.handler(args)
    except DashboardError as exc:
        print(f"sla-dashboard: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except sqlalchemy.exc.OperationalError as exc:  # the server is down, the file locked...
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        print(f"sla-dashboard: error: the database cannot be used: {reason}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head` and closed: not an error of ours
        sys.stderr.close()
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sla-dashboard",
        description="Recompute business-hour SLA figures from helpdesk case exports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    _add_policy_option(compute)
    compute.add_argument(
        "--as-of",
        metavar="ISO",
        help="judge unanswered cases at this instant (default: now); without an offset it is "
        "local time in --timezone",
    )
    _add_format_options(compute)
    compute.set_defaults(handler=_compute)

    importer = commands.add_parser(
        "import",
        help="import helpdesk exports into the database",
        description=(
            "Import one or more exports (CSV in any common encoding and delimiter, or .xlsx) "
            "into the database: the format is detected from the headers, every row is accepted "
            "or rejected with a reason, and cases are upserted by (source, case id), so "
            "importing the same file twice changes nothing. All files land in one transaction."
        ),
    )
    importer.add_argument("files", type=Path, nargs="+", metavar="FILE")
    _add_db_option(importer)
    _add_format_options(importer)
    importer.add_argument(
        "--source",
        help="the helpdesk these cases come from (default: the format's name); case ids are "
        "unique per source",
    )
    importer.add_argument(
        "--rejects-dir",
        type=Path,
        metavar="DIR",
        help="where to write NAME.rejects.csv for files with rejected rows (default: beside "
        "each file)",
    )
    importer.add_argument("--json", action="store_true", help="print one JSON object")
    _add_policy_option(importer)
    importer.set_defaults(handler=_import)

    recompute = commands.add_parser(
        "recompute",
        help="re-score stored cases under the current policy",
        description=(
            "Recompute deadlines, business response times and verdicts of stored cases scored "
            "under another policy (all of them with --all). Imported fields are never rewritten."
        ),
    )
    _add_db_option(recompute)
    _add_policy_option(recompute)
    recompute.add_argument("--all", action="store_true", help="re-score every stored case")
    recompute.set_defaults(handler=_recompute)

    export = commands.add_parser(
        "export",
        help="write stored cases as a canonical CSV",
        description="Write stored cases (one source, or all) as our canonical CSV; importing it "
        "again with the same --source changes nothing.",
    )
    export.add_argument("--out", type=Path, required=True, help="the CSV to write")
    export.add_argument("--source", help="only cases from this source")
    _add_db_option(export)
    export.set_defaults(handler=_export)

    demo = commands.add_parser(
        "demo",
        help="generate a realistic sample export and import it (or write it with --out)",
    )
    demo.add_argument("--rows", type=int, default=2000, help="how many cases (default 2000)")
    demo.add_argument("--seed", type=int, default=20250601, help="random seed")
    demo.add_argument("--out", type=Path, help="write the export here instead of importing it")
    _add_db_option(demo)
    _add_policy_option(demo)
    demo.set_defaults(handler=_demo)

    cli_analytics.add_parsers(commands, add_db=_add_db_option, add_policy=_add_policy_option)
    return parser


def _add_db_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $SLA_DATABASE_URL, else the SQLite file data/"
        "sla_dashboard.sqlite); PostgreSQL: postgresql+psycopg://USER@HOST/DB",
    )


def _add_format_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--timezone",
        metavar="TZ",
        help="zone of times written without an offset (default: the calendar's zone)",
    )
    command.add_argument(
        "--format",
        metavar="NAME",
        help="read the file as this export format instead of detecting it "
        "(canonical, zendesk, jira_service_management, freshdesk, servicenow, "
        "servicenow_rest, zammad)",
    )
    command.add_argument(
        "--map", type=Path, metavar="FILE", help="read the file with this mapping file"
    )
    command.add_argument(
        "--date-order",
        choices=["DMY", "MDY"],
        help="day/month order for numeric dates, when the file itself cannot tell",
    )


def _add_policy_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--policy",
        type=Path,
        default=DEFAULT_POLICY_PATH,
        metavar="PATH",
        help="policy file (default: data/policy.toml)",
    )


def load_policy_noting_warnings(path: Path) -> Policy:
    policy = load_policy(path)
    for warning in policy.warnings:
        print(f"sla-dashboard: warning: {warning}", file=sys.stderr)
    return policy


def parse_as_of(text: str | None, policy: Policy, *, zone: ZoneInfo | None = None) -> dt.datetime:
    """--as-of (local time in `zone`, else the calendar's, unless it has an offset), or now."""
    if text is None:
        return dt.datetime.fromtimestamp(_now(), dt.UTC)
    try:
        seconds = parse_instant(text, zone=zone or policy.calendar.zone, what="--as-of")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _zone(name: str | None, policy: Policy) -> ZoneInfo:
    if name is None:
        return policy.calendar.zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {name!r} is not a known time zone (expected an IANA name such as "
            "'Europe/London')"
        ) from None


def _now() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp())


def _import(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    zone = _zone(args.timezone, policy) if args.timezone else None
    forced = choose_format(args.format, args.map)
    # Every file is read and checked before the database is touched: one unusable file stops
    # the whole command and nothing is written.
    prepared = [
        prepare_file(path, policy, forced=forced, zone=zone,
                     date_order=args.date_order)
        for path in args.files
    ]  # fmt: skip
    rejects_paths = _rejects_paths(prepared, args.rejects_dir)
    staged = [
        (rejects_frame(item.validated.rejects), path)
        for item, path in zip(prepared, rejects_paths, strict=True)
        if path is not None
    ]
    # The rejects files are written (but not yet in place) before the database is touched,
    # and put in place only once it has committed: an unwritable folder stops everything.
    with staged_csvs(staged), opened(args.db) as engine:
        reports = import_prepared(engine, prepared, policy, source=args.source)
        stale = stale_cases(engine, policy)
        shown = _shown_url(engine)
    files = [
        {**report.as_dict(), "rejects_file": str(path) if path else None}
        for report, path in zip(reports, rejects_paths, strict=True)
    ]
    totals = {k: sum(f[k] for f in files) for k in COUNT_KEYS}
    if args.json:
        print(json.dumps({**totals, "files": files, "database": shown,
                          "stale_cases": stale}, indent=2))  # fmt: skip
    else:
        for file in files:
            print(f"{file['file']}: {_counts(file)}")
            for note in file["notes"]:
                print(f"  {note}")
            if file["rejects_file"]:
                print(f"  rejected rows, with reasons -> {file['rejects_file']}")
        print(f"total: {_counts(totals)} -> {shown}")
    if stale:
        print(
            f"sla-dashboard: note: {stale} stored case(s) were scored under another policy; "
            "run sla-dashboard recompute",
            file=sys.stderr,
        )
    return EXIT_OK


def _rejects_paths(prepared, folder: Path | None) -> list[Path | None]:
    """NAME.rejects.csv beside each file (or in --rejects-dir), never two files on one name."""
    paths: list[Path | None] = []
    taken: set[Path] = set()
    for item in prepared:
        if not item.validated.rejects:
            paths.append(None)
            continue
        base = (folder or item.path.parent) / f"{item.path.stem}.rejects.csv"
        path, copy = base, 1
        while path.resolve() in taken:
            copy += 1
            path = base.with_name(f"{item.path.stem}-{copy}.rejects.csv")
        taken.add(path.resolve())
        paths.append(path)
    return paths


def _recompute(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    with opened(args.db) as engine:
        report = recompute_stored(engine, policy, everything=args.all)
        print(
            f"recomputed {report.recomputed} case(s) under policy {report.policy_fingerprint} "
            f"({report.already_current} already current) in {_shown_url(engine)}"
        )
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    with opened(args.db) as engine:
        frame = export_canonical(engine, source=args.source)
    write_csvs([(frame, args.out)])
    print(f"wrote {len(frame)} case(s) to {args.out}")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    if args.rows < 1:
        raise UsageError(f"--rows must be at least 1 (got {args.rows})")
    policy = load_policy_noting_warnings(args.policy)
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = end - dt.timedelta(days=548)  # about 18 months
    rows = sample_data.generate(policy, cases=args.rows, seed=args.seed, start=start, end=end)
    if args.out:
        with atomic_text(args.out) as out:
            sample_data.write(rows, out)
        print(f"wrote {len(rows)} demo cases to {args.out}")
        return EXIT_OK
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"demo-seed{args.seed}.csv"
        with open(path, "w", encoding="utf-8", newline="") as out:
            sample_data.write(rows, out)
        prepared = prepare_file(path, policy)
        with opened(args.db) as engine:
            [report] = import_prepared(engine, [prepared], policy, source="demo")
            shown = _shown_url(engine)
    print(f"demo: {_counts(report.as_dict())} -> {shown}")
    return EXIT_OK


COUNT_KEYS = ("read", "inserted", "updated", "unchanged", "rejected")


def _counts(numbers: dict) -> str:
    return ", ".join(f"{numbers[k]} {k}" for k in COUNT_KEYS)


def _shown_url(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _compute(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    zone = _zone(args.timezone, policy) if args.timezone else None
    as_of = int(parse_as_of(args.as_of, policy, zone=zone).timestamp())
    rejects_path = args.rejects or args.out.with_name(f"{args.out.stem}.rejects.csv")
    if args.export.resolve() in (args.out.resolve(), rejects_path.resolve()):
        raise UsageError(f"refusing to overwrite the input {args.export} with results")

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
    return EXIT_OK
