"""Benchmark: `sla-dashboard compute` on a canonical export, beside pandas reading and writing
the same file.

The export is generated (seeded, cached in the temp folder) from dashboard/sample_data.py, its
time columns rewritten the way real exports mix them: `Z`, `+01:00` and `-05:00` offsets,
fractions of a second (3 or 6 digits), and naive local wall times (Europe/London, the policy's
zone), row by row. The floor is pandas `read_csv(dtype=str)` + `to_csv` of that file (no
validation, no figures); ours is exactly what `sla-dashboard compute FILE --out OUT` runs
(the CLI's own main: read, detect, validate, score, write the results and the rejects file).
Each run is a fresh process, so its peak memory is its own. Prints figures; asserts nothing.
Goal (issue #16): ours <= 2x the floor, at 300k and 1M rows.

    .venv/bin/python -m benchmarks.bench_compute [--rows 300000,1000000] [--repeat 3]
        [--profile FILE]

--rows 100000 is a quick run; --profile runs only ours, once, under cProfile.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.memory import peak_mb

WORKDIR = Path(tempfile.gettempdir()) / "sla-dashboard-bench"
GENERATOR = 1  # bump when the generated file changes, so a cached one is not reused
SEED = 16
AS_OF = "2026-11-21T00:00:00Z"  # fixed, so that every run scores the same figures
GOAL = 2.0
TIME_COLUMNS = ("created_at", "first_response_at", "resolved_at")


def make_export(rows: int) -> Path:
    path = WORKDIR / f"compute_mixed_{rows}_g{GENERATOR}.csv"
    if path.exists():
        return path
    WORKDIR.mkdir(parents=True, exist_ok=True)
    import numpy as np
    import pandas as pd

    from dashboard import sample_data
    from dashboard.policy import load_policy

    policy = load_policy()
    generated = sample_data.generate(policy, cases=rows, seed=SEED, data_problems=False)
    frame = pd.DataFrame(generated, columns=list(sample_data.COLUMNS), dtype=object)
    del generated
    rng = np.random.default_rng(SEED)
    for column in TIME_COLUMNS:
        frame[column] = mixed_times(frame[column], rng, policy.calendar.zone.key)
    partial = path.with_suffix(".partial")
    frame.to_csv(partial, index=False, lineterminator="\n")
    partial.replace(path)
    return path


def mixed_times(values, rng, zone: str):
    """`Z` times ('' kept) rewritten, row by row, as one of the forms exports use."""
    import numpy as np
    import pandas as pd

    text = values.to_numpy(dtype=object)
    present = text != ""
    instants = pd.to_datetime(pd.Series(text[present]), format="%Y-%m-%dT%H:%M:%SZ", utc=True)
    n = int(present.sum())
    # 0 Z, 1 +01:00, 2 -05:00, 3 naive local; a fraction of a second on about a third
    kind = rng.choice(4, size=n, p=[0.3, 0.25, 0.15, 0.3])
    shift = np.array([0, 3600, -5 * 3600, 0])[kind]
    walls = instants.dt.tz_localize(None) + pd.to_timedelta(shift, unit="s")
    local = instants.dt.tz_convert(zone).dt.tz_localize(None)
    walls = walls.where(kind != 3, local)
    stamps = walls.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
    digits = rng.integers(0, 1_000_000, size=n)
    fraction = rng.choice(3, size=n, p=[0.65, 0.2, 0.15])  # none, .123, .123456
    suffix = np.array(["Z", "+01:00", "-05:00", ""], dtype=object)[kind]
    out = text.copy()
    out[present] = [
        f"{stamp}{'' if f == 0 else (f'.{d // 1000:03d}' if f == 1 else f'.{d:06d}')}{s}"
        for stamp, f, d, s in zip(stamps, fraction, digits, suffix, strict=True)
    ]
    return out


def run(kind: str, path: Path, profile: str | None = None) -> dict:
    """One measured run in a child process; returns its seconds and peak RSS."""
    command = [sys.executable, "-m", "benchmarks.bench_compute", "--child", kind, str(path)]
    if profile:
        command += ["--profile", profile]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(kind: str, path: str, profile: str | None = None) -> None:
    import pandas as pd

    out = WORKDIR / f"{Path(path).stem}.{kind}.out.csv"
    if kind == "pandas":
        began = time.perf_counter()
        frame = pd.read_csv(path, dtype=str)
        frame.to_csv(out, index=False)
        rows = len(frame)
    else:
        from dashboard.cli import main

        argv = ["compute", path, "--out", str(out), "--as-of", AS_OF]
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        status = main(argv)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        if status != 0:
            raise SystemExit(f"compute exited {status}")
        rows = None
    seconds = time.perf_counter() - began
    peak = peak_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "rows": rows}))


def sizes(texts: list[str]) -> list[int]:
    return [int(part.replace("_", "")) for text in texts for part in text.split(",") if part]


def label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    return f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rows", action="append", help="rows (repeatable, or a comma list; default 300k and 1M)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the median shown")
    parser.add_argument("--profile", help="run ours once under cProfile, stats to this file")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, profile=args.profile)
        return

    for rows in sizes(args.rows or ["300000,1000000"]):
        began = time.perf_counter()
        path = make_export(rows)
        print(
            f"# compute benchmark: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB, mixed "
            f"Z / +01:00 / -05:00 / naive local times, fractions of a second "
            f"(ready in {time.perf_counter() - began:.0f} s)"
        )
        if args.profile:
            result = run("ours", path, args.profile)
            print(f"ours under cProfile: {result['seconds']:.1f} s; stats in {args.profile}")
            continue
        runs: dict[str, list[dict]] = {"pandas": [], "ours": []}
        for _ in range(args.repeat):  # interleaved, so that both see the same machine
            for kind in runs:
                runs[kind].append(run(kind, path))
        floor = statistics.median(r["seconds"] for r in runs["pandas"])
        print(f"{'job':<44}{'seconds':>9}{'all runs':>24}{'peak MB':>9}{'x pandas':>10}")
        for kind, name in (
            ("pandas", "pandas read_csv(dtype=str) + to_csv"),
            ("ours", "ours: sla-dashboard compute"),
        ):
            seconds = statistics.median(r["seconds"] for r in runs[kind])
            every = " ".join(f"{r['seconds']:.1f}" for r in runs[kind])
            peak = max(r["peak_mb"] for r in runs[kind])
            print(f"{name:<44}{seconds:>9.2f}{every:>24}{peak:>9.0f}{seconds / floor:>10.2f}")
        ratio = statistics.median(r["seconds"] for r in runs["ours"]) / floor
        print(f"goal: <= {GOAL:.1f}x; median ratio {ratio:.2f}x")
        figure = {
            "figure": f"compute x pandas read+write ({label(rows)})",
            "value": round(ratio, 3),
            "goal": GOAL,
            "unit": "x",
            "lower_is_better": True,
        }
        print(f"RESULT {json.dumps(figure)}")


if __name__ == "__main__":
    main()
