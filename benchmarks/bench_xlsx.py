"""Benchmark: workbooks at and past the reader's limits, each read in a fresh process.

Issue 13: a 2 MB .xlsx whose cells held 100 MB passed the old checks and ran 40 minutes at
5 GB. Goal: any workbook is refused, or read (and checked, as `sla-dashboard import` does
before writing) within 30 s and 1.5 GB. Each workbook below is built part by part
(tests/workbooks.py) and prepared by `prepare_file` in its own process, so its peak memory is
its own. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.bench_xlsx
"""

from __future__ import annotations

import argparse
import json
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.memory import peak_mb
from benchmarks.results import report
from tests.workbooks import repeated, workbook

HEADER = ["case_id", "customer", "severity", "created_at", "subject"]


def _cases(count: int, subject) -> list[list]:
    """`count` cases (rows after the header), their subject given by `subject(i)`."""
    return [[0, 1, 2, 3, 4]] + [
        [f"C{i}", "Acme", "P2", f"2026-03-{i % 28 + 1:02d} {9 + i % 8:02d}:00", subject(i)]
        for i in range(count)
    ]


def workbooks() -> dict[str, bytes]:
    """name -> bytes, the hostile ones first."""
    noise = random.Random(1)
    megabyte = "".join(noise.choices(string.ascii_letters, k=2**20))  # compresses 1.3 times
    return {
        # refused from the zip's directory
        "101 MB shared string, 2 cells": workbook(
            _cases(2, lambda i: 5), [*HEADER, repeated(b"x" * 2**20, 101)]
        ),
        "1 MB string, 1,000 times zipped": workbook(
            _cases(100, lambda i: 5), [*HEADER, repeated(b"x" * 2**10, 2**10)]
        ),
        # refused while reading: one 1 MB string used 100 times (the old 40-minute file's shape)
        "1 MB string used in 100 cells": workbook(_cases(100, lambda i: 5), [*HEADER, megabyte]),
        # refused while reading: 100 MB of cell text from one 32,000-character string
        "32 KB string used in 3,300 cells": workbook(
            _cases(3_300, lambda i: 5), [*HEADER, "y" * 32_000]
        ),
        # read: just under the 64 million characters of text, all from one string
        "30 KB string used in 2,200 cells": workbook(
            _cases(2_200, lambda i: 5), [*HEADER, "y" * 30_000]
        ),
        # read: 500,000 cells, all text written inline (the slowest cells openpyxl reads),
        # and no <dimension>, so openpyxl reads the sheet twice (the most cells allowed)
        "99,999 cases x 5, inline text": workbook(
            _cases(99_999, lambda i: f"Subject {i} about the helm chart"), HEADER
        ),
        # read: shared strings just under 16 MB, tiny and distinct (the slowest to parse)
        "16 MB of tiny shared strings": workbook(
            _cases(1_000, lambda i: 5 + i), [*HEADER, *(f"s{i}" for i in range(700_000))]
        ),
    }


def child(path: str) -> None:
    from dashboard.errors import DashboardError
    from dashboard.importer.prepare import prepare_file
    from dashboard.policy import load_policy

    policy = load_policy()
    began = time.perf_counter()
    try:
        prepared = prepare_file(path, policy)
        outcome = f"read: {len(prepared.validated.cases):,} cases"
    except DashboardError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[1][:70] + "..."
    seconds = time.perf_counter() - began
    peak = peak_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "outcome": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print(f"{'workbook':<34} {'file':>8} {'seconds':>8} {'peak MB':>8}  outcome")
    slowest, peak = 0.0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, data in workbooks().items():
            path = Path(folder) / "export.xlsx"
            path.write_bytes(data)
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_xlsx", "--child", str(path)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise SystemExit(f"{name} failed:\n{done.stderr}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            size = f"{len(data) / 2**20:.1f} MB"
            print(f"{name:<34} {size:>8} {result['seconds']:>8.1f} {result['peak_mb']:>8.0f}  "
                  f"{result['outcome']}")  # fmt: skip
            slowest, peak = max(slowest, result["seconds"]), max(peak, result["peak_mb"])
    report("slowest workbook read or refused", slowest, 30, "s")
    report("workbook peak MB", peak, 1500, "MB")


if __name__ == "__main__":
    main()
