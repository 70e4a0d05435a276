"""Databases larger than one export: 10M cases loaded as ten imports of 1M (issue 16).

One 10M-row export would need the generator and the importer to hold 10M rows at once (tens of
GB); a team that holds 10M cases has imported them over time anyway. Each part is its own
seeded export (`FLXnn-` case ids, so no part updates another's cases) over the same 18 months,
generated once and kept in the benchmark folder.

    .venv/bin/python -m benchmarks.bench_pages --postgres --rows 10000000
"""

from __future__ import annotations

import time
from pathlib import Path

PART = 1_000_000


def parts(rows: int, folder: Path) -> list[Path]:
    """The exports whose cases add up to `rows`, generated where missing."""
    from dashboard import sample_data
    from dashboard.policy import load_policy

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, start in enumerate(range(0, rows, PART)):
        size = min(PART, rows - start)
        path = folder / f"part_{number:02d}_{size}.csv"
        if not path.exists():
            began = time.perf_counter()
            generated = sample_data.generate(
                load_policy(), cases=size, seed=100 + number, data_problems=False,
                id_prefix=f"FLX{number:02d}",
            )  # fmt: skip
            partial = path.with_suffix(".partial")
            with open(partial, "w", encoding="utf-8", newline="") as out:
                sample_data.write(generated, out)
            partial.rename(path)  # a run stopped half-way leaves no half file to reuse
            print(f"# generated {path.name} in {time.perf_counter() - began:.0f} s", flush=True)
        paths.append(path)
    return paths


def load(engine, rows: int, policy, folder: Path) -> None:
    """Import the parts one by one, as a team's imports over time would."""
    from dashboard.importer.prepare import prepare_file
    from dashboard.importing import import_prepared

    for path in parts(rows, folder):
        began = time.perf_counter()
        import_prepared(engine, [prepare_file(path, policy)], policy, source="canonical")
        print(f"# imported {path.name} in {time.perf_counter() - began:.0f} s", flush=True)
