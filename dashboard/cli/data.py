"""Commands that put data in and take it out: import, recompute, export, demo."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from dashboard import sample_data
from dashboard.cli.options import (
    UsageError,
    add_db_option,
    add_format_options,
    add_json_option,
    add_policy_option,
    load_policy_noting_warnings,
    refuse_the_database,
    shown_url,
    zone_option,
)
from dashboard.compute_csv import rejects_frame
from dashboard.export import export_canonical
from dashboard.files import atomic_text, staged_csvs, write_csvs
from dashboard.importer.prepare import PreparedFile, choose_format, prepare_file
from dashboard.importer.rejections import refuse_if_nothing_stored
from dashboard.importing import import_prepared, stale_cases
from dashboard.recompute import recompute_stored
from dashboard.store import opened

COUNT_KEYS = ("read", "inserted", "updated", "unchanged", "rejected")


def add_parsers(commands) -> None:
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
    add_db_option(importer)
    add_format_options(importer)
    importer.add_argument(
        "--source",
        help="the helpdesk these cases come from (default: the format's name); case ids are "
        "unique per source",
    )
    importer.add_argument(
        "--keep-both",
        action="store_true",
        help="store case ids already stored under another source as cases of this source too "
        "(each is then counted under both); refused by default",
    )
    importer.add_argument(
        "--rejects-dir",
        type=Path,
        metavar="DIR",
        help="where to write NAME.rejects.csv for files with rejected rows (default: beside "
        "each file)",
    )
    add_json_option(importer)
    add_policy_option(importer)
    importer.set_defaults(handler=import_command)

    recompute = commands.add_parser(
        "recompute",
        help="re-score stored cases under the current policy",
        description=(
            "Recompute deadlines, business response times and verdicts of stored cases scored "
            "under another policy (all of them with --all). Imported fields are never rewritten."
        ),
    )
    add_db_option(recompute)
    add_policy_option(recompute)
    recompute.add_argument("--all", action="store_true", help="re-score every stored case")
    recompute.set_defaults(handler=recompute_command)

    export = commands.add_parser(
        "export",
        help="write stored cases as a canonical CSV",
        description="Write stored cases (one source, or all) as our canonical CSV; importing it "
        "again with the same --source changes nothing.",
    )
    export.add_argument("--out", type=Path, required=True, help="the CSV to write")
    export.add_argument("--source", help="only cases from this source")
    add_db_option(export)
    export.set_defaults(handler=export_command)

    demo = commands.add_parser(
        "demo",
        help="generate a realistic sample export and import it (or write it with --out)",
    )
    demo.add_argument("--rows", type=int, default=2000, help="how many cases (default 2000)")
    demo.add_argument("--seed", type=int, default=20250601, help="random seed")
    demo.add_argument("--out", type=Path, help="write the export here instead of importing it")
    add_db_option(demo)
    add_policy_option(demo)
    demo.set_defaults(handler=demo_command)


def import_command(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    zone = zone_option(args.timezone, policy) if args.timezone else None
    forced = choose_format(args.format, args.map)
    # Every file is read and checked before the database is touched: one unusable file stops
    # the whole command and nothing is written.
    prepared = [
        prepare_file(path, policy, forced=forced, zone=zone,
                     date_order=args.date_order)
        for path in args.files
    ]  # fmt: skip
    # A file whose every row was rejected would store nothing (issue 12): refused like an
    # unusable one, before the database is touched.
    refuse_if_nothing_stored(prepared)
    rejects_paths = _rejects_paths(prepared, args.rejects_dir)
    staged = [
        (rejects_frame(item.validated.rejects), path)
        for item, path in zip(prepared, rejects_paths, strict=True)
        if path is not None
    ]
    # The rejects files are written (but not yet in place) before the database is touched,
    # and put in place only once it has committed: an unwritable folder stops everything.
    with staged_csvs(staged), opened(args.db) as engine:
        reports = import_prepared(engine, prepared, policy, source=args.source,
                                  keep_both=args.keep_both)  # fmt: skip
        stale = stale_cases(engine, policy)
        shown = shown_url(engine)
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
    return 0


def _rejects_paths(prepared: list[PreparedFile], folder: Path | None) -> list[Path | None]:
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


def recompute_command(args: argparse.Namespace) -> int:
    policy = load_policy_noting_warnings(args.policy)
    with opened(args.db) as engine:
        report = recompute_stored(engine, policy, everything=args.all)
        print(
            f"recomputed {report.recomputed} case(s) under policy {report.policy_fingerprint} "
            f"({report.already_current} already current) in {shown_url(engine)}"
        )
    return 0


def export_command(args: argparse.Namespace) -> int:
    refuse_the_database([args.out], args.db)
    with opened(args.db) as engine:
        frame = export_canonical(engine, source=args.source)
    write_csvs([(frame, args.out)])
    print(f"wrote {len(frame)} case(s) to {args.out}")
    return 0


def demo_command(args: argparse.Namespace) -> int:
    if args.rows < 1:
        raise UsageError(f"--rows must be at least 1 (got {args.rows})")
    policy = load_policy_noting_warnings(args.policy)
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = end - dt.timedelta(days=548)  # about 18 months
    # Ids of their own: these are not the bundled sample's cases, though generated alike
    rows = sample_data.generate(policy, cases=args.rows, seed=args.seed, start=start, end=end,
                                id_prefix="DEMO")  # fmt: skip
    if args.out:
        with atomic_text(args.out) as out:
            sample_data.write(rows, out)
        print(f"wrote {len(rows)} demo cases to {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"demo-seed{args.seed}.csv"
        with open(path, "w", encoding="utf-8", newline="") as out:
            sample_data.write(rows, out)
        prepared = prepare_file(path, policy)
        with opened(args.db) as engine:
            [report] = import_prepared(engine, [prepared], policy, source="demo")
            shown = shown_url(engine)
    print(f"demo: {_counts(report.as_dict())} -> {shown}")
    return 0


def _counts(numbers: dict) -> str:
    return ", ".join(f"{numbers[k]} {k}" for k in COUNT_KEYS)
