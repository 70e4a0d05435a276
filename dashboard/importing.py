"""Store prepared export files: upsert cases by (source, case_id), log the import, keep rejects.

All files of one command are written in one transaction: they land whole or not at all. A case
whose imported fields are unchanged is left alone (not even its import id moves), so importing
the same file twice changes nothing; a later export updates only the cases that changed. The
computed SLA fields are written with the fingerprint of the policy that produced them; a policy
change is applied with `recompute`, which never touches the imported fields.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import warnings
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select

from dashboard import __version__, import_log, parallel, summaries_from_memory
from dashboard.access import login_name
from dashboard.bulk_write import insert_rows, update_rows
from dashboard.business_hours import BusinessCalendar, supported_years
from dashboard.event_store import merged_with_stored, rederive, refresh_events, store_events
from dashboard.importer.prepare import PreparedFile
from dashboard.importer.readers import Reject
from dashboard.importer.uploads import printable_name
from dashboard.importer.validation import Cases
from dashboard.local_periods import months, quarters, week_starts
from dashboard.overlap import refuse_overlaps
from dashboard.policy import Policy
from dashboard.sla import ResolutionFigures, SlaFigures
from dashboard.store import (
    LARGE_WRITE,
    calendar_days,
    cases,
    import_rejects,
    imports,
    refresh_statistics,
    settings,
    sorting_on_two_cores,
    writing,
)
from dashboard.summaries import refresh_summaries
from dashboard.summaries_from_memory import Counted, StoredCases
from dashboard.text import nullable_text, object_frame

# Fields that come from the export; a change to any of them makes the case "updated".
RAW_FIELDS = (
    "customer", "plan", "severity", "severity_label", "subject", "component", "status",
    "channel", "dismissal_reason", "created_at", "first_response_at", "first_response_source",
    "response_recorded", "resolved_at", "vendor_response_minutes",
    "vendor_response_business_minutes", "vendor_sla", "reopen_count", "event_count",
)  # fmt: skip
DERIVED_FIELDS = (
    "created_local_date", "created_local_week", "created_local_month", "created_local_quarter",
    "resolved_local_date", "target_seconds", "response_business_seconds", "response_deadline",
    "response_breach_at", "response_status", "resolution_business_seconds",
    "paused_business_seconds", "resolution_target_seconds", "resolution_status",
    "policy_fingerprint",
)  # fmt: skip


@dataclass(frozen=True)
class ImportReport:
    file: str
    format: str
    source: str
    import_id: int
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    notes: list[str]

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "format": self.format,
            "source": self.source,
            "import_id": self.import_id,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "notes": self.notes,
        }


def import_prepared(
    engine: Engine,
    prepared: list[PreparedFile],
    policy: Policy,
    *,
    source: str | None = None,
    user: str | None = None,
    keep_both: bool = False,
) -> list[ImportReport]:
    """Write every prepared file in one transaction; returns one report per file.

    Each file's line of the import log is committed first, as running, and replaced by a
    finished one in the import's transaction (dashboard/import_log): an import killed half-way
    shows there as interrupted, having stored nothing. Case ids already stored under another
    source are refused (OverlapError, nothing written) unless `keep_both` (dashboard/overlap).
    """
    user = user or login_name()
    sources = [source or item.detection.format.name for item in prepared]
    started = dt.datetime.now(dt.UTC)
    rows = [_log_row(item, policy, source=s, user=user, started=started)
            for item, s in zip(prepared, sources, strict=True)]  # fmt: skip
    reports = []
    with import_log.logged(engine, rows) as running, writing(engine) as connection:
        if not keep_both:  # in the writing transaction: no other import can slip in between
            refuse_overlaps(connection, overlap_files(prepared, sources))
        interrupted = import_log.mark_interrupted(connection, besides=running)
        import_ids = import_log.taken_over(connection, running, rows)
        # The first cases of a database, from one file: every case stored is one in memory,
        # and the summaries are counted there (dashboard/summaries_from_memory.py)
        first = len(prepared) == 1 and not _has_cases(connection)
        counting = None
        try:
            for item, import_id, source_ in zip(prepared, import_ids, sources, strict=True):
                report, counting = _import_one(connection, item, policy, import_id,
                                               source=source_, count_summaries=first)  # fmt: skip
                reports.append(report)
            refresh_calendar_days(connection, policy)
            refresh_summaries(connection, counting)
        except BaseException:
            parallel.settled(counting)  # the counting ends before the failure goes on
            raise
        _set(connection, "policy_fingerprint", policy.fingerprint)
    for earlier in interrupted:
        warnings.warn(earlier.message(), import_log.InterruptedWarning, stacklevel=2)
    if sum(r.inserted + r.updated for r in reports) >= LARGE_WRITE:
        refresh_statistics(engine)
    return reports


def overlap_files(
    prepared: list[PreparedFile], sources: list[str]
) -> list[tuple[str, str, pd.Series]]:
    """(file name, source, accepted case ids) of each file that stores cases."""
    return [
        (item.path.name, source, item.validated.cases.frame["case_id"])
        for item, source in zip(prepared, sources, strict=True)
        if item.figures is not None
    ]


SAMPLE_EXPORT = Path(__file__).resolve().parent.parent / "data" / "sample_cases.csv"


def load_sample_if_empty(
    engine: Engine, policy: Policy, *, sample: Path = SAMPLE_EXPORT
) -> ImportReport | None:
    """Load the bundled sample into a database that has never seen an import.

    The dashboard's first start on the embedded default shows real-looking figures at once; a
    database anyone has imported into (even if later emptied) is left alone.
    """
    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(imports)).scalar_one():
            return None
    from dashboard.importer.prepare import prepare_file

    prepared = prepare_file(sample, policy)
    [report] = import_prepared(engine, [prepared], policy, source="sample", user="sample data")
    return report


def stale_cases(engine: Engine, policy: Policy) -> int:
    """How many stored cases need `recompute`: scored under a different policy, or resolved
    cases stored before resolution times were computed (schema 6)."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).where(is_stale(policy))).scalar_one())


