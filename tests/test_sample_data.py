"""Golden figures for the bundled sample export, and an independent check of every one of them.

Regenerate the snapshot after an intended change with:
    .venv/bin/sla-dashboard compute data/sample_cases.csv --as-of 2026-11-21T12:00:00Z \
        --out tests/snapshots/sample_results.csv
and review the diff like code: every changed figure needs a reason.
"""

from __future__ import annotations

import csv
from pathlib import Path

from dashboard.cli import main
from dashboard.policy import load_policy
from tests import reference
from tests.helpers import utc

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_cases.csv"
SNAPSHOTS = ROOT / "tests" / "snapshots"
AS_OF = "2026-11-21T12:00:00Z"


def _compute(tmp_path):
    out = tmp_path / "sample_results.csv"
    assert main(["compute", str(SAMPLE), "--out", str(out), "--as-of", AS_OF]) == 0
    return out


def test_sample_results_match_the_reviewed_snapshot(tmp_path):
    out = _compute(tmp_path)
    assert out.read_text() == (SNAPSHOTS / "sample_results.csv").read_text()
    rejects = tmp_path / "sample_results.rejects.csv"
    assert rejects.read_text() == (SNAPSHOTS / "sample_results.rejects.csv").read_text()


def test_sample_figures_agree_with_the_day_walking_reference(tmp_path):
    spec = load_policy().calendar
    with open(_compute(tmp_path), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 500
    statuses = set()
    for row in rows:
        created = utc(row["created_at"])
        target = int(float(row["target_hours"]) * 3600)
        assert utc(row["response_deadline"]) == reference.deadline(spec, created, target)
        if row["response_business_seconds"]:
            expected = reference.business_seconds(spec, created, utc(row["first_response_at"]))
            assert int(row["response_business_seconds"]) == expected, row["case_id"]
        statuses.add(row["sla_status"])
    assert statuses == {"met", "breached", "pending", "invalid"}


def test_the_sample_looks_like_a_real_support_year_and_a_half():
    with open(SAMPLE, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2000
    levels = [r["severity"].split(" - ")[0] for r in rows]
    share = {level: levels.count(level) / len(rows) for level in set(levels)}
    assert share["Level 3"] + share["Level 4"] > 0.8  # dominated by levels 3-4
    assert 0.01 < share["Level 1"] < 0.06  # a few outages
    reasons = {r["dismissal_reason"] for r in rows}
    assert {"third_party", "not_flux", "infrastructure_access"} <= reasons
    assert {r["channel"] for r in rows} == {"portal", "email"}
    assert {"source-controller", "helm-controller", "flux-operator"} <= {
        r["component"] for r in rows
    }
    assert {r["plan"] for r in rows} == {"Enterprise", "Business", "Standard"}
    open_cases = [r for r in rows if r["status"] == "open"]
    assert len(open_cases) > 10  # an open backlog at the end
    created = sorted(r["created_at"] for r in rows if r["created_at"].endswith("Z"))
    assert created[0] < "2025-06-10"  # about 18 months
    assert created[-1] > "2026-11-10"
