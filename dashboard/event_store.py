"""Stored case histories: write an event log's new events, read a source's events back, and
derive and score its cases again from them (after a later export, or under a new policy).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from dashboard.bulk_write import insert_rows, update_rows
from dashboard.errors import DashboardError
from dashboard.importer.dates import DateReading
from dashboard.importer.histories import ATTRIBUTES, derive
from dashboard.importer.prepare import score_validated
from dashboard.importer.validation import ValidatedCases
from dashboard.policy import Policy
from dashboard.sla import SlaFigures
from dashboard.store import case_events
from dashboard.text import nullable_text, object_frame

_NONE = np.iinfo(np.int64).min
_TEXT = ("activity", "status", "severity_label", "dismissal_reason", *ATTRIBUTES)
_FLAGS = ("responds", "resolves", "reopens", "resolved_state")
# What a reading of an event holds besides its key and place: compared to tell a re-read
# event whose reading changed (another mapping, another --timezone) from an unchanged one.
_READING = ("at", "sequence", "severity", "pause", "opened_at", "resolved_at", *_TEXT, *_FLAGS)
_LOOKUP_CHUNK = 5_000  # case ids per IN (...) list


def store_events(connection: Connection, source: str, events: pd.DataFrame, import_id: int) -> None:
    insert_rows(connection, case_events, _storable(events, source, import_id))


def refresh_events(connection: Connection, source: str, events: pd.DataFrame) -> None:
    """Stored events read again from a later file (under other rules, say): their new reading,
    keeping the import and row that place them in file order."""
    rows = _storable(events, source, 0).drop(columns=["import_id", "row_number"])
    update_rows(connection, case_events, rows, keys=("source", "case_id", "event_hash"))


def _storable(events: pd.DataFrame, source: str, import_id: int) -> pd.DataFrame:
    return object_frame(
        {
            "source": np.full(len(events), source, dtype=object),
            "case_id": events["case_id"].to_numpy(object),
            "event_hash": events["event_hash"].to_numpy(np.int64),
            "at": _instants(events["at"]),
            "sequence": events["sequence"].to_numpy(np.float64),
            "import_id": np.full(len(events), import_id, dtype=np.int64),
            "row_number": events["row"].to_numpy(np.int64),
            **{c: nullable_text(events[c]) for c in _TEXT},
            "severity": pd.Series(events["severity"].to_numpy(np.int64), dtype="Int64").where(
                events["severity"].to_numpy() > 0
            ),
            **{c: events[c].to_numpy(bool) for c in _FLAGS},
            "pause": events["pause"].to_numpy(np.int64),
            "opened_at": _instants(events["opened_at"]),
            "resolved_at": _instants(events["resolved_at"]),
        }
    )


def stored_events(connection: Connection, source: str, case_ids) -> pd.DataFrame:
    """The stored events of these cases of a source, in the shape histories.derive takes."""
    ids = list(dict.fromkeys(case_ids))
    columns = [c for c in case_events.c if c.name != "source"]
    parts = []
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        query = select(*columns).where(
            case_events.c.source == source,
            case_events.c.case_id.in_(ids[start : start + _LOOKUP_CHUNK]),
        )
        parts.extend(connection.execute(query).all())
    return events_from_rows(pd.DataFrame(parts, columns=[c.name for c in columns]))


def events_from_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows of case_events (as read back) -> the frame histories.derive takes."""
    return object_frame(
        {
            "case_id": raw["case_id"].to_numpy(object),
            "event_hash": raw["event_hash"].to_numpy(np.int64),
            "at": _seconds(raw["at"]),
            "sequence": raw["sequence"].to_numpy(np.float64, na_value=np.nan),
            "batch": raw["import_id"].to_numpy(np.int64),
            "row": raw["row_number"].to_numpy(np.int64),
            "position": np.full(len(raw), -1, dtype=np.int64),  # not in the file being read
            **{c: raw[c].fillna("").to_numpy(object) for c in _TEXT},
            "severity": raw["severity"].fillna(0).to_numpy(np.int16),
            **{
                c: raw[c].to_numpy(bool)
                for c in ("responds", "resolves", "reopens", "resolved_state")
            },
            "pause": raw["pause"].to_numpy(np.int8),
            "opened_at": _seconds(raw["opened_at"]),
            "resolved_at": _seconds(raw["resolved_at"]),
        }
    )


