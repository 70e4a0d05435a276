"""dashboard/summaries_from_memory.py: an import into an empty database counts its summaries
from the cases in memory, and every summary table then holds exactly what the SQL refresh
(queries/refresh_*.sql) writes over the same stored cases, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard import queries, store, summaries, summaries_from_memory, time_lists
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.store import SUMMARIES, writing
from tests.helpers import vendor_policy

ROOT = Path(__file__).resolve().parent.parent
EXPORTS = ROOT / "tests" / "fixtures" / "exports"
POLICY = vendor_policy()
COLUMNS = ("case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,"
           "channel,dismissal_reason,vendor_sla,vendor_response_business_minutes")  # fmt: skip


LEVELS = ["Level 1 - Urgent", "Level 2 - High", "Level 3 - Medium", "Level 4 - Low"]


def _varied(rows: int, seed: int, *, responses: bool = True) -> str:
    """Canonical rows with every kind of value the summaries group or count: empty text,
    unanswered, invalid and late responses, resolutions before creation, days around both
    DST changes and midnight, the helpdesk's stated verdicts, figures and neither."""
    rng = random.Random(seed)
    days = ["2025-03-28", "2025-03-29", "2025-03-30", "2025-03-31", "2025-10-24",
            "2025-10-25", "2025-10-26", "2025-10-27", "2025-12-31", "2026-01-01",
            "2026-02-27", "2026-03-02"]  # fmt: skip
    lines = [COLUMNS if responses else COLUMNS.replace("first_response_at,", "")]
    for number in range(rows):
        day = rng.choice(days)
        created = f"{day}T{rng.choice(['00:30', '08:59', '09:00', '17:59', '23:30'])}:00Z"
        answered = rng.random()
        response = (
            ""
            if answered < 0.2
            else "2025-01-01T00:00:00Z"  # before creation: invalid
            if answered < 0.25
            else f"{day}T{rng.choice(['10:00', '18:30', '23:59'])}:00Z"
        )
        resolved = rng.choice(["", "", "2025-01-02T12:00:00Z", f"{day}T23:00:00Z",
                               "2026-04-01T10:00:00+02:00"])  # fmt: skip
        fields = [
            f"C-{number}",
            rng.choice(["Acme", "Globex", "", "Initech"]),
            rng.choice(["Enterprise", "Business", ""]),
            rng.choice(LEVELS),
            created,
            *([response] if responses else []),
            resolved,
            rng.choice(["open", "resolved"]),
            rng.choice(["portal", "email", ""]),
            rng.choice(["", "", "", "third_party", "infrastructure_access"]),
            rng.choice(["met", "breached", "", "paused"]),
            rng.choice(["", "", "30", "240.5", "1440", "0"]),
        ]
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


def _tables(engine) -> dict[str, list]:
    """Every summary table's rows, sorted; a time list as its sorted times (a list keeps its
    times in no order)."""
    tables = {}
    with engine.connect() as connection:
        for table in SUMMARIES:
            rows = []
            for row in connection.execute(select(table)):
                rows.append(tuple(
                    tuple(sorted(time_lists.unpack([value]).tolist()))
                    if isinstance(value, bytes) else value
                    for value in row
                ))  # fmt: skip
            tables[table.name] = sorted(rows, key=repr)
    return tables


def _written_by_sql(engine) -> dict[str, list]:
    with writing(engine) as connection:
        summaries.refresh_summaries(connection)
    return _tables(engine)


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """How many cases each refresh counted in memory."""
    calls: list[int] = []
    write = summaries_from_memory.write

    def spied(connection, counted):
        calls.append(int(counted.tables["case_counts"]["cases"].sum()))
        return write(connection, counted)

    monkeypatch.setattr(summaries_from_memory, "write", spied)
    return calls


@pytest.fixture
def refreshed_by_sql(monkeypatch) -> list[str]:
    """The refresh_*.sql queries run."""
    names: list[str] = []
    execute = queries.execute

    def spied(connection, name, *args, **kwargs):
        if name.startswith("refresh_"):
            names.append(name)
        return execute(connection, name, *args, **kwargs)

    monkeypatch.setattr(queries, "execute", spied)
    return names


FILES = {
    "varied.csv": lambda: _varied(1500, seed=1).encode(),
    "varied_without_responses.csv": lambda: _varied(400, seed=2, responses=False).encode(),
    **{path.name: path.read_bytes for path in sorted(EXPORTS.glob("*.csv"))},
    "sample_cases.csv": (ROOT / "data" / "sample_cases.csv").read_bytes,
}


@pytest.mark.parametrize("name", FILES)
def test_a_first_import_counts_what_the_sql_refresh_counts(
    engine, tmp_path, counted, refreshed_by_sql, name
):
    path = tmp_path / name
    path.write_bytes(FILES[name]())
    (report,) = import_prepared(engine, [prepare_file(path, POLICY)], POLICY)
    assert counted == [report.inserted]  # counted in memory, every case
    assert refreshed_by_sql == []  # every summary table: none by SQL
    in_memory = _tables(engine)
    assert in_memory["case_counts"]
    assert in_memory["time_lists"]
    assert _written_by_sql(engine) == in_memory