def is_stale(policy: Policy):
    return (cases.c.policy_fingerprint != policy.fingerprint) | (
        cases.c.resolved_at.is_not(None)
        & cases.c.resolution_business_seconds.is_(None)
        & (cases.c.resolved_at >= cases.c.created_at)
    )


def _log_row(
    item: PreparedFile, policy: Policy, *, source: str, user: str, started: dt.datetime
) -> dict:
    """A file's line of the import log, as it is before its cases are written."""
    return {
        "file_name": printable_name(item.path.name),  # a CLI file name may hold any byte
        "checksum": item.checksum,
        "file_size": item.size,
        "format": item.detection.format.name,
        "source": source,
        "description": item.description,
        "started_at": started,
        "finished_at": started,
        "user_name": user,
        "rows_read": item.validated.read,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,  # none stored yet: the log offers no empty list of rejected rows
        "policy_fingerprint": policy.fingerprint,
        "notes": "\n".join(item.notes),
        "program_version": __version__,
        "time_zone": item.time_zone,
    }


def _import_one(
    connection: Connection,
    item: PreparedFile,
    policy: Policy,
    import_id: int,
    *,
    source: str,
    count_summaries: bool = False,
) -> tuple[ImportReport, Future[Counted] | None]:
    """The file's report; with `count_summaries`, when every case it holds is new, the
    summaries of its cases being counted (dashboard/summaries_from_memory.py)."""
    counting = None
    validated = item.validated
    inserted = updated = unchanged = 0
    cases_read, figures = validated.cases, item.figures
    if item.events is not None and figures is not None:
        # A later export of an event log adds its new events to the stored history; the cases
        # it touches are derived again from all their events.
        merged = merged_with_stored(connection, source, item.events, import_id)
        if merged.stored:
            read = validated.cases
            unrecorded = read.frame["case_id"][~read.response_known].tolist()
            rederived, figures = rederive(
                merged.history, policy, validated, responses_unrecorded=unrecorded
            )
            cases_read = rederived.cases
        store_events(connection, source, merged.new, import_id)
        refresh_events(connection, source, merged.reread)
    if figures is not None:
        inserted, updated, counting = _write_cases(
            connection, cases_read, figures, policy, import_id, source=source,
            count_summaries=count_summaries,
        )  # fmt: skip
        unchanged = len(cases_read) - inserted - updated

    try:
        _insert_rejects(connection, import_id, validated.rejects, item)
        import_log.finished(
            connection,
            import_id,
            inserted=inserted,
            updated=updated,
            unchanged=unchanged,
            rejected=len(validated.rejects),
            finished_at=dt.datetime.now(dt.UTC),
        )
    except BaseException:
        parallel.settled(counting)  # the counting ends before the failure goes on
        raise
    return ImportReport(
        file=str(item.path),
        format=item.detection.format.name,
        source=source,
        import_id=int(import_id),
        read=validated.read,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=len(validated.rejects),
        notes=item.notes,
    ), counting


