"""Benchmark: a 100,000-case export uploaded on the Import page to figures on the Overview.

What a new user waits for (issue 16): on a database holding the bundled sample (as the first
`make run` leaves it), the Import page is given the export, the Import button is pressed, and
the Overview is opened until its figures are drawn. Driven through AppTest, the same script a
browser session runs: the file's transfer over the network and the browser's drawing are not
in the figure (on one machine, a 20 MB upload is a fraction of a second).

Prints the seconds of each step and the total beside the goal (<= 10 s), per database, and a
`RESULT` line per database for `benchmarks.summary`. Asserts nothing.

    .venv/bin/python -m benchmarks.bench_upload [--cases N] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from benchmarks.bench_import import POSTGRES, WORKDIR
from benchmarks.bench_pages import APP, _check
from benchmarks.results import report
from dashboard import ui
from dashboard.importing import load_sample_if_empty
from dashboard.policy import load_policy
from dashboard.store import make_engine, open_database

GOAL_SECONDS = 10.0
SCHEMA = "bench_upload"


def make_upload(cases: int) -> Path:
    """A canonical export whose case ids are not the sample's (so it is new cases, not updates)."""
    path = WORKDIR / f"upload_{cases}.csv"
    if path.exists():
        return path
    WORKDIR.mkdir(parents=True, exist_ok=True)
    from dashboard import sample_data

    rows = sample_data.generate(
        load_policy(), cases=cases, seed=16, data_problems=False, id_prefix="UPL"
    )
    with open(path, "w", encoding="utf-8", newline="") as out:
        sample_data.write(rows, out)
    return path


def fresh_database(url: str) -> None:
    """An empty schema holding only the bundled sample, as a first `make run` leaves it."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:  # a schema of its own: other benchmarks keep theirs in the same database
        engine = make_engine(url.split("?")[0])
        with engine.begin() as connection:
            connection.exec_driver_sql(f"drop schema if exists {SCHEMA} cascade")
            connection.exec_driver_sql(f"create schema {SCHEMA}")
        engine.dispose()
    engine = open_database(url)
    load_sample_if_empty(engine, load_policy())
    engine.dispose()


def measure(url: str, upload: Path) -> dict[str, float]:
    os.environ["SLA_DATABASE_URL"] = url
    ui.clear_caches()
    app = AppTest.from_file(str(APP), default_timeout=600)
    app.run()
    app.switch_page("app_pages/import_data.py")
    app.run()
    _check(app)
    content = upload.read_bytes()
    steps: dict[str, float] = {}

    began = time.perf_counter()
    app.file_uploader[0].upload(upload.name, content, "text/csv").run()
    steps["read and check the file"] = time.perf_counter() - began
    _check(app)

    began = time.perf_counter()
    app.button(key="import").click().run()
    steps["import (store, score, summaries)"] = time.perf_counter() - began
    _check(app)
    if not any("Imported:" in s.value for s in app.success):
        raise SystemExit(f"the import did not finish: {[m.value for m in app.markdown][:5]}")

    began = time.perf_counter()
    app.switch_page("app_pages/overview.py")
    app.run()
    steps["the Overview's figures"] = time.perf_counter() - began
    _check(app)
    if not app.metric:
        raise SystemExit("the Overview shows no figures after the import")
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("SLA_TEST_POSTGRES_URL", POSTGRES))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    upload = make_upload(args.cases)
    print(f"# Import page: {args.cases:,}-case export ({upload.stat().st_size / 1e6:.0f} MB) "
          "uploaded onto the bundled sample, to the Overview's figures (AppTest)")  # fmt: skip
    targets = [("SQLite", f"sqlite:///{WORKDIR / 'upload.sqlite'}")]
    if not args.skip_postgres:
        targets.append(("PostgreSQL", f"{args.postgres}?options=-csearch_path%3D{SCHEMA}"))
    results = []
    for name, url in targets:
        fresh_database(url)
        steps = measure(url, upload)
        total = sum(steps.values())
        print(f"\n{name}")
        for step, seconds in steps.items():
            print(f"  {step:<36}{seconds:>7.2f} s")
        flag = "" if total <= GOAL_SECONDS else "   over the goal"
        print(f"  {'upload to figures':<36}{total:>7.2f} s   (goal <= {GOAL_SECONDS:.0f} s){flag}")
        results.append((name, total))
    for name, total in results:
        figure = f"Import page {args.cases // 1000}k upload to Overview figures ({name})"
        report(figure, total, GOAL_SECONDS, "s")


if __name__ == "__main__":
    main()
