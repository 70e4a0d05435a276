"""Soak: many imports and page renders against one database; prints errors, the final case
count against the exact expected one, and memory growth (issue #7).

Imports alternate between the CLI and the app's Import page (uploads through AppTest); each
export overlaps the one before (updates as well as inserts) and carries a few bad rows
(rejected, never stored). Between imports, pages are rendered with changing filters.

    .venv/bin/python -m benchmarks.soak [--imports 20] [--renders 200] [--rows 2000] [--db URL]

Exit status 1 when anything failed or the count is off.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from benchmarks.memory import peak_mb
from dashboard.cli import main as cli
from dashboard.store import cases, make_engine

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = [None, "app_pages/attainment.py", "app_pages/backlog.py", "app_pages/dismissals.py",
         "app_pages/customers.py", "app_pages/import_data.py", "app_pages/policy.py"]  # fmt: skip
PERIODS = ["Last 12 months", "Last quarter", "All time", "Last month"]
CUSTOMERS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
HEADER = "case_id,customer,plan,severity,created_at,first_response_at,resolved_at,channel\n"


def export(number: int, rows: int, rng: random.Random) -> tuple[str, set[str]]:
    """Rows whose ids overlap the previous export's by half, plus three bad rows."""
    first = number * rows // 2
    lines, ids = [], set()
    for i in range(first, first + rows):
        day = 1 + i % 27
        hour = 8 + rng.randrange(10)
        answered = rng.random() < 0.95
        lines.append(
            f"S{i:07d},{rng.choice(CUSTOMERS)},Enterprise,P{1 + i % 4},"
            f"2026-{1 + i % 10:02d}-{day:02d} {hour:02d}:{rng.randrange(60):02d},"
            + (f"2026-{1 + i % 10:02d}-{day:02d} {min(hour + 2, 23):02d}:00," if answered else ",")
            + ("" if rng.random() < 0.1 else f"2026-{1 + i % 10:02d}-{min(day + 1, 28):02d} 12:00")
            + ",portal\n"
        )
        ids.add(f"S{i:07d}")
    lines += [
        f"BAD{number}A,Acme,Enterprise,P9,2026-03-03 10:00,,,portal\n",
        f"BAD{number}B,Acme,Enterprise,P1,not a date,,,portal\n",
        f"BAD{number}C,Acme,Enterprise,P1,1899-03-03 10:00,,,portal\n",
    ]
    return HEADER + "".join(lines), ids


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imports", type=int, default=20)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--rows", type=int, default=2_000, help="cases per export")
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="sla-soak-"))
    url = args.db or f"sqlite:///{folder / 'soak.sqlite'}"
    os.environ["SLA_DATABASE_URL"] = url
    rng = random.Random(args.seed)
    expected: set[str] = set()
    errors: list[str] = []
    renders_per_import = max(1, args.renders // max(1, args.imports))
    rendered = 0
    baseline = None
    began = time.perf_counter()
    for number in range(args.imports):
        text, ids = export(number, args.rows, rng)
        expected |= ids
        path = folder / f"export_{number:02d}.csv"
        path.write_text(text)
        if number % 2 == 0:
            with contextlib.redirect_stdout(io.StringIO()):  # its report: not ours to print
                code = cli(["import", str(path), "--db", url, "--rejects-dir", str(folder)])
            if code != 0:
                errors.append(f"import {number} (CLI): exit {code}")
        else:
            errors += _page_import(path, number)
        for _ in range(renders_per_import):
            if rendered >= args.renders:
                break
            errors += _render(rng, rendered)
            rendered += 1
            if rendered == min(20, args.renders):
                gc.collect()
                baseline = rss_mb()  # after the caches and imports have warmed up
    while rendered < args.renders:
        errors += _render(rng, rendered)
        rendered += 1
    gc.collect()
    engine = make_engine(url)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(cases)).scalar_one()
    engine.dispose()
    end = rss_mb()
    peak = peak_mb()
    print(f"imports        {args.imports} ({args.rows:,} rows each, half overlapping the one "
          "before, 3 bad rows each)")  # fmt: skip
    print(f"page renders   {rendered}")
    print(f"errors         {len(errors)}")
    for error in errors[:20]:
        print(f"  {error}")
    print(f"cases stored   {stored:,} (expected exactly {len(expected):,}: "
          f"{'ok' if stored == len(expected) else 'WRONG'})")  # fmt: skip
    print(f"memory (RSS)   {baseline or end:,.0f} MB after warm-up -> {end:,.0f} MB at the end "
          f"(+{end - (baseline or end):,.0f} MB); peak {peak:,.0f} MB")  # fmt: skip
    print(f"time           {time.perf_counter() - began:,.0f} s; database {url}")
    return 0 if not errors and stored == len(expected) else 1


def _page_import(path: Path, number: int) -> list[str]:
    app = AppTest.from_file(str(APP), default_timeout=300)
    app.run()
    app.switch_page("app_pages/import_data.py").run()
    app.file_uploader[0].upload(path.name, path.read_bytes(), "text/csv").run()
    problems = _problems(app, f"import {number} (page)")
    if not problems:
        app.button(key="import").click().run()
        problems = _problems(app, f"import {number} (page)")
        if not problems and not app.success:
            problems = [f"import {number} (page): no success message"]
    return problems


def _render(rng: random.Random, index: int) -> list[str]:
    app = AppTest.from_file(str(APP), default_timeout=300)
    app.query_params["period"] = rng.choice(PERIODS)
    if rng.random() < 0.5:
        app.query_params["customer"] = rng.choice(CUSTOMERS)
    app.run()
    page = PAGES[index % len(PAGES)]
    if page is not None:
        app.switch_page(page).run()
    return _problems(app, f"render {index} ({page or 'overview'})")


def _problems(app: AppTest, where: str) -> list[str]:
    found = [f"{where}: exception {e.message}" for e in app.exception]
    found += [f"{where}: error {e.value}" for e in app.error]
    return found


if __name__ == "__main__":
    sys.exit(main())