# Cases turned into rows and written at a time: an import holds the rows of one chunk, never
# a 45-column frame of every case (300 MB at a million cases).
_CHUNK = 50_000


def _write_cases(
    connection: Connection,
    cases_read: Cases,
    figures: SlaFigures,
    policy: Policy,
    import_id: int,
    *,
    source: str,
    count_summaries: bool = False,
) -> tuple[int, int, Future[Counted] | None]:
    """Insert the new cases and update the changed ones, a chunk at a time; returns how many
    of each, and with `count_summaries`, when every case is new, their summaries being
    counted (in a thread, while SQLite builds the indexes: that releases the GIL)."""
    hashes = content_hashes(cases_read)
    stored = _stored_hashes(connection, source)
    if stored.empty:  # a first import of the source: all new, no ids to look up
        is_new = np.ones(len(hashes), dtype=bool)
        is_changed = np.zeros(len(hashes), dtype=bool)
    else:
        found = stored.reindex(cases_read.frame["case_id"])
        is_new = found.isna().to_numpy()
        is_changed = ~is_new & (found.fillna(0).to_numpy(np.int64) != hashes)
    new = np.flatnonzero(is_new)
    counting = None
    try:
        with _secondary_indexes_rebuilt_if_large(connection, len(new)):
            for take in _chunks(new, len(hashes)):
                rows = case_rows(cases_read, figures, policy, take, source=source,
                                 import_id=import_id, hashes=hashes)  # fmt: skip
                insert_rows(connection, cases, rows)
            if count_summaries and len(new) == len(hashes) > 0:
                counting = parallel.started(_counted, cases_read, figures, policy, source)
    except BaseException:  # (the index rebuild failed while the summaries were counted)
        parallel.settled(counting)
        raise
    columns = [*RAW_FIELDS, "content_hash", "last_import_id", *DERIVED_FIELDS]
    for take in _chunks(np.flatnonzero(is_changed), len(hashes)):
        rows = case_rows(cases_read, figures, policy, take, source=source,
                         import_id=import_id, hashes=hashes)  # fmt: skip
        update_rows(connection, cases, rows[[*columns, "source", "case_id"]],
                    keys=("source", "case_id"))  # fmt: skip
    return len(new), int(is_changed.sum()), counting


def _chunks(positions: np.ndarray, total: int) -> Iterator[slice | np.ndarray]:
    """The positions a chunk at a time; a slice when they are every position (a first import),
    which takes views of the columns instead of copies."""
    every = len(positions) == total
    for start in range(0, len(positions), _CHUNK):
        if every:
            yield slice(start, min(start + _CHUNK, total))
        else:
            yield positions[start : start + _CHUNK]


