"""Regression check: the same benchmarks on two commits, side by side (issue 16).

    .venv/bin/python -m benchmarks.compare main~5 main                  # engine + compute, quick
    .venv/bin/python -m benchmarks.compare v0.4 HEAD --only engine,import,pages --rounds 3

Each commit is checked out into a temporary git worktree, and the benchmarks of the working
tree (this file's) are run against that commit's `dashboard` package, so both commits are
measured by the same benchmark code (a benchmark may not know a commit older than the API it
calls). Rounds alternate between the commits (A B A B ...), so a machine that gets busier
during the run does not favour one of them; each figure is the median of its rounds.

Prints each figure for both commits, the change, and flags those worse by more than
`--threshold` (default 10%: this is a shared 2-core machine, figures move by that much).
Exits 1 when one is flagged, so it can gate a local script; it is not a CI test (timings are
never asserted in CI). A developer tool: run it before merging a change that could be slower.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.results import Figure
from benchmarks.summary import BENCHMARKS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def checkout(revision: str, folder: Path) -> Path:
    """The commit in a worktree of its own, with this tree's benchmarks in place of its own."""
    sha = git("rev-parse", "--verify", f"{revision}^{{commit}}")
    tree = folder / sha[:12]
    if not tree.exists():
        git("worktree", "add", "--detach", "--quiet", str(tree), sha)
        shutil.rmtree(tree / "benchmarks", ignore_errors=True)
        shutil.copytree(HERE, tree / "benchmarks", ignore=shutil.ignore_patterns("__pycache__"))
    return tree


def measure(tree: Path, only: str, quick: bool, scratch: Path) -> dict[str, Figure]:
    """One round of the benchmarks on one checkout; its generated files and databases are kept
    under `scratch`, apart from the other commit's (a database built by one commit's schema is
    never read by the other's code)."""
    scratch.mkdir(parents=True, exist_ok=True)
    out = scratch / "figures.json"
    env = {**os.environ, "PYTHONPATH": str(tree), "TMPDIR": str(scratch)}
    command = [sys.executable, "-m", "benchmarks.summary", "--only", only, "--json", str(out)]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, cwd=tree, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the benchmarks failed on {tree.name} (exit {done.returncode})")
    record = json.loads(out.read_text(encoding="utf-8"))
    return {f["figure"]: Figure(**f) for f in record["figures"]}


def compare(old: list[dict[str, Figure]], new: list[dict[str, Figure]], threshold: float):
    """Rows of (figure, old median, new median, change, flagged) for figures both measured."""
    rows = []
    names = [n for n in new[0] if n in old[0]]
    for name in names:
        a = statistics.median(r[name].value for r in old if name in r)
        b = statistics.median(r[name].value for r in new if name in r)
        figure = new[0][name]
        change = (b - a) / a if a else 0.0
        worse = change if figure.lower_is_better else -change
        rows.append((figure, a, b, change, worse > threshold))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the commit to compare against (e.g. main~3, a tag)")
    parser.add_argument("new", nargs="?", default="HEAD", help="the commit measured (HEAD)")
    parser.add_argument("--only", default="engine,compute",
                        help=f"comma-separated, of: {', '.join(BENCHMARKS)}")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=2, help="rounds per commit (median)")
    parser.add_argument("--full", action="store_true", help="full-size runs, not --quick ones")
    parser.add_argument("--threshold", type=float, default=0.10, help="flag worse by more")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    unknown = [n for n in args.only.split(",") if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")

    with tempfile.TemporaryDirectory(prefix="sla-compare-") as folder:
        base = Path(folder)
        trees = {"old": checkout(args.old, base), "new": checkout(args.new, base)}
        rounds: dict[str, list[dict[str, Figure]]] = {"old": [], "new": []}
        try:
            for i in range(args.rounds):
                for side in ("old", "new"):
                    print(f"\n# round {i + 1} of {args.rounds}: {side} ({trees[side].name})")
                    scratch = base / f"scratch-{side}"
                    rounds[side].append(measure(trees[side], args.only, not args.full, scratch))
        finally:
            for tree in set(trees.values()):  # one, when a commit is compared with itself
                git("worktree", "remove", "--force", str(tree))

    rows = compare(rounds["old"], rounds["new"], args.threshold)
    old_name, new_name = trees["old"].name, trees["new"].name
    width = max([len(r[0].figure) for r in rows] + [6])
    print(f"\n# {args.old} ({old_name}) against {args.new} ({new_name}), median of "
          f"{args.rounds} rounds{'' if args.full else ', quick runs'}")  # fmt: skip
    print(f"{'figure':<{width}}  {old_name:>12}  {new_name:>12}  {'unit':<4}  {'change':>8}")
    for figure, a, b, change, flagged in rows:
        note = f"   worse by more than {args.threshold:.0%}" if flagged else ""
        print(f"{figure.figure:<{width}}  {a:>12,.3f}  {b:>12,.3f}  {figure.unit:<4}  "
              f"{change:>+8.1%}{note}")  # fmt: skip
    flagged = sum(r[4] for r in rows)
    print(f"# {flagged} of {len(rows)} figures worse by more than {args.threshold:.0%}")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
