"""The benchmark tooling (issue 16): figures are collected, judged against their goals, and two
commits compared. Nothing here times anything: the figures are made up or ignored."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import compare, summary
from benchmarks.results import Figure, parse, report

ROOT = Path(__file__).resolve().parent.parent


def test_a_printed_figure_is_read_back(capsys):
    report("engine ns/case (1M)", 87.654321, 100, "ns")
    report("cases a second", 50_000, 40_000, "cases/s", lower_is_better=False)
    report("no goal", 3, None, "s")
    lines = capsys.readouterr().out.splitlines()
    figures = [parse(line) for line in lines]
    assert figures[0] == Figure("engine ns/case (1M)", 87.654, 100.0, "ns", True)
    assert [f.met for f in figures] == [True, True, None]
    assert parse("engine ns/case  87.6") is None  # a benchmark's own table is no figure


def test_the_summary_says_met_or_not_beside_each_goal():
    printed = summary.table(
        [
            Figure("compute x pandas (300k)", 2.4, 2.0, "x"),
            Figure("page Overview first render", 0.8, 1.0, "s"),
            Figure("rows a second", 10.0, 20.0, "rows/s", lower_is_better=False),
            Figure("policy check", 0.3, None, "s"),
        ]
    )
    lines = printed.splitlines()
    assert "NOT MET" in lines[1]
    assert "<= 2.00" in lines[1]
    assert lines[2].endswith("met")
    assert "NOT" not in lines[2]
    assert "NOT MET" in lines[3]
    assert ">= 20.00" in lines[3]
    assert lines[4].rstrip().endswith("-")  # no goal, no verdict


def test_every_benchmark_the_summary_runs_exists():
    for module, _full, _quick in summary.BENCHMARKS.values():
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module


def test_a_regression_is_flagged_whichever_way_is_better():
    old = [{"t": Figure("t", 1.0, 2.0, "s"), "r": Figure("r", 100.0, None, "rows/s", False)}]
    slower = [{"t": Figure("t", 1.2, 2.0, "s"), "r": Figure("r", 80.0, None, "rows/s", False)}]
    rows = {row[0].figure: row for row in compare.compare(old, slower, threshold=0.10)}
    assert rows["t"][3] == pytest.approx(0.2)
    assert rows["t"][4]
    assert rows["r"][3] == pytest.approx(-0.2)
    assert rows["r"][4]
    faster = [{"t": Figure("t", 0.5, 2.0, "s"), "r": Figure("r", 200.0, None, "rows/s", False)}]
    assert not any(row[4] for row in compare.compare(old, faster, threshold=0.10))


def test_the_median_of_the_rounds_is_compared():
    def rounds(*values):
        return [{"t": Figure("t", v, None, "s")} for v in values]

    [(_, a, b, _, flagged)] = compare.compare(rounds(1.0, 9.0, 1.1), rounds(1.05, 1.0, 0.2), 0.1)
    assert (a, b, flagged) == (1.1, 1.0, False)  # one slow round on either side changes nothing


@pytest.mark.slow
def test_two_commits_are_compared_by_the_same_benchmark_code(tmp_path):
    """The whole tool on the policy benchmark (seconds): both commits checked out, measured
    alternately by this tree's benchmarks, printed side by side, and the worktrees removed."""
    # The tool compares commits: a source tree without its history (an unpacked release) has
    # none. Every clone has it, CI's included, so this runs there.
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("benchmarks.compare needs a git clone, and this tree has no history")
    before = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.compare", "HEAD", "HEAD", "--only", "policy",
         "--rounds", "1"],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr  # 1 only when the machine's noise flags it
    out = done.stdout
    assert "# HEAD (" in out
    assert "median of 1 rounds, quick runs" in out
    assert "policy check, 10,000 closures" in out.split("# HEAD (")[-1]
    assert "figures worse by more than 10%" in out
    after = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    assert after == before


def test_an_unknown_benchmark_is_refused_naming_the_known_ones(capsys):
    with pytest.raises(SystemExit):
        compare.main(["HEAD", "--only", "engin"])
    assert "unknown benchmark engin; known: engine, compute" in capsys.readouterr().err


def test_the_readme_table_has_a_row_per_figure_with_its_goal():
    text = summary.markdown(
        [Figure("engine ns/case (1M)", 52.0, 100.0, "ns"), Figure("import x naive", 2.1, 1.5, "x")],
        "Measured today",
    )
    assert text.splitlines()[0] == "Measured today"
    assert "| engine ns/case (1M) | 52.00 ns | ≤ 100 ns | met |" in text
    assert "| import x naive | 2.10 x | ≤ 1.50 x | **not met** |" in text


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux's /proc")
def test_a_childs_peak_memory_is_its_own_not_its_parents():
    """ru_maxrss of a child started by a parent that peaked at 300 MB says 300 MB (exec keeps
    the parent's high-water mark): benchmarks.memory.peak_mb says what the child used."""
    child = (
        "import json, resource; from benchmarks.memory import peak_mb; "
        "print(json.dumps([peak_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))"
    )
    parent = (
        "import subprocess, sys; held = bytearray(300 * 2**20); "
        "held[::4096] = b'x' * len(held[::4096]); "
        f"print(subprocess.run([sys.executable, '-c', {child!r}], capture_output=True, "
        "text=True, check=True).stdout)"
    )
    done = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True,
                          check=True, cwd=ROOT)  # fmt: skip
    own, inherited_kb = json.loads(done.stdout)
    assert inherited_kb / 1024 > 300  # what the benchmarks reported before
    assert own < 150


def test_the_import_phases_account_for_the_whole_import(tmp_path):
    """benchmarks.import_phases on a small export: every phase timed, the hooks removed after,
    and the table's lines add up to the total (nothing counted twice: the driver's INSERT is
    inside the rows' time, which the table shows without it)."""
    from benchmarks import import_phases
    from dashboard import importing, sample_data
    from dashboard.policy import load_policy

    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        sample_data.write(sample_data.generate(load_policy(), cases=500, seed=3), out)
    before = importing.insert_rows
    total, phases = import_phases.timed_import(path, f"sqlite:///{tmp_path / 'phases.sqlite'}")
    assert importing.insert_rows is before
    # an import into an empty database: every summary counted in memory, then written
    expected = {"read the file", "map the columns", "validate", "score", "rows: made and stored",
                "rows: the driver's INSERT", "commits", import_phases._SUMMARIES}  # fmt: skip
    assert expected <= phases.keys()
    assert all(seconds > 0 for seconds in phases.values())
    lines = import_phases.report(total, phases)
    seconds = {line[:34].strip(): float(line[34:43]) for line in lines[1:]}
    assert seconds["total"] == round(total, 2)
    assert seconds["other"] >= 0  # the phases overlap nowhere
    parts = sum(v for k, v in seconds.items() if k != "total")
    assert parts == pytest.approx(total, abs=0.01 * len(seconds))