def test_the_varied_file_has_every_kind_of_value_the_summaries_tell_apart(engine, tmp_path):
    """The file above would prove little if it missed a case the groupings treat apart."""
    path = tmp_path / "varied.csv"
    path.write_text(_varied(1500, seed=1))
    import_prepared(engine, [prepare_file(path, POLICY)], POLICY)
    tables = _tables(engine)
    verdicts = {(row[7], row[8]) for row in tables["verdict_counts"]}
    assert {("met", "stated"), ("breached", "stated"), ("met", "business_figure"),
            ("breached", "business_figure"), (None, "")} <= verdicts  # fmt: skip
    statuses = {row[9] for row in tables["case_counts"]}
    assert {None, "met", "breached", "invalid"} <= statuses
    assert {None} < {row[5] for row in tables["case_counts"]}  # customers, one empty
    assert {None} < {row[8] for row in tables["case_counts"]}  # dismissal reasons
    moves = tables["case_moves"]
    assert any(row[6] for row in moves)  # days with closings
    assert any(not row[6] for row in moves)  # and without
    assert len({row[1] for row in tables["case_counts_by_month"]}) >= 4  # months
    assert len({row[0] for row in tables["verdict_counts_by_month"]}) >= 4
    disagreeing = tables["verdict_disagreements"]
    assert {row[15] for row in disagreeing} == {"met", "breached"}  # ours
    # the helpdesk's verdict, stated (vendor_sla) or from its figure (no verdict stated)
    assert {"met", "breached", None} <= {row[16] for row in disagreeing}


def test_later_imports_and_several_files_are_counted_by_sql(engine, tmp_path, counted):
    first, second, third = (tmp_path / f"{n}.csv" for n in ("first", "second", "third"))
    first.write_text(_varied(200, seed=3))
    second.write_text(_varied(300, seed=4))  # C-0 .. C-199 changed, C-200 .. new
    third.write_text(_varied(50, seed=5).replace("C-", "T-"))
    import_prepared(engine, [prepare_file(first, POLICY)], POLICY)
    assert counted == [200]
    import_prepared(engine, [prepare_file(second, POLICY)], POLICY)
    assert counted == [200]  # the database had cases: SQL
    after_second = _tables(engine)
    assert _written_by_sql(engine) == after_second
    import_prepared(engine, [prepare_file(third, POLICY)], POLICY, source="other")
    assert counted == [200]


def test_several_files_into_an_empty_database_are_counted_by_sql(engine, tmp_path, counted):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(_varied(100, seed=6))
    second.write_text(_varied(100, seed=7).replace("C-", "S-"))
    prepared = [prepare_file(path, POLICY) for path in (first, second)]
    import_prepared(engine, prepared, POLICY, keep_both=True)
    assert counted == []
    assert sum(row[10] for row in _tables(engine)["case_counts"]) == 200


def test_a_failure_while_counting_stores_nothing(engine, tmp_path, monkeypatch):
    """The counting runs in a thread beside the index build: its error fails the import,
    whose transaction then stores nothing."""

    def failing(stored):
        raise MemoryError("counting")

    monkeypatch.setattr(summaries_from_memory, "count", failing)
    path = tmp_path / "varied.csv"
    path.write_text(_varied(50, seed=8))
    with pytest.raises(MemoryError, match="counting"):
        import_prepared(engine, [prepare_file(path, POLICY)], POLICY)
    with engine.connect() as connection:
        assert connection.execute(select(store.cases.c.case_id)).first() is None
        assert connection.execute(select(store.case_counts.c.day)).first() is None


@pytest.mark.parametrize("failing", ["_secondary_indexes_rebuilt_if_large", "_insert_rejects",
                                     "refresh_calendar_days"])  # fmt: skip
def test_an_import_failing_while_counting_waits_for_the_count_then_stores_nothing(
    engine, tmp_path, monkeypatch, failing
):
    """A failure after the counting began (the index rebuild, the rejects, the calendar)
    fails the import only once the counting thread has ended: it never outlives the
    import, holding its cases, its error unseen."""
    from dashboard import importing

    ended = []
    count = summaries_from_memory.count

    def slow(stored):
        time.sleep(0.3)
        try:
            return count(stored)
        finally:
            ended.append(True)

    monkeypatch.setattr(summaries_from_memory, "count", slow)
    monkeypatch.setattr(importing, "LARGE_WRITE", 2)  # the indexes are rebuilt, as at 1M
    original = getattr(importing, failing)

    def fail(*args, **kwargs):
        if failing == "_secondary_indexes_rebuilt_if_large":
            return _failing_on_exit(original(*args, **kwargs))
        raise OSError("disk full")

    monkeypatch.setattr(importing, failing, fail)
    path = tmp_path / "varied.csv"
    path.write_text(_varied(50, seed=9))
    with pytest.raises(OSError, match="disk full"):
        import_prepared(engine, [prepare_file(path, POLICY)], POLICY)
    assert ended == [True]
    with engine.connect() as connection:
        assert connection.execute(select(store.cases.c.case_id)).first() is None


@contextlib.contextmanager
def _failing_on_exit(context):
    with context:
        yield
    raise OSError("disk full")
