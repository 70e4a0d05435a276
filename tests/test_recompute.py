"""`recompute`: a policy change re-scores stored cases without touching what was imported."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.errors import DashboardError
from dashboard.importer.prepare import prepare_file
from dashboard.importing import DERIVED_FIELDS, RAW_FIELDS, import_prepared
from dashboard.policy import parse_policy
from dashboard.recompute import recompute_stored
from dashboard.store import cases
from tests.helpers import planner_statistics_fresh, policy_dict, utc, vendor_policy

AS_OF = utc("2026-04-01T12:00:00Z")
HEADER = "case_id,customer,severity,created_at,first_response_at\n"
BODY = (
    "A,Acme,P1,2026-03-02T09:00:00Z,2026-03-02T12:00:00Z\n"  # 3 business hours
    "B,Acme,P2,2026-03-24T09:00:00Z,\n"
)


def _stored(engine):
    with engine.connect() as connection:
        return {r["case_id"]: dict(r) for r in connection.execute(select(cases)).mappings()}


def _policy(**targets):
    raw = policy_dict()
    for severity in raw["severity"]:
        severity["response_hours"] = targets.get(severity["name"], severity["response_hours"])
    return parse_policy(raw, source="edited.toml")


@pytest.fixture
def imported(engine, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + BODY)
    policy = vendor_policy()
    import_prepared(engine, [prepare_file(path, policy)], policy)
    return engine


def test_a_stricter_target_turns_a_met_case_into_a_breach(imported):
    before = _stored(imported)
    assert before["A"]["response_status"] == "met"
    stricter = _policy(Urgent=2)
    report = recompute_stored(imported, stricter)
    assert (report.recomputed, report.already_current) == (2, 0)
    after = _stored(imported)
    assert after["A"]["response_status"] == "breached"
    assert after["A"]["target_seconds"] == 2 * 3600
    assert {r["policy_fingerprint"] for r in after.values()} == {stricter.fingerprint}
    for case_id in after:  # what was imported is never rewritten
        assert {k: after[case_id][k] for k in RAW_FIELDS} == {
            k: before[case_id][k] for k in RAW_FIELDS
        }


def test_only_stale_cases_are_recomputed_unless_asked(imported):
    policy = vendor_policy()
    assert recompute_stored(imported, policy).recomputed == 0
    assert recompute_stored(imported, policy, everything=True).recomputed == 2
    before = _stored(imported)
    recompute_stored(imported, policy, everything=True)
    after = _stored(imported)
    assert {k: after["A"][k] for k in DERIVED_FIELDS} == {k: before["A"][k] for k in DERIVED_FIELDS}


def test_a_calendar_change_moves_deadlines(imported):
    raw = policy_dict(closures=["2026-03-24"])  # close the day case B was opened
    closed = parse_policy(raw, source="closure.toml")
    recompute_stored(imported, closed)
    after = _stored(imported)
    # B: opened Tue 24 Mar 09:00 (now closed), 8 business hours from Wed 09:00 -> Wed 17:00.
    assert after["B"]["response_deadline"].isoformat() == "2026-03-25T17:00:00+00:00"


def test_a_policy_missing_a_stored_level_is_refused(imported):
    raw = policy_dict()
    raw["severity"] = raw["severity"][:1]
    with pytest.raises(DashboardError, match=r"the policy has no level 2, but 1 stored case"):
        recompute_stored(imported, parse_policy(raw, source="short.toml"))


def test_a_large_recompute_refreshes_planner_statistics(imported, monkeypatch):
    import dashboard.recompute

    assert not planner_statistics_fresh(imported)
    monkeypatch.setattr(dashboard.recompute, "LARGE_WRITE", 2)
    recompute_stored(imported, _policy(Urgent=2))
    assert planner_statistics_fresh(imported)