def case_rows(
    cases_read: Cases,
    figures: SlaFigures,
    policy: Policy,
    take: slice | np.ndarray,
    *,
    source: str,
    import_id: int,
    hashes: np.ndarray | None = None,
) -> pd.DataFrame:
    """The stored row of each case at `take` (positions or a slice): imported fields, content
    hash, imports and the fields computed under the policy."""
    # Without their timelines: storing reads none, and positions are no mask to subset them by.
    part = dataclasses.replace(cases_read, timelines=None).subset(take)
    rows = raw_frame(part, source, hashes=None if hashes is None else hashes[take])
    for name, values in derived_frame(part, _figures_at(figures, take), policy).items():
        rows[name] = values
    rows["last_import_id"] = import_id
    rows["first_import_id"] = import_id
    return rows


def _figures_at(figures: SlaFigures, take: slice | np.ndarray) -> SlaFigures:
    """Each per-case array of the figures (and of their resolution figures) at `take`."""

    def at(record):
        return dataclasses.replace(
            record,
            **{
                f.name: getattr(record, f.name)[take]
                for f in dataclasses.fields(record)
                if isinstance(getattr(record, f.name), np.ndarray)
            },
        )

    return dataclasses.replace(
        at(figures), resolution=None if figures.resolution is None else at(figures.resolution)
    )


@contextlib.contextmanager
def _secondary_indexes_rebuilt_if_large(connection: Connection, rows: int) -> Iterator[None]:
    """On SQLite, a large insert builds the secondary indexes once, sorted, after the rows are
    in, instead of updating them row by row (a sixth of a million-row import). Inside the
    import's transaction, so readers (WAL) keep their indexes until it commits. PostgreSQL is
    left alone: dropping an index there would lock readers out for the whole import."""
    if connection.dialect.name != "sqlite" or rows < LARGE_WRITE:
        yield
        return
    for index in cases.indexes:
        index.drop(connection)
    yield
    with sorting_on_two_cores(connection):  # each index is a sort of every case
        for index in cases.indexes:
            index.create(connection)


def raw_frame(validated: Cases, source: str, *, hashes: np.ndarray | None = None) -> pd.DataFrame:
    """The imported fields of each accepted case, ready to store, with their content hash
    (`hashes`: already computed)."""
    frame = validated.frame
    raw = object_frame(
        {
            "source": np.full(len(frame), source, dtype=object),
            "case_id": frame["case_id"].to_numpy(dtype=object),
            **{c: nullable_text(frame[c]) for c in ("customer", "plan", "subject", "component")},
            "severity": frame["severity"].astype(np.int64),
            "severity_label": frame["severity_label"].to_numpy(dtype=object),
            "status": nullable_text(frame["status"]),
            "channel": nullable_text(frame["channel"]),
            "dismissal_reason": nullable_text(frame["dismissal_reason"]),
            "created_at": _instants(validated.created_at),
            "first_response_at": _instants(
                validated.first_response_at, validated.has_first_response_at
            ),
            "first_response_source": np.where(
                validated.has_first_response_at, validated.first_response_source, None
            ),
            "response_recorded": validated.response_known.astype(bool),
            "resolved_at": _instants(validated.resolved_at, validated.has_resolved_at),
            # NaN when missing: bulk_write stores it as NULL
            "vendor_response_minutes": frame["vendor_response_minutes"].to_numpy(np.float64),
            "vendor_response_business_minutes": frame["vendor_response_business_minutes"].to_numpy(
                np.float64
            ),
            "vendor_sla": nullable_text(frame["vendor_sla"]),
            # Only an event log's cases have these; NULL for one row per case.
            **{c: _optional_counts(frame, c) for c in _HISTORY_COUNTS},
        }
    )
    raw["content_hash"] = content_hashes(validated) if hashes is None else hashes
    return raw


_HISTORY_COUNTS = ("reopen_count", "event_count")


