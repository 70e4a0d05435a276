"""Data sources (dashboard/sources.py, `sla-dashboard sources`): what each source holds, and
removing one whole source in one transaction, on SQLite and PostgreSQL (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import activity, sources, views
from dashboard.cli import main
from dashboard.errors import DashboardError
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


# -- removing one import ----------------------------------------------------------------------

HEADER = "case_id,customer,severity,created_at,first_response_at\n"


def write(path, *rows):
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows))
    return path


def imported(engine, path, source="helpdesk"):
    [report] = import_prepared(engine, [prepare_file(path, POLICY)], POLICY, source=source,
                               user="ana@example.com")  # fmt: skip
    return report.import_id


def test_removing_the_last_import_deletes_the_cases_it_brought(engine, tmp_path):
    first = imported(engine, write(tmp_path / "a.csv",
                                   "C1,Acme,P1,2026-03-02T09:00Z,2026-03-02T10:00Z",
                                   "C2,Acme,P2,2026-03-02T09:00Z,2026-03-02T10:00Z"))  # fmt: skip
    # the second export holds C1 and C2 again, unchanged, and brings C3 and C4 (and a row
    # that is rejected)
    second = imported(engine, write(tmp_path / "b.csv",
                                    "C1,Acme,P1,2026-03-02T09:00Z,2026-03-02T10:00Z",
                                    "C2,Acme,P2,2026-03-02T09:00Z,2026-03-02T10:00Z",
                                    "C3,Acme,P1,2026-03-03T09:00Z,2026-03-03T10:00Z",
                                    "C4,Acme,P3,2026-03-03T09:00Z,2026-03-03T10:00Z",
                                    "C5,Acme,P9,2026-03-03T09:00Z,"))  # fmt: skip
    # the first cannot go alone: the second holds its cases too (unchanged, they still name
    # the first as the import that last changed them)
    with pytest.raises(DashboardError, match=f"import {second} came after it"):
        sources.remove_import(engine, first, "ana@example.com")
    assert count(engine, cases) == 4
    removed = sources.remove_import(engine, second, "ana@example.com")
    assert (removed.cases, removed.rejects) == (2, 1)  # C3, C4; C1 and C2 name the first
    with engine.connect() as connection:
        left = connection.execute(select(cases.c.case_id).order_by(cases.c.case_id)).scalars()
        assert left.all() == ["C1", "C2"]
        status = connection.execute(select(imports.c.status).where(imports.c.id == second))
        assert status.scalar_one() == "removed"
        summed = connection.execute(select(func.sum(case_counts.c.cases))).scalar_one()
    assert summed == 2
    assert views.import_history(engine).set_index("id").loc[second, "status"] == "removed"
    assert activity.recent(engine).iloc[0]["action"] == "remove_import"
    # a removed import is not removed twice; the first is the last now, and goes
    with pytest.raises(DashboardError, match="its status is 'removed'"):
        sources.remove_import(engine, second, "ana@example.com")
    assert sources.remove_import(engine, first, "ana@example.com").cases == 2
    assert count(engine, cases) == 0


def test_a_failed_import_removal_changes_nothing(engine, tmp_path, monkeypatch):
    one = imported(engine, write(tmp_path / "a.csv", "C1,Acme,P1,2026-03-02T09:00Z,"))

    def broken(connection):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sources, "refresh_summaries", broken)
    with pytest.raises(RuntimeError):
        sources.remove_import(engine, one, "ana@example.com")
    assert count(engine, cases) == 1
    assert count(engine, imports, status="finished") == 1


def test_a_removed_source_leaves_no_import_standing(two_sources):
    sources.remove_source(two_sources, "zendesk", "ana@example.com")
    assert count(two_sources, imports, source="zendesk", status="removed") == 1
    assert "zendesk" not in set(sources.sources(two_sources)["source"])


def test_an_import_that_updated_earlier_cases_is_not_removed(engine, tmp_path):
    """Its cases' earlier values are not kept: removing it could not bring them back."""
    imported(engine, write(tmp_path / "a.csv", "C1,Acme,P1,2026-03-02T09:00Z,"))
    later = imported(
        engine, write(tmp_path / "b.csv", "C1,Acme,P1,2026-03-02T09:00Z,2026-03-02T10:00Z")
    )
    stored = count(engine, cases)
    with pytest.raises(DashboardError, match=r"updated 1 case\(s\) an earlier import had stored"):
        sources.remove_import(engine, later, "ana@example.com")
    assert count(engine, cases) == stored
    with engine.connect() as connection:
        assert connection.execute(select(imports.c.status).where(imports.c.id == later)
                                  ).scalar_one() == "finished"  # fmt: skip


def test_an_event_log_import_is_not_removed_alone(two_sources):
    with two_sources.connect() as connection:
        log = connection.execute(select(imports.c.id).where(imports.c.source == "snow")
                                 ).scalar_one()  # fmt: skip
    with pytest.raises(DashboardError, match=r"event\(s\) of case histories"):
        sources.remove_import(two_sources, log, "ana@example.com")


def test_sla_dashboard_sources_remove_import(engine, database_url, tmp_path, capsys):
    one = imported(engine, write(tmp_path / "a.csv", "C1,Acme,P1,2026-03-02T09:00Z,"))
    assert main(["sources", "--db", database_url, "--remove-import", str(one)]) == 2
    assert "give --yes to confirm" in capsys.readouterr().err
    assert main(["sources", "--db", database_url, "--remove-import", str(one), "--yes"]) == 0
    assert f"removed import {one} (a.csv, source 'helpdesk'): 1 case(s)" in (
        capsys.readouterr().out
    )
    assert main(["sources", "--db", database_url, "--remove-import", "999", "--yes"]) == 2
    assert "import 999 cannot be removed: no such import" in capsys.readouterr().err


def test_the_sources_counted_from_the_summaries_are_those_of_the_cases(two_sources):
    """sources.sql reads case_counts: the same cases, days and unscored cases as counting the
    cases themselves (unscored: the export records no first responses), by scope too."""
    import_prepared(two_sources, [prepare_file(EXPORTS / "servicenow_incidents.csv", POLICY)],
                    POLICY, source="incidents")  # fmt: skip
    listed = sources.sources(two_sources).set_index("source")
    assert listed.loc["incidents", "unscored"] > 0  # incidents record no first response
    with two_sources.connect() as connection:
        rows = connection.execute(
            select(
                cases.c.source,
                cases.c.customer,
                cases.c.created_local_date,
                cases.c.response_recorded,
            )
        ).all()
    customers = sorted({r.customer for r in rows if r.customer})
    for scope in (None, tuple(customers[:1]), ("Nobody",)):
        shown = sources.sources(two_sources, scope=scope).set_index("source")
        mine = [r for r in rows if scope is None or r.customer in scope]
        assert sorted(shown.index) == sorted({r.source for r in mine})
        for source in shown.index:
            its = [r for r in mine if r.source == source]
            assert shown.loc[source, "cases"] == len(its)
            assert shown.loc[source, "unscored"] == sum(not r.response_recorded for r in its)
            assert shown.loc[source, "first_day"] == min(r.created_local_date for r in its)
            assert shown.loc[source, "last_day"] == max(r.created_local_date for r in its)
