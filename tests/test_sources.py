"""Data sources (dashboard/sources.py, `sla-dashboard sources`): what each source holds, and
removing one whole source in one transaction, on SQLite and PostgreSQL (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import activity, sources, views
from dashboard.cli import main
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import load_policy
from dashboard.store import case_counts, case_events, cases, import_rejects, imports

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
POLICY = load_policy()


@pytest.fixture
def two_sources(engine):
    """Zendesk tickets (6 cases, 2 rows rejected) and a ServiceNow event log (4 incidents
    with their histories)."""
    for name, source in (("zendesk_tickets.csv", "zendesk"), ("servicenow_events.csv", "snow")):
        import_prepared(engine, [prepare_file(EXPORTS / name, POLICY)], POLICY, source=source,
                        user="ana@example.com")  # fmt: skip
    return engine


def count(engine, table, **where) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with engine.connect() as connection:
        return connection.execute(query).scalar_one()


def test_each_source_with_its_cases_span_and_imports(two_sources):
    listed = sources.sources(two_sources).set_index("source")
    assert listed.loc["zendesk", ["cases", "imports", "last_file", "last_user", "formats"]].tolist(
    ) == [6, 1, "zendesk_tickets.csv", "ana@example.com", "zendesk"]  # fmt: skip
    assert listed.loc["snow", "cases"] == 4
    assert str(listed.loc["zendesk", "first_day"]) == "2026-03-02"
    # a person who sees one customer: that customer's cases, no import lines (they span all)
    mine = sources.sources(two_sources, scope=("Acme Payments",)).set_index("source")
    assert mine["cases"].sum() < listed["cases"].sum()
    assert mine["imports"].isna().all()


def test_removing_a_source_deletes_its_cases_histories_and_rejects_at_once(two_sources):
    before = views.data_version(two_sources)
    snow_cases = count(two_sources, cases, source="snow")
    removed = sources.remove_source(two_sources, "zendesk", "ana@example.com")
    assert (removed.cases, removed.rejects) == (6, 2)
    assert count(two_sources, cases, source="zendesk") == 0
    assert count(two_sources, cases, source="snow") == snow_cases  # the other source stays
    with two_sources.connect() as connection:
        summarised = connection.execute(select(func.sum(case_counts.c.cases))).scalar_one()
    assert summarised == snow_cases  # the summaries follow
    assert count(two_sources, imports) == 2  # the import log keeps its lines
    log = activity.recent(two_sources)
    assert log.iloc[0]["action"] == "remove_source"
    assert log.iloc[0]["user_name"] == "ana@example.com"
    assert views.data_version(two_sources) != before  # the pages' caches see it
    events = sources.remove_source(two_sources, "snow", "ana@example.com").events
    assert events > 0
    assert count(two_sources, case_events) == 0


def test_a_failed_removal_changes_nothing(two_sources, monkeypatch):
    def broken(connection):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sources, "refresh_summaries", broken)
    stored, rejected = count(two_sources, cases), count(two_sources, import_rejects)
    with pytest.raises(RuntimeError):
        sources.remove_source(two_sources, "zendesk", "ana@example.com")
    assert (count(two_sources, cases), count(two_sources, import_rejects)) == (stored, rejected)


def test_sla_dashboard_sources(two_sources, database_url, capsys):
    assert main(["sources", "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert "zendesk: 6 case(s) (0 unscored), created 2026-03-02 .. 2026-03-13" in out
    assert "(zendesk_tickets.csv, by ana@example.com); formats: zendesk" in out
    assert main(["sources", "--db", database_url, "--json"]) == 0
    assert {r["source"] for r in json.loads(capsys.readouterr().out)} == {"snow", "zendesk"}
    # removing asks for --yes, and an unknown source is named with the known ones
    assert main(["sources", "--db", database_url, "--remove", "zendesk"]) == 2
    assert "deletes its 6 case(s) and cannot be undone" in capsys.readouterr().err
    assert count(two_sources, cases, source="zendesk") == 6
    assert main(["sources", "--db", database_url, "--remove", "zendsk", "--yes"]) == 2
    assert "no stored case has the source 'zendsk' (sources: 'snow', 'zendesk')" in (
        capsys.readouterr().err
    )
    assert main(["sources", "--db", database_url, "--remove", "zendesk", "--yes"]) == 0
    assert "removed the source 'zendesk': 6 case(s)" in capsys.readouterr().out
    assert count(two_sources, cases, source="zendesk") == 0
