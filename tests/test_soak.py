"""The soak script itself works (a short run); the full run's figures are in the README."""

from __future__ import annotations

import pytest

from benchmarks import soak


@pytest.mark.slow  # imports and page renders: seconds
def test_a_short_soak_reports_no_error_and_no_loss(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'soak.sqlite'}"
    monkeypatch.setenv("SLA_DATABASE_URL", url)  # the script sets it; restored afterwards
    assert soak.main(["--imports", "3", "--renders", "8", "--rows", "100", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "errors         0" in out
    assert "cases stored   200 (expected exactly 200: ok)" in out


def test_the_expected_count_is_the_distinct_ids():
    import random

    rng = random.Random(1)
    first, ids_a = soak.export(0, 10, rng)
    _, ids_b = soak.export(1, 10, rng)
    assert len(ids_a | ids_b) == 15  # half of the second overlaps the first
    assert first.count("\n") == 1 + 10 + 3  # header, cases, three bad rows
    assert ids_a != ids_b