@dataclass(frozen=True)
class Merged:
    new: pd.DataFrame  # the file's events not stored yet (to insert)
    reread: pd.DataFrame  # stored events the file reads differently now (to update)
    history: pd.DataFrame  # every event of the file's cases, as they now read
    stored: int  # how many of those were stored before


def merged_with_stored(
    connection: Connection, source: str, events: pd.DataFrame, import_id: int
) -> Merged:
    """The file's events beside the stored history of its cases.

    An event already stored keeps its place in file order (the import and row that first
    brought it) but takes the file's reading: a mapping whose rules changed, read again,
    changes what its events mean, and nothing is stored twice. New events come after stored
    ones at the same timestamp and sequence (a later import comes after an earlier one)."""
    stored = stored_events(connection, source, events["case_id"])
    if stored.empty:  # the cases' first events: all new, and no copies of them (issue 16)
        new = events.assign(batch=import_id).reset_index(drop=True)
        return Merged(new, new.iloc[:0], new, 0)
    keys = ["case_id", "event_hash"]
    known = pd.MultiIndex.from_frame(events[keys]).isin(pd.MultiIndex.from_frame(stored[keys]))
    new = events[~known].assign(batch=import_id).reset_index(drop=True)
    again = (
        events[known]
        .drop(columns=["batch", "row"])
        .merge(stored[[*keys, "batch", "row"]], on=keys, how="left")
    )
    in_file = pd.MultiIndex.from_frame(stored[keys]).isin(pd.MultiIndex.from_frame(again[keys]))
    before = stored[in_file].set_index(keys).loc[pd.MultiIndex.from_frame(again[keys])]
    changed = _readings(again) != _readings(before.reset_index())
    history = pd.concat([stored[~in_file], again, new], ignore_index=True)
    return Merged(new, again[changed].reset_index(drop=True), history, len(stored))


def _readings(events: pd.DataFrame) -> np.ndarray:
    columns = {c: events[c].to_numpy() for c in _READING}
    columns["sequence"] = np.nan_to_num(columns["sequence"].astype(np.float64), nan=-1.0)
    for name in (*_TEXT,):
        columns[name] = np.asarray(columns[name], dtype=object)
    for name in ("severity", "pause"):
        columns[name] = columns[name].astype(np.int64)
    for name in _FLAGS:
        columns[name] = columns[name].astype(bool)
    frame = pd.DataFrame(columns)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def rederive(
    events: pd.DataFrame,
    policy: Policy,
    template: ValidatedCases | None,
    *,
    responses_unrecorded: Collection[str] = (),
) -> tuple[ValidatedCases, SlaFigures | None]:
    """Cases derived again from all their events and scored as an import would;
    `responses_unrecorded` as for histories.derive (what the last import said of them)."""
    derived = derive(events, policy, responses_unrecorded=responses_unrecorded)
    if derived.rejected_cases:  # never silently: a stored history that no longer derives
        case_id, reason = next(iter(derived.rejected_cases.items()))
        raise DashboardError(
            f"case {case_id} cannot be derived from its stored events: {reason} "
            f"({len(derived.rejected_cases)} case(s) in all); nothing was changed"
        )
    validated = ValidatedCases(
        cases=derived.cases,
        rejects=[],
        ambiguous_times=0,
        dates=template.dates if template else DateReading(formats=(), order="", explanation=""),
        notes=[],
        table=template.table if template else None,
    )
    validated, figures, _ = score_validated(validated, policy, as_of=None)
    return validated, figures


def _instants(seconds: pd.Series) -> np.ndarray:
    values = seconds.to_numpy(np.int64)
    stamps = values.astype("datetime64[s]")
    return np.where(values == _NONE, np.datetime64("NaT"), stamps)


def _seconds(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values, utc=True)
    filled = stamps.fillna(pd.Timestamp(0, tz="UTC")).dt.as_unit("s").astype("int64")
    return np.where(stamps.isna(), _NONE, filled.to_numpy()).astype(np.int64)