def _optional_counts(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    return frame[column].astype("Int64")


# Provenance, not content: how a helpdesk labelled the priority or where the first response came
# from may differ between an export and our canonical re-export of the same cases.
_NOT_HASHED = {"severity_label", "first_response_source"}


def content_hashes(validated) -> np.ndarray:
    """A 64-bit hash of each case's imported fields, to tell changed cases from unchanged.

    Each field is hashed with pandas' hash_array (SipHash with a fixed key, in C: a tenth of
    the cost of hashing joined text in Python) and the fields are combined in a fixed order.
    tests/test_importing.py pins the value for one case: should a pandas release change its
    hashing, that test says so, and the worst an unnoticed change could do is report every
    case of the next import as updated (and rewrite identical values); never skip a change.
    """
    frame = validated.frame
    combined = np.zeros(len(frame), dtype=np.uint64)
    for field in RAW_FIELDS:
        # A per-case export has no history counts: leaving them out keeps its hashes those of
        # the releases before histories, so its next import is not all "updated".
        if field in _NOT_HASHED or (field in _HISTORY_COUNTS and field not in frame):
            continue
        if field in ("created_at", "first_response_at", "resolved_at"):
            seconds = np.asarray(getattr(validated, field), dtype=np.int64)
            if field != "created_at":
                seconds = np.where(getattr(validated, f"has_{field}"), seconds, -1)
            values = seconds
        elif field == "response_recorded":
            values = np.asarray(validated.response_known, dtype=np.int64)
        elif frame[field].dtype.kind == "O":  # clean text from the mapping, '' when empty
            values = frame[field].to_numpy(dtype=object)
        else:  # numbers; NaN when missing
            values = frame[field].to_numpy()
        with np.errstate(over="ignore"):
            combined = combined * np.uint64(1_000_003) ^ pd.util.hash_array(values)
    return combined.view(np.int64)


def derived_frame(validated_cases, figures: SlaFigures, policy: Policy) -> pd.DataFrame:
    """The fields computed under the policy: local periods and the SLA verdict."""
    created_day, resolved_day = _local_dates(validated_cases, policy)
    stored_status = _stored_status(figures)
    return object_frame(
        {
            "created_local_date": created_day,
            "created_local_week": week_starts(created_day),
            "created_local_month": months(created_day),
            "created_local_quarter": quarters(created_day),
            "resolved_local_date": resolved_day,
            "target_seconds": figures.target_seconds.astype(np.int64),
            "response_business_seconds": pd.Series(figures.response_seconds, dtype="Int64").where(
                figures.has_response_time
            ),
            "response_deadline": _instants(figures.deadline),
            "response_breach_at": _instants(figures.breach_at),
            "response_status": stored_status,
            **_resolution_columns(figures.resolution, len(created_day)),
            "policy_fingerprint": np.full(len(created_day), policy.fingerprint, dtype=object),
        }
    )


def _local_dates(validated_cases, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Each case's created_local_date and resolved_local_date (NaT while unresolved)."""
    zone = ZoneInfo(policy.calendar.timezone)
    created_day = _local_days(validated_cases.created_at, zone)
    resolved_day = _local_days(validated_cases.resolved_at, zone)
    resolved_day[~validated_cases.has_resolved_at] = np.datetime64("NaT")
    return created_day, resolved_day


def _stored_status(figures: SlaFigures) -> np.ndarray:
    # Unanswered cases have no stored verdict: pending or breached depends on "as of".
    return np.where(figures.unanswered, None, figures.status_names)


def _counted(cases_read: Cases, figures: SlaFigures, policy: Policy, source: str) -> Counted:
    return summaries_from_memory.count(stored_cases(cases_read, figures, policy, source))


def stored_cases(cases_read: Cases, figures: SlaFigures, policy: Policy, source: str):
    """What the summaries read of each case as raw_frame and derived_frame store it, for
    dashboard/summaries_from_memory.py (an import into an empty database)."""
    frame = cases_read.frame
    created_day, resolved_day = _local_dates(cases_read, policy)
    resolution = figures.resolution
    n = len(frame)
    return StoredCases(
        created_day=created_day,
        resolved_day=resolved_day,
        severity=frame["severity"].to_numpy(),
        # '' where NULL is stored (nullable_text): the summaries map it, once a value
        **{c: frame[c].to_numpy(dtype=object) for c in ("customer", "channel", "plan",
                                                         "dismissal_reason", "vendor_sla")},
        # as _stored_status: NULL (0) while unanswered
        status=np.where(figures.unanswered, 0, figures.status.astype(np.int8) + 1).astype(np.int8),
        source=source,
        vendor_business_minutes=frame["vendor_response_business_minutes"].to_numpy(np.float64),
        target_seconds=np.asarray(figures.target_seconds),
        response_recorded=np.asarray(cases_read.response_known, dtype=bool),
        has_response_time=np.asarray(figures.has_response_time, dtype=bool),
        response_seconds=np.asarray(figures.response_seconds, dtype=np.int64),
        has_resolution_time=(np.zeros(n, dtype=bool) if resolution is None
                             else np.asarray(resolution.has_time, dtype=bool)),
        resolution_seconds=(np.zeros(n, dtype=np.int64) if resolution is None
                            else np.asarray(resolution.seconds, dtype=np.int64)),
        calendar_years=supported_years(policy.calendar),
        rows_at=lambda positions: case_rows(cases_read, figures, policy, positions,
                                            source=source, import_id=0),
    )  # fmt: skip


def _resolution_columns(resolution: ResolutionFigures | None, n: int) -> dict:
    if resolution is None:  # a caller without resolution figures stores none
        missing = pd.Series(pd.NA, index=range(n), dtype="Int64")
        return {
            "resolution_business_seconds": missing,
            "paused_business_seconds": missing,
            "resolution_target_seconds": missing,
            "resolution_status": np.full(n, None, dtype=object),
        }
    has = resolution.has_time
    return {
        "resolution_business_seconds": pd.Series(resolution.seconds, dtype="Int64").where(has),
        "paused_business_seconds": pd.Series(resolution.paused, dtype="Int64").where(has),
        "resolution_target_seconds": pd.Series(resolution.target, dtype="Int64").where(
            resolution.target > 0
        ),
        "resolution_status": resolution.status,
    }


def _local_days(seconds: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """The local calendar day of each instant, as datetime64[D]."""
    local = pd.to_datetime(np.asarray(seconds, dtype=np.int64), unit="s", utc=True)
    wall = local.tz_convert(zone).tz_localize(None)
    return wall.to_numpy(dtype="datetime64[D]").copy()


def refresh_calendar_days(connection: Connection, policy: Policy) -> None:
    """One row per local day of every year the stored cases' local days touch, to next year.

    From the stored local dates, not the instants: those were fixed under the policy of their
    import (a case created at 02:00 UTC on 1 January is on 31 December in New York), and the
    summaries and queries join on them. Years outside the holiday list are left out (a
    resolution typed as 2999 is not a reason to refuse the import).
    """
    first, last_created, last_resolved = connection.execute(
        select(
            func.min(cases.c.created_local_date),
            func.max(cases.c.created_local_date),
            func.max(cases.c.resolved_local_date),
        )
    ).one()
    if first is None:
        return
    today = dt.datetime.now(dt.UTC).astimezone(policy.calendar.zone).date()
    last = max(_as_date(d) for d in (last_created, last_resolved, today) if d is not None)
    supported_first, supported_last = supported_years(policy.calendar)
    years = (max(_as_date(first).year, supported_first), min(last.year + 1, supported_last))
    calendar = BusinessCalendar.build(policy.calendar, first_year=years[0], last_year=years[1])
    connection.execute(delete(calendar_days))
    insert_rows(connection, calendar_days, calendar_days_frame(calendar))


def _as_date(value) -> dt.date:
    """A Date column's value: a date (PostgreSQL) or ISO text (SQLite, through an aggregate)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def calendar_days_frame(calendar: BusinessCalendar) -> pd.DataFrame:
    zone = ZoneInfo(calendar.spec.timezone)
    days = pd.date_range(
        dt.date(calendar.first_year, 1, 1), dt.date(calendar.last_year, 12, 31), freq="D"
    )
    # A local day ends at the next local midnight (which exists in every zone we accept).
    ends = (days + pd.Timedelta(days=1)).tz_localize(zone, nonexistent="shift_forward",
                                                     ambiguous=True).tz_convert("UTC")  # fmt: skip
    working = np.isin(days.day_of_week, calendar.spec.workdays)
    names = [calendar.closed_days.get(d.date()) for d in days]
    day = days.to_numpy(dtype="datetime64[D]")
    return object_frame(
        {
            "day": day,
            "week": week_starts(day),
            "month": months(day),
            "quarter": quarters(day),
            "is_working_day": working & np.array([n is None for n in names]),
            "closed_reason": np.array(names, dtype=object),
            "day_end": ends.tz_localize(None).to_numpy(dtype="datetime64[s]"),
        }
    )


def _has_cases(connection: Connection) -> bool:
    return connection.execute(select(cases.c.case_id).limit(1)).first() is not None


def _stored_hashes(connection: Connection, source: str) -> pd.Series:
    """Content hash by case id for the source's stored cases (Int64: no float rounding)."""
    rows = connection.execute(
        select(cases.c.case_id, cases.c.content_hash).where(cases.c.source == source)
    ).all()
    return pd.Series(
        [h for _, h in rows], index=pd.Index([c for c, _ in rows], dtype=object), dtype="Int64"
    )


def _insert_rejects(
    connection: Connection, import_id: int, rejects: list[Reject], item: PreparedFile
) -> None:
    customer_headers = item.detection.format.columns.get("customer", ())
    rows = [
        {
            "import_id": import_id,
            "row_number": r.row,
            "case_id": r.case_id,
            "customer": _printable(_field(r.fields, customer_headers)),
            "reason": _printable(r.reason),
            # ASCII JSON: stray bytes and NUL characters kept as escapes, storable anywhere;
            # each field an excerpt at most (the rejects file beside the export has it whole)
            "record": json.dumps({k: _excerpt(v) for k, v in r.fields.items()}, ensure_ascii=True),
        }
        for r in rejects
    ]
    if rows:
        connection.execute(insert(import_rejects), rows)


# How much of a rejected field the import log keeps: enough to see what was wrong, never the
# 100 MB a broken export can put in one cell.
REJECT_FIELD_EXCERPT = 2_000


def _excerpt(value):
    if isinstance(value, str) and len(value) > REJECT_FIELD_EXCERPT:
        return f"{value[:REJECT_FIELD_EXCERPT]}... [{len(value):,} characters in all]"
    return value


def _instants(seconds: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """UTC seconds -> datetime64[s] (NaT where not present), as bulk_write stores them."""
    stamps = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    if present is not None:
        stamps = np.where(np.asarray(present, dtype=bool), stamps, np.datetime64("NaT"))
    return stamps


def _field(fields: dict[str, str], headers: tuple[str, ...]) -> str | None:
    from dashboard.importer.formats import normalise

    by_name = {normalise(k): v for k, v in fields.items()}
    return next((by_name[normalise(h)] for h in headers if by_name.get(normalise(h))), None)


def _printable(text: str | None) -> str | None:
    """Text a database can store: stray bytes shown as U+FFFD, NUL characters as \\0."""
    if text is None:
        return None
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.replace("\x00", "\\0")


def _set(connection: Connection, key: str, value: str) -> None:
    connection.execute(delete(settings).where(settings.c.key == key))
    connection.execute(insert(settings).values(key=key, value=value))
