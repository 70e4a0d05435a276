"""Storing imports, on SQLite and PostgreSQL alike: upserts, idempotence, atomicity, the log."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import select

from dashboard import importing, store, summaries
from dashboard.export import export_canonical
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.overlap import OverlapError
from dashboard.policy import parse_policy
from dashboard.store import calendar_days, case_counts, case_moves, cases, import_rejects, imports
from tests.helpers import planner_statistics_fresh, policy_dict, utc, vendor_policy

POLICY = vendor_policy()
AS_OF = utc("2026-04-01T12:00:00Z")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exports"
HEADER = "case_id,customer,plan,severity,created_at,first_response_at,resolved_at,channel\n"
BODY = (
    "A,Acme,Enterprise,P1,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,2026-03-03T10:00:00Z,portal\n"
    "B,Globex,Standard,P4,2026-03-29T23:30:00Z,,,email\n"
    "C,Acme,Enterprise,P2,2026-03-06T17:30:00Z,2026-03-09T10:00:00Z,,portal\n"
    "D,Acme,Enterprise,P9,2026-03-06T17:30:00Z,,,portal\n"
)


def _file(tmp_path, body=BODY, name="export.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def _import(engine, *paths, source=None, keep_both=False):
    prepared = [prepare_file(p, POLICY, as_of=AS_OF) for p in paths]
    return import_prepared(engine, prepared, POLICY, source=source, user="tester",
                           keep_both=keep_both)  # fmt: skip


def _rows(engine, table=cases, order=("source", "case_id")):
    with engine.connect() as connection:
        query = select(table).order_by(*[table.c[c] for c in order])
        return [dict(r) for r in connection.execute(query).mappings()]


def test_cases_are_stored_in_utc_with_their_local_periods(engine, tmp_path):
    [report] = _import(engine, _file(tmp_path))
    assert (report.read, report.inserted, report.rejected) == (4, 3, 1)
    stored = {r["case_id"]: r for r in _rows(engine)}
    a, b = stored["A"], stored["B"]
    assert a["created_at"] == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    assert a["source"] == "canonical"
    assert (a["customer"], a["plan"], a["severity"], a["channel"]) == (
        "Acme", "Enterprise", 1, "portal",
    )  # fmt: skip
    # 23:30 UTC on Sunday 29 March is 00:30 BST on Monday 30 March in London.
    assert b["created_local_date"] == dt.date(2026, 3, 30)
    assert b["created_local_week"] == dt.date(2026, 3, 30)
    assert (b["created_local_month"], b["created_local_quarter"]) == ("2026-03", "2026-Q1")
    assert a["resolved_local_date"] == dt.date(2026, 3, 3)


def test_sla_fields_are_stored_with_the_policy_fingerprint(engine, tmp_path):
    _import(engine, _file(tmp_path))
    stored = {r["case_id"]: r for r in _rows(engine)}
    a, b, c = stored["A"], stored["B"], stored["C"]
    assert (a["response_status"], a["response_business_seconds"], a["target_seconds"]) == (
        "met", 3600, 4 * 3600,
    )  # fmt: skip
    assert a["response_deadline"] == dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)
    # Unanswered: no stored verdict (pending or breached depends on when one asks).
    assert (b["response_status"], b["response_business_seconds"]) == (None, None)
    assert c["response_status"] == "met"  # Fri 17:30 -> Mon 10:00 is 1.5 business hours
    assert {r["policy_fingerprint"] for r in stored.values()} == {POLICY.fingerprint}


def test_importing_the_same_file_twice_changes_nothing(engine, tmp_path):
    path = _file(tmp_path)
    _import(engine, path)
    before = _rows(engine)
    [again] = _import(engine, path)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 1)
    assert _rows(engine) == before
    assert [r["inserted"] for r in _rows(engine, imports, ("id",))] == [3, 0]


def test_a_later_export_updates_only_the_cases_that_changed(engine, tmp_path):
    [first] = _import(engine, _file(tmp_path))
    later = BODY.replace(
        "B,Globex,Standard,P4,2026-03-29T23:30:00Z,,,email",
        "B,Globex,Standard,P4,2026-03-29T23:30:00Z,2026-03-30T11:00:00Z,,email",
    )
    later += "E,Initech,Business,P3,2026-03-31T09:00:00Z,,,portal\n"  # fmt: skip
    [report] = _import(engine, _file(tmp_path, later, "later.csv"))
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 2)
    stored = {r["case_id"]: r for r in _rows(engine)}
    assert stored["B"]["first_response_at"] == dt.datetime(2026, 3, 30, 11, 0, tzinfo=dt.UTC)
    assert stored["B"]["response_status"] == "met"
    ids = (first.import_id, report.import_id)
    assert (stored["B"]["first_import_id"], stored["B"]["last_import_id"]) == ids
    assert stored["A"]["last_import_id"] == first.import_id  # untouched
    assert stored["E"]["first_import_id"] == report.import_id


def test_sources_keep_their_case_ids_apart(engine, tmp_path):
    """Case ids are unique per source; the same ids under a second source are stored only
    when asked (dashboard/overlap.py: otherwise each case would count twice)."""
    path = _file(tmp_path)
    _import(engine, path, source="eu-helpdesk")
    with pytest.raises(OverlapError, match="3 of its case ids are already stored under another"):
        _import(engine, path, source="us-helpdesk")
    assert len(_rows(engine)) == 3
    _import(engine, path, source="us-helpdesk", keep_both=True)
    assert len(_rows(engine)) == 6


def test_an_import_lands_whole_or_not_at_all(engine, tmp_path, monkeypatch):
    first, second = _file(tmp_path, name="one.csv"), _file(tmp_path, name="two.csv")
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = importing._insert_rejects
    monkeypatch.setattr(importing, "_insert_rejects", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        _import(engine, first, second, source=None)
    assert _rows(engine) == []
    assert _rows(engine, imports, ("id",)) == []


def test_the_import_log_and_rejects_are_kept(engine, tmp_path):
    path = _file(tmp_path)
    _import(engine, path)
    [log] = _rows(engine, imports, ("id",))
    assert log["file_name"] == "export.csv"
    assert len(log["checksum"]) == 64
    assert (log["format"], log["source"], log["user_name"]) == ("canonical", "canonical", "tester")
    assert (log["rows_read"], log["inserted"], log["rejected"]) == (4, 3, 1)
    assert log["policy_fingerprint"] == POLICY.fingerprint
    assert "CSV, UTF-8, comma-separated" in log["notes"]
    assert log["finished_at"] >= log["started_at"]
    [reject] = _rows(engine, import_rejects, ("id",))
    assert (reject["row_number"], reject["case_id"], reject["customer"]) == (5, "D", "Acme")
    assert reject["reason"].startswith("severity 'P9'")
    assert json.loads(reject["record"])["severity"] == "P9"


def test_a_rejected_row_is_logged_as_a_bounded_excerpt(engine, tmp_path):
    """Issue 13: one 100 MB field grew the database by 100 MB; the log keeps an excerpt (the
    rejects file beside the export keeps the row whole)."""
    huge = "x" * 300_000  # over the 100,000 characters a subject may have: rejected
    path = tmp_path / "export.csv"
    path.write_text(
        "case_id,customer,severity,created_at,subject\n"
        "A,Acme,P1,2026-03-02T09:00:00Z,fine\n"
        f"B,Acme,P1,2026-03-02T09:00:00Z,{huge}\n",
        encoding="utf-8",
    )
    _import(engine, path)
    [reject] = _rows(engine, import_rejects, ("id",))
    assert reject["case_id"] == "B"
    subject = json.loads(reject["record"])["subject"]
    assert subject == "x" * 2_000 + "... [300,000 characters in all]"
    assert len(reject["record"]) < 3_000


@pytest.mark.parametrize("length", [3_000, 1_000_000])
def test_a_file_with_an_overlong_date_stores_its_other_rows(engine, tmp_path, length):
    """Issue 13: one 3,000-character date in a 1M-row file asked numpy for 11 GiB. Its row is
    rejected, the log naming the file, the row, the column and the start of the value; the
    other rows are stored."""
    long = "2026-03-02T09:00:00Z" + "9" * (length - 20)
    path = _file(tmp_path, BODY + f"L,Acme,Enterprise,P1,{long},,,portal\n")
    [report] = _import(engine, path)
    assert (report.read, report.inserted, report.rejected) == (5, 3, 2)
    assert {r["case_id"] for r in _rows(engine)} == {"A", "B", "C"}
    [log] = _rows(engine, imports, ("id",))
    assert log["file_name"] == "export.csv"
    logged = {r["case_id"]: r for r in _rows(engine, import_rejects, ("id",))}
    assert logged["L"]["row_number"] == 6
    assert logged["L"]["reason"] == (
        f"created_at is {length:,} characters long (at most 200): "
        f"'2026-03-02T09:00:00Z{'9' * 37}...'"
    )


def test_calendar_days_name_holidays_for_grouping(engine, tmp_path):
    _import(engine, _file(tmp_path))
    days = {r["day"]: r for r in _rows(engine, calendar_days, ("day",))}
    boxing = days[dt.date(2026, 12, 28)]
    assert (boxing["is_working_day"], boxing["closed_reason"]) == (False, "Boxing Day (observed)")
    saturday = days[dt.date(2026, 3, 28)]
    assert (saturday["is_working_day"], saturday["closed_reason"]) == (False, None)
    monday = days[dt.date(2026, 3, 30)]
    assert (monday["week"], monday["month"], monday["quarter"]) == (
        dt.date(2026, 3, 30), "2026-03", "2026-Q1",
    )  # fmt: skip
    assert monday["is_working_day"]
    # Sunday 29 March ends at midnight BST, 23:00 UTC.
    assert days[dt.date(2026, 3, 29)]["day_end"] == dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "name",
    ["zendesk_tickets.csv", "jira_service_management.csv", "freshdesk_tickets.csv",
     "servicenow_incidents.csv", "servicenow_rest.csv"],
)  # fmt: skip
def test_round_trip_through_the_canonical_export_changes_nothing(engine, tmp_path, name):
    [first] = _import(engine, FIXTURES / name)
    before = _rows(engine)
    exported = tmp_path / "canonical.csv"
    export_canonical(engine).to_csv(exported, index=False)
    [again] = _import(engine, exported, source=first.source)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.inserted)
    assert _rows(engine) == before  # unchanged cases are not even touched


def test_the_bundled_sample_loads_into_a_database_that_never_saw_an_import(engine):
    report = importing.load_sample_if_empty(engine, POLICY)
    assert report.source == "sample"
    assert report.read == 2000
    assert report.inserted > 1990
    assert importing.load_sample_if_empty(engine, POLICY) is None  # only once
    customers = {r["customer"] for r in _rows(engine)}
    plans = {r["plan"] for r in _rows(engine)}
    assert len(customers) >= 8
    assert plans == {"Enterprise", "Business", "Standard"}


def test_the_content_hash_of_a_case_is_stable_across_releases(tmp_path):
    # If pandas ever changes hash_array, this fails: re-imports would then report every case
    # as updated once. Pinning it turns that into a decision instead of a surprise.
    path = _file(tmp_path, BODY.splitlines(keepends=True)[0].replace(",2026-03-03T10:00:00Z", ","))
    prepared = prepare_file(path, POLICY, as_of=AS_OF)
    assert importing.content_hashes(prepared.validated.cases).tolist() == [-5961274347453942256]


def test_a_large_first_import_builds_its_indexes_after_the_rows(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "LARGE_WRITE", 2)
    built = case_index_definitions(engine)  # as the schema's revisions built them
    _import(engine, _file(tmp_path))
    assert len(_rows(engine)) == 3
    with engine.connect() as connection:
        indexes = {i["name"] for i in sqlalchemy.inspect(connection).get_indexes("cases")}
    assert {i.name for i in importing.cases.indexes} <= indexes
    # Rebuilt from store.py's declarations on SQLite: exactly what the revisions built, the
    # partial ix_cases_unanswered's WHERE included.
    assert case_index_definitions(engine) == built
    assert "where" in built["ix_cases_unanswered"].lower()
    assert planner_statistics_fresh(engine)


# The statements that sort every case: an index of the cases, a summary's GROUP BY, the time
# lists' reading in the order of case_counts' keys.
_SORTS_EVERY_CASE = re.compile(
    r"^(create index \S+ on cases |insert into (case_counts|case_moves|verdict_counts|"
    r"verdict_disagreements) |select coalesce\(c\.response_business_seconds, -1\))"
)


@pytest.mark.parametrize("first", [True, False], ids=["first import", "later import"])
def test_the_sorts_of_every_case_run_where_sqlite_sorts_on_two_cores(
    engine, tmp_path, monkeypatch, first
):
    """A first import counts every summary and the time lists in memory
    (dashboard/summaries_from_memory.py); a later one sorts for them in SQL."""
    monkeypatch.setattr(importing, "LARGE_WRITE", 2)  # the indexes are rebuilt, as at 1M
    if not first:
        earlier = "".join("E" + line for line in BODY.splitlines(keepends=True))
        _import(engine, _file(tmp_path, body=earlier, name="earlier.csv"))
    depth = []

    @contextlib.contextmanager
    def spied(connection):
        with store.sorting_on_two_cores(connection):
            depth.append(connection)
            try:
                yield
            finally:
                depth.pop()

    monkeypatch.setattr(importing, "sorting_on_two_cores", spied)
    monkeypatch.setattr(summaries, "sorting_on_two_cores", spied)
    seen = []

    def record(_connection, _cursor, statement, *_rest):
        seen.append((" ".join(statement.split()).lower(), bool(depth)))

    sqlalchemy.event.listen(engine, "before_cursor_execute", record)
    try:
        _import(engine, _file(tmp_path))
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", record)
    sorts = [(statement[:40], inside) for statement, inside in seen
             if _SORTS_EVERY_CASE.match(statement) and " values " not in statement]  # fmt: skip
    indexes = [s for s, _ in sorts if s.startswith("create index")]
    assert len(indexes) == (len(cases.indexes) if engine.dialect.name == "sqlite" else 0)
    # 4 summaries and the times for the lists in SQL, none in memory
    assert len(sorts) - len(indexes) == (0 if first else 5)
    assert all(inside for _, inside in sorts), [s for s, inside in sorts if not inside]


def case_index_definitions(engine) -> dict[str, str]:
    """Each index of the cases table, as the database states it."""
    sql = (
        "select name, sql from sqlite_master where type = 'index' and tbl_name = 'cases' "
        "and sql is not null"
        if engine.dialect.name == "sqlite"
        else "select indexname, indexdef from pg_indexes where tablename = 'cases' "
        "and schemaname = current_schema()"
    )
    with engine.connect() as connection:
        return dict(connection.execute(sqlalchemy.text(sql)).all())


def test_a_small_import_leaves_statistics_to_the_database(engine, tmp_path):
    _import(engine, _file(tmp_path))
    assert not planner_statistics_fresh(engine)


def test_text_either_database_cannot_hold_is_rejected_on_both(engine, tmp_path):
    long_channel = "Customer called the emergency hotline after hours" * 3
    body = (
        f"L,Acme,Enterprise,P1,2026-03-02T09:00:00Z,,,{long_channel}\n"
        "N,Acme,Enter\x00prise,P1,2026-03-02T09:00:00Z,,,portal\n"
        f"I,{'x' * 300},Enterprise,P1,2026-03-02T09:00:00Z,,,portal\n"
        "G,Acme,Enterprise,P1,2026-03-02T09:00:00Z,,,portal\n"
    )
    [report] = _import(engine, _file(tmp_path, body))
    assert (report.inserted, report.rejected) == (1, 3)
    reasons = {r["case_id"]: r["reason"] for r in _rows(engine, import_rejects, ("id",))}
    assert reasons["L"].startswith(f"channel is {len(long_channel)} characters long (at most 100)")
    assert reasons["N"] == "plan 'Enter\\\\0prise' holds a NUL character"
    assert reasons["I"].startswith("customer is 300 characters long (at most 200)")


def test_bytes_that_are_not_utf8_reject_their_row_and_survive_in_the_log(engine, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        (HEADER + "A,Société,Enterprise,P1,2026-03-02T09:00:00Z,,,portal\n").encode()
        + "B,Café,Enterprise,P1,2026-03-02T09:00:00Z,,,portal\n".encode("cp1252")
    )
    [report] = _import(engine, path)
    assert (report.inserted, report.rejected) == (1, 1)
    [reject] = _rows(engine, import_rejects, ("id",))
    assert reject["reason"].startswith("customer 'Caf\ufffd' holds bytes that are not UTF-8")
    assert json.loads(reject["record"])["customer"] == "Caf\udce9"


NEW_YORK_POLICY = parse_policy(
    policy_dict(timezone="America/New_York", holidays={"country": "US", "subdivision": "NY"}),
    source="new-york.toml",
)


def test_a_case_on_new_years_eve_local_time_is_counted_on_that_day(engine, tmp_path):
    # 02:00 UTC on 1 January is 21:00 on 31 December in New York: the calendar days (and so
    # the summaries joined to them) must start in the local year, not the UTC one.
    policy = NEW_YORK_POLICY
    path = _file(tmp_path, "Y,Acme,Enterprise,P3,2026-01-01T02:00:00Z,,,portal\n")
    import_prepared(engine, [prepare_file(path, policy, as_of=AS_OF)], policy, user="tester")
    [counted] = _rows(engine, case_counts, ("day",))
    assert (counted["day"], counted["week"], counted["month"], counted["quarter"]) == (
        dt.date(2025, 12, 31), dt.date(2025, 12, 29), "2025-12", "2025-Q4",
    )  # fmt: skip
    [moved] = _rows(engine, case_moves, ("day",))
    assert (moved["day"], moved["opened"], moved["closed"]) == (dt.date(2025, 12, 31), 1, 0)


def test_calendar_days_cover_the_stored_local_days_whatever_the_policy_now(engine, tmp_path):
    # Stored under New York (31 Dec 2025 local), then another file under London without a
    # recompute: the calendar must still hold the day the first case is stored on.
    first = _file(tmp_path, "Y,Acme,Enterprise,P3,2026-01-01T02:00:00Z,,,portal\n", "ny.csv")
    prepared = prepare_file(first, NEW_YORK_POLICY, as_of=AS_OF)
    import_prepared(engine, [prepared], NEW_YORK_POLICY, source="ny", user="tester")
    [report] = _import(
        engine, _file(tmp_path, "Z,Acme,Enterprise,P3,2026-03-02T10:00:00Z,,,portal\n")
    )
    assert report.inserted == 1
    days = {r["day"] for r in _rows(engine, calendar_days, ("day",))}
    assert dt.date(2025, 12, 31) in days
    resolved_late = "R,Acme,Enterprise,P3,2026-03-02T10:00:00Z,,2031-06-01T10:00:00Z,portal\n"
    _import(engine, _file(tmp_path, resolved_late, "late.csv"))
    days = {r["day"] for r in _rows(engine, calendar_days, ("day",))}
    assert dt.date(2031, 6, 1) in days  # a closing day is a day opened/resolved joins on


# Ten cases, with answered, unanswered, resolved and open ones, in several periods.
MANY = "".join(
    f"K{i:02d},{('Acme', 'Globex', 'Initech')[i % 3]},Enterprise,P{1 + i % 4},"
    f"2026-03-{2 + i:02d}T{8 + i % 9:02d}:30:00Z,"
    + (f"2026-03-{3 + i:02d}T10:00:00Z," if i % 2 else ",")
    + (f"2026-03-{4 + i:02d}T12:00:00Z," if i % 3 == 0 else ",")
    + ("portal\n" if i % 4 else "email\n")
    for i in range(10)
)
# A later export of them: every third under another customer, two new cases, the rest as they
# were.
MANY_LATER = "".join(
    line.replace(line.split(",")[1], "Umbrella", 1) if n % 3 == 0 else line
    for n, line in enumerate(MANY.splitlines(keepends=True))
) + "K10,Acme,Standard,P2,2026-03-25T09:00:00Z,,,portal\nK11,Globex,Standard,P3,2026-03-26T09:00:00Z,,,email\n"  # fmt: skip  # noqa: E501


@pytest.mark.parametrize("chunk", [1, 3])
def test_cases_written_in_chunks_are_stored_as_written_at_once(engine, tmp_path, monkeypatch,
                                                                chunk):  # fmt: skip
    """The cases are turned into rows and written a chunk at a time (new and changed ones
    at scattered positions, in the later export): the same rows as one chunk of all."""
    first, later = _file(tmp_path, MANY, "first.csv"), _file(tmp_path, MANY_LATER, "later.csv")
    _import(engine, first)
    [report] = _import(engine, later)
    assert (report.inserted, report.updated, report.unchanged) == (2, 4, 6)
    whole = _rows(engine)
    with engine.begin() as connection:
        for table in (cases, import_rejects, imports):
            connection.execute(table.delete())
    monkeypatch.setattr(importing, "_CHUNK", chunk)
    _import(engine, first)
    [chunked] = _import(engine, later)
    assert (chunked.inserted, chunked.updated, chunked.unchanged) == (2, 4, 6)
    ids = {"first_import_id", "last_import_id"}  # new imports, new ids
    strip = [{k: v for k, v in r.items() if k not in ids} for r in whole]
    assert [{k: v for k, v in r.items() if k not in ids} for r in _rows(engine)] == strip


def test_an_import_failing_after_some_chunks_stores_nothing(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "_CHUNK", 2)
    calls = []

    def fail_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = importing.insert_rows
    monkeypatch.setattr(importing, "insert_rows", fail_on_third)
    with pytest.raises(RuntimeError, match="disk full"):
        _import(engine, _file(tmp_path, MANY))
    assert len(calls) == 3
    assert _rows(engine) == []
    assert _rows(engine, imports, ("id",)) == []
