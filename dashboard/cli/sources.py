"""`sla-dashboard sources`: each source's cases, span and imports; `--remove NAME --yes`
deletes a whole source (dashboard/sources.py)."""

from __future__ import annotations

import argparse
import json

from dashboard.access import login_name
from dashboard.cli.options import UsageError, add_db_option, add_json_option
from dashboard.sources import remove_import, remove_source, sources
from dashboard.store import opened


def add_parsers(commands) -> None:
    command = commands.add_parser(
        "sources",
        help="list the data sources (cases, span, imports), or remove one",
        description=(
            "Each source the stored cases come from: its cases and unscored cases, the days "
            "they were created, its imports (how many, the last one's time, file and user) and "
            "the formats read. --remove NAME --yes deletes every case of that source, their "
            "histories and its rejected rows in one transaction (the import log keeps its "
            "lines, and the removal is recorded with who did it). --remove-import ID --yes "
            "deletes what one import brought in, where that can be undone exactly."
        ),
    )
    add_db_option(command)
    removal = command.add_mutually_exclusive_group()
    removal.add_argument("--remove", metavar="NAME", help="remove this source's cases")
    removal.add_argument(
        "--remove-import",
        type=int,
        metavar="ID",
        help="remove what one import brought in (its id: the import log)",
    )
    command.add_argument("--yes", action="store_true", help="confirm a removal")
    add_json_option(command)
    command.set_defaults(handler=sources_command)


def sources_command(args: argparse.Namespace) -> int:
    with opened(args.db) as engine:
        if args.remove_import is not None:
            if not args.yes:
                raise UsageError(f"--remove-import {args.remove_import} deletes the cases it "
                                 "brought in: give --yes to confirm")  # fmt: skip
            gone = remove_import(engine, args.remove_import, login_name())
            print(json.dumps(gone.__dict__) if args.json else gone.message())
            return 0
        if args.remove is not None:
            listed = sources(engine)
            held = listed.set_index("source")["cases"].to_dict()
            if args.remove in held and not args.yes:
                raise UsageError(
                    f"--remove {args.remove!r} deletes its {held[args.remove]:,} case(s) and "
                    "cannot be undone (re-import its exports to restore them): give --yes to "
                    "confirm"
                )
            removed = remove_source(engine, args.remove, login_name())
            print(json.dumps(removed.__dict__) if args.json else removed.message())
            return 0
        listed = sources(engine)
    if args.json:
        print(listed.to_json(orient="records", date_format="iso", indent=2))
        return 0
    if listed.empty:
        print("no stored case: nothing imported yet")
        return 0
    for row in listed.itertuples():
        print(f"{row.source}: {row.cases:,} case(s) ({row.unscored:,} unscored), created "
              f"{row.first_day} .. {row.last_day}")  # fmt: skip
        if row.imports == row.imports:  # NaN: no import line (only for a scoped reader)
            print(f"  {int(row.imports)} import(s), the last {row.last_import_at:%Y-%m-%d %H:%M} "
                  f"UTC ({row.last_file}, by {row.last_user}); formats: {row.formats}")  # fmt: skip
    return 0
