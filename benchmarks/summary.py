"""Every benchmark, then every figure beside its goal: what `make bench` runs (issue 16).

Each benchmark runs in its own process and prints its own tables as it goes; this collects the
`RESULT` lines they print (benchmarks/results.py) and ends with one table: figure, value, goal,
met or not. `--json FILE` also writes the figures, for `benchmarks.compare` or a README update.

    .venv/bin/python -m benchmarks.summary                 # everything, 1M rows (about an hour)
    .venv/bin/python -m benchmarks.summary --quick         # smaller runs, SQLite only (minutes)
    .venv/bin/python -m benchmarks.summary --only engine,compute --json figures.json

Prints figures; asserts nothing. Exits non-zero only when a benchmark itself fails.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.results import Figure, parse

# name -> (module, arguments of the full run, arguments of the quick run or None to skip it)
BENCHMARKS: dict[str, tuple[str, list[str], list[str] | None]] = {
    "engine": ("benchmarks.bench_engine", [], ["--repeat", "5", "--sample", "200"]),
    "compute": ("benchmarks.bench_compute", [], ["--rows", "300000", "--repeat", "1"]),
    "import": ("benchmarks.bench_import", [], ["--rows", "200000", "--skip-postgres"]),
    "events": ("benchmarks.bench_events", [], ["--rows", "100000"]),
    "queries": ("benchmarks.bench_queries", [], ["--skip-postgres", "--repeat", "3"]),
    "pages": ("benchmarks.bench_pages", [], ["--repeat", "1"]),
    "pages-postgres": ("benchmarks.bench_pages", ["--postgres"], None),
    "upload": ("benchmarks.bench_upload", [], ["--skip-postgres"]),
    "xlsx": ("benchmarks.bench_xlsx", [], None),
    "policy": ("benchmarks.bench_policy", [], ["--sizes", "1000", "10000"]),
}


def run(name: str, quick: bool) -> tuple[list[Figure], float]:
    module, full, short = BENCHMARKS[name]
    arguments = short if quick else full
    assert arguments is not None
    print(f"\n## {name}: python -m {module} {' '.join(arguments)}".rstrip(), flush=True)
    began = time.perf_counter()
    figures = []
    with subprocess.Popen(
        [sys.executable, "-u", "-m", module, *arguments],
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            figure = parse(line)
            if figure is not None:
                figures.append(figure)
    if child.returncode != 0:
        raise SystemExit(f"benchmark {name} failed (exit {child.returncode}): see above")
    return figures, time.perf_counter() - began


def table(figures: list[Figure]) -> str:
    width = max([len(f.figure) for f in figures] + [6])
    lines = [f"{'figure':<{width}}  {'value':>10}  {'goal':>10}  verdict"]
    for f in figures:
        goal = "-" if f.goal is None else f"{'<=' if f.lower_is_better else '>='} {_value(f.goal)}"
        verdict = {True: "met", False: "NOT MET", None: ""}[f.met]
        lines.append(
            f"{f.figure:<{width}}  {_value(f.value) + ' ' + f.unit:>10}  {goal:>10}  {verdict}"
        )
    return "\n".join(lines)


def markdown(figures: list[Figure], heading: str) -> str:
    """The same table for the README: one row per figure, goal and verdict."""
    lines = [heading, "", "| Figure | Measured | Goal | |", "|---|---:|---:|---|"]
    for f in figures:
        goal = (
            ""
            if f.goal is None
            else f"{'≤' if f.lower_is_better else '≥'} {_value(f.goal)} {f.unit}"
        )
        verdict = {True: "met", False: "**not met**", None: ""}[f.met]
        lines.append(f"| {f.figure} | {_value(f.value)} {f.unit} | {goal} | {verdict} |")
    return "\n".join(lines) + "\n"


def _value(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def commit() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent,
    )
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, SQLite only")
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table for the README")
    args = parser.parse_args(argv)
    names = list(BENCHMARKS) if not args.only else args.only.split(",")
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if args.quick:
        names = [n for n in names if BENCHMARKS[n][2] is not None]
    began = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    measured = commit()  # at the start: the tree may move during an hour of benchmarks
    figures: list[Figure] = []
    for name in names:
        figures.extend(run(name, args.quick)[0])
    heading = (f"Measured {began}, commit {measured}, {machine()}"
               f"{' (quick runs)' if args.quick else ''}")  # fmt: skip
    print(f"\n# every figure beside its goal: {heading}")
    print(table(figures) if figures else "(no figures)")
    judged = [f for f in figures if f.met is not None]
    print(f"# {sum(f.met for f in judged)} of {len(judged)} goals met")
    if args.markdown:
        Path(args.markdown).write_text(markdown(figures, heading), encoding="utf-8")
    if args.json:
        record = {"commit": measured, "date": began, "machine": machine(), "quick": args.quick,
                  "figures": [f.__dict__ for f in figures]}  # fmt: skip
        Path(args.json).write_text(json.dumps(record, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
