"""Case histories: an event log's rows -> each case's facts, and the figures its history sets.

The rules are docs/event-logs.md. Everything is vectorised over events sorted by case and then
by order (timestamp, sequence, batch, row): a million events are a handful of numpy passes.
Three steps, each testable alone:

- `event_frame`: validated event rows (one per file row) -> the storable events, with what the
  format's rules say each event means (a response, a resolution, a reopen, a pause) fixed;
- `derive`: events (from a file, or stored ones merged with a new file's) -> one row per case
  (its facts) and the timelines the policy needs (severities over time, statuses);
- `history_targets` and `paused_seconds`: what the policy makes of a timeline with a business
  calendar ([scoring] severity = "escalation", [pauses] statuses).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.business_hours import BusinessCalendar
from dashboard.importer.formats import EventRules
from dashboard.importer.readers import Reject
from dashboard.importer.validation import Cases, ValidatedCases
from dashboard.policy import Policy
from dashboard.sla import target_seconds
from dashboard.text import lowered, object_frame

# Case attributes: the value of the last event that has one.
ATTRIBUTES = ("customer", "plan", "channel", "component", "subject", "vendor_sla")
# The storable event: what `case_events` holds, one row per distinct event.
EVENT_COLUMNS = (
    "case_id", "event_hash", "at", "sequence", "batch", "row", "position", "activity", "status",
    "severity", "severity_label", "responds", "resolves", "reopens", "resolved_state", "pause",
    "opened_at", "resolved_at", "dismissal_reason", *ATTRIBUTES,
)  # fmt: skip
_NONE = np.iinfo(np.int64).min  # an absent instant in int64 event columns


def event_frame(validated: ValidatedCases, rules: EventRules, *, batch: int = 0) -> pd.DataFrame:
    """The accepted event rows as storable events, with the format's rules applied."""
    rows = validated.cases
    frame = rows.frame
    status = frame["status"].to_numpy(dtype=object)
    said_status = lowered(frame["status"]).to_numpy(dtype=object)
    activity = lowered(frame["activity"]).to_numpy(dtype=object)
    responds = np.isin(activity, list(rules.responded_activities))
    if rules.responded_when_status_not:
        responds |= (said_status != "") & ~np.isin(
            said_status, list(rules.responded_when_status_not)
        )
    pause = np.where(
        np.isin(activity, list(rules.paused_activities)), 1,
        np.where(np.isin(activity, list(rules.resumed_activities)), -1, 0),
    ).astype(np.int8)  # fmt: skip
    events = object_frame(
        {
            "case_id": frame["case_id"].to_numpy(dtype=object),
            "at": _placed_by_sequence(frame),
            "sequence": np.asarray(frame["sequence"], dtype=np.float64),
            "batch": np.full(len(frame), batch, dtype=np.int64),
            "row": frame["row"].to_numpy(dtype=np.int64),
            "position": frame["position"].to_numpy(dtype=np.int64),
            "activity": frame["activity"].to_numpy(dtype=object),
            "status": status,
            "severity": frame["severity"].to_numpy(dtype=np.int16),
            "severity_label": frame["severity_label"].to_numpy(dtype=object),
            "responds": responds,
            "resolves": np.isin(activity, list(rules.resolved_activities)),
            "reopens": np.isin(activity, list(rules.reopened_activities)),
            "resolved_state": np.isin(said_status, list(rules.resolved_statuses)),
            "pause": pause,
            "opened_at": np.where(frame["has_created_at"], rows.created_at, _NONE),
            "resolved_at": np.where(rows.has_resolved_at, rows.resolved_at, _NONE),
            "dismissal_reason": frame["dismissal_reason"].to_numpy(dtype=object),
            **{a: frame[a].to_numpy(dtype=object) for a in ATTRIBUTES},
        }
    )
    # The key of what the file says (validation.py), not of what the rules made of it: read
    # again under other rules, an event is the same event, and its reading is refreshed.
    events["event_hash"] = frame["event_key"].to_numpy(np.int64)
    return events


def _placed_by_sequence(frame: pd.DataFrame) -> np.ndarray:
    """Event times, those in the hour the clocks go back placed by the case's sequence.

    A local time in that hour happens twice and is read as its first occurrence. When the
    case's sequence says an event came after another that is timed later, it happened at the
    second occurrence (an hour later): ServiceNow's sys_mod_count orders updates exactly.
    """
    at = np.asarray(frame["event_at"], dtype=np.int64).copy()
    ambiguous = np.asarray(frame.get("event_at_ambiguous", False), dtype=bool)
    if not ambiguous.any():
        return at
    cases = set(frame["case_id"].to_numpy(object)[ambiguous])
    sequence = np.asarray(frame["sequence"], dtype=np.float64)
    ids = frame["case_id"].to_numpy(object)
    for case_id in cases:
        rows = np.flatnonzero(ids == case_id)
        rows = rows[~np.isnan(sequence[rows])]
        rows = rows[np.argsort(sequence[rows], kind="stable")]
        latest = None
        for i in rows:
            if ambiguous[i] and latest is not None and at[i] < latest <= at[i] + 3600:
                at[i] += 3600
            latest = at[i] if latest is None else max(latest, at[i])
    return at


def distinct_events(events: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Each event once (the first reading of it), and how many repeats were dropped."""
    repeated = events.duplicated(["case_id", "event_hash"], keep="first").to_numpy()
    return events[~repeated].reset_index(drop=True), int(repeated.sum())


@dataclass(frozen=True)
class Timelines:
    """The events of the derived cases in order; `case` indexes the cases they belong to."""

    case: np.ndarray  # int64, sorted
    at: np.ndarray  # int64 UTC seconds
    level: np.ndarray  # int16: the case's severity after the event (carried forward)
    severity_set: np.ndarray  # bool: the event gives the case its first or a new severity
    label: np.ndarray  # object: the severity's label as the export wrote it
    status: np.ndarray  # object: the case's status after the event (carried forward)
    activity_paused: np.ndarray  # bool: paused by activities after the event
    responds: np.ndarray  # bool: the event counts as a response
    reopens: np.ndarray  # bool: the event reopens the case

    def subset(self, keep_cases: np.ndarray) -> Timelines:
        keep = np.asarray(keep_cases, dtype=bool)
        renumber = np.cumsum(keep) - 1
        mask = keep[self.case]
        return Timelines(
            case=renumber[self.case[mask]],
            at=self.at[mask],
            level=self.level[mask],
            severity_set=self.severity_set[mask],
            label=self.label[mask],
            status=self.status[mask],
            activity_paused=self.activity_paused[mask],
            responds=self.responds[mask],
            reopens=self.reopens[mask],
        )


@dataclass(frozen=True)
class Derived:
    cases: Cases
    rejected_cases: dict[str, str]  # case id -> why all its events were refused


def derive(
    events: pd.DataFrame,
    policy: Policy,
    *,
    responses_unrecorded: Collection[str] = (),
    created_column: bool = False,
) -> Derived:
    """One row per case from its events (docs/event-logs.md), in the `Cases` shape the scorer
    and the store take. Under [scoring] severity = "escalation" the severity set here is the
    final one; `history_targets` decides, with the calendar.

    `created_column`: the format maps a creation column (ServiceNow's opened_at), so a case no
    event of which gives one is rejected; otherwise its first event creates it.
    `responses_unrecorded`: the cases whose log says nothing about responses (its format names
    no response rule), so they are unscored rather than unanswered."""
    seq = np.where(np.isnan(events["sequence"].to_numpy(np.float64)), np.inf,
                   events["sequence"].to_numpy(np.float64))  # fmt: skip
    codes, ids = pd.factorize(events["case_id"], sort=True)
    order = np.lexsort(
        (events["row"].to_numpy(), events["batch"].to_numpy(), seq, events["at"].to_numpy(), codes)
    )
    e = events.iloc[order].reset_index(drop=True)
    g = codes[order]
    n = len(e)
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if n else np.array([], dtype=np.int64)
    ends = np.r_[starts[1:], n] - 1
    index = np.arange(n)

    def last_where(mask: np.ndarray) -> np.ndarray:
        """Per case, the index of its last event where mask holds (-1: none)."""
        return np.maximum.reduceat(np.where(mask, index, -1), starts) if n else starts

    def first_where(mask: np.ndarray) -> np.ndarray:
        return np.minimum.reduceat(np.where(mask, index, n), starts) if n else starts

    at = e["at"].to_numpy(np.int64)
    group_first = np.zeros(n, dtype=bool)
    group_first[starts] = True

    # Severity and status carry forward: an event without one keeps the case's previous one.
    raw_level = e["severity"].to_numpy(np.int16)
    level = _carried(raw_level, raw_level > 0, starts, 0)
    status = _carried(e["status"].to_numpy(object), e["status"].to_numpy(object) != "", starts, "")
    previous_level = np.r_[0, level[:-1]] if n else level
    severity_set = (raw_level > 0) & (group_first | (level != previous_level))
    label = _carried(e["severity_label"].to_numpy(object), raw_level > 0, starts, "")

    # -- facts -------------------------------------------------------------------------------
    opened = e["opened_at"].to_numpy(np.int64)
    last_opened = last_where(opened != _NONE)
    created = np.where(last_opened >= 0, opened[np.maximum(last_opened, 0)], at[starts])
    responds = e["responds"].to_numpy(bool)
    first_response = first_where(responds)
    answered = first_response < n
    responded = np.where(answered, at[np.minimum(first_response, n - 1)], 0) if n else created

    resolved_column = e["resolved_at"].to_numpy(np.int64)[ends] if n else ends
    by_column = resolved_column != _NONE
    last_resolves = last_where(e["resolves"].to_numpy(bool))
    last_reopens = last_where(e["reopens"].to_numpy(bool))
    by_activity = (last_resolves >= 0) & (last_reopens < last_resolves)
    resolved = np.where(
        by_column, resolved_column, np.where(by_activity, at[np.maximum(last_resolves, 0)], 0)
    )
    has_resolved = by_column | by_activity

    # Carried forward as the status is: an event without a status leaves the case as it was.
    resolved_state = _carried(
        e["resolved_state"].to_numpy(bool), e["status"].to_numpy(object) != "", starts, False
    ).astype(bool)
    leaves_resolved = ~resolved_state & np.r_[False, resolved_state[:-1]] & ~group_first
    reopened = leaves_resolved | e["reopens"].to_numpy(bool)
    reopen_count = np.add.reduceat(reopened.astype(np.int64), starts) if n else starts

    initial = first_where(raw_level > 0)
    final = last_where(raw_level > 0)
    has_severity = final >= 0
    chosen = _chosen_severity_event(policy.severity_rule, level, raw_level, initial, final,
                                    starts, g, n)  # fmt: skip

    rejected: dict[str, str] = {}
    for i in np.flatnonzero(~has_severity):
        rejected[str(ids[g[starts[i]]])] = "no event of the case gives a severity"
    # A file read with a creation column must give it for every case; a history already
    # stored (derived again) passed that check when it was imported.
    if created_column:
        for i in np.flatnonzero(last_opened < 0):
            rejected.setdefault(str(ids[g[starts[i]]]), "no event of the case gives created_at")

    def attribute(name: str) -> np.ndarray:
        values = e[name].to_numpy(object)
        last = last_where(values != "")
        return np.where(last >= 0, values[np.maximum(last, 0)], "").astype(object)

    positions = e["position"].to_numpy(np.int64)
    last_in_file = last_where(positions >= 0)
    frame = object_frame(
        {
            "row": np.where(last_in_file >= 0, e["row"].to_numpy()[np.maximum(last_in_file, 0)], 0),
            "position": np.where(last_in_file >= 0, positions[np.maximum(last_in_file, 0)], -1),
            "case_id": np.asarray(ids, dtype=object)[g[starts]] if n else np.array([], object),
            "severity": level[np.maximum(chosen, 0)].astype(np.int64) if n else starts,
            "severity_label": label[np.maximum(chosen, 0)] if n else starts.astype(object),
            "customer": attribute("customer"),
            "plan": attribute("plan"),
            "status": status[ends] if n else starts.astype(object),
            "channel": attribute("channel"),
            "component": attribute("component"),
            "subject": attribute("subject"),
            # From the last event exactly: a case cancelled and then reopened is not dismissed.
            "dismissal_reason": e["dismissal_reason"].to_numpy(object)[ends] if n else starts,
            "vendor_response_minutes": np.full(len(starts), np.nan),
            "vendor_response_business_minutes": np.full(len(starts), np.nan),
            "vendor_sla": attribute("vendor_sla"),
            "reopen_count": reopen_count.astype(np.int64),
            "event_count": (ends - starts + 1).astype(np.int64),
        }
    )
    timelines = Timelines(
        case=g.astype(np.int64),
        at=at,
        level=level,
        severity_set=severity_set,
        label=label,
        status=status,
        activity_paused=_carried(
            e["pause"].to_numpy(np.int8), e["pause"].to_numpy() != 0, starts, 0
        )
        == 1,
        responds=responds,
        reopens=reopened,
    )
    cases = Cases(
        frame=frame,
        created_at=created.astype(np.int64),
        first_response_at=responded.astype(np.int64),
        has_first_response_at=answered,
        resolved_at=resolved.astype(np.int64),
        has_resolved_at=has_resolved,
        response_known=~pd.Index(frame["case_id"]).isin(list(responses_unrecorded)),
        first_response_source="events",
        timelines=timelines,
    )
    keep = ~frame["case_id"].isin(list(rejected)).to_numpy()
    return Derived(cases.subset(keep) if not keep.all() else cases, rejected)


def _chosen_severity_event(rule, level, raw_level, initial, final, starts, g, n) -> np.ndarray:
    """Per case, the event whose severity the case is scored under (before escalation)."""
    if rule == "initial":
        return initial
    if rule == "highest" and n:
        # The most urgent level: lowest number; its first event.
        masked = np.where(raw_level > 0, raw_level, np.iinfo(np.int16).max).astype(np.int64)
        best = np.minimum.reduceat(masked, starts)
        hit = (raw_level > 0) & (raw_level == best[g])
        return np.minimum.reduceat(np.where(hit, np.arange(n), n), starts)
    return final  # final, and escalation until the calendar decides


def _carried(values: np.ndarray, given: np.ndarray, starts: np.ndarray, empty) -> np.ndarray:
    """Each event's value, or the last given one before it in its case (`empty` before any)."""
    n = len(values)
    if not n:
        return values
    index = np.where(given, np.arange(n), -1)
    # A case's first event must not inherit the previous case's value.
    group_start = np.zeros(n, dtype=np.int64)
    group_start[starts] = starts
    group_start = np.maximum.accumulate(group_start)
    last = np.maximum.accumulate(index)
    out = np.asarray(values, dtype=object if values.dtype.kind == "O" else values.dtype).copy()
    carried = last >= group_start
    out[carried] = values[last[carried]]
    out[~carried] = empty
    return out


def history_targets(
    cases: Cases, policy: Policy, calendar: BusinessCalendar
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(response target in business seconds from creation, severity level, its label) per case.

    Per-case exports and the initial / final / highest rules: the severity's own target.
    `escalation`: each severity the case got runs its target from that moment (the opening
    severity from creation); the earliest deadline wins, the more urgent on a tie.
    """
    levels = cases.frame["severity"].to_numpy(np.int64)
    labels = cases.frame["severity_label"].to_numpy(object)
    targets = target_seconds(policy, levels)
    t = cases.timelines
    if t is None or policy.severity_rule != "escalation" or not len(t.case):
        return targets, levels, labels
    change = t.severity_set
    case = t.case[change]
    created = cases.created_at[case]
    first_change = np.r_[True, case[1:] != case[:-1]]
    start = np.where(first_change, created, np.maximum(t.at[change], created))
    clock_created = calendar.clock(created)
    relative = calendar.clock(start) - clock_created + target_seconds(policy, t.level[change])
    order = np.lexsort((t.level[change], relative, case))
    firsts = order[np.r_[True, case[order][1:] != case[order][:-1]]]
    winners = case[firsts]
    targets = targets.copy()
    levels = levels.copy()
    labels = labels.copy()
    targets[winners] = relative[firsts]
    levels[winners] = t.level[change][firsts]
    labels[winners] = t.label[change][firsts]
    return targets, levels, labels


def paused_seconds(cases: Cases, policy: Policy, calendar: BusinessCalendar) -> np.ndarray:
    """Business seconds each resolved case spent paused between creation and resolution."""
    out = np.zeros(len(cases), dtype=np.int64)
    t = cases.timelines
    if t is None or not len(t.case):
        return out
    statuses = [s.lower() for s in policy.pause_statuses]
    paused = t.activity_paused.copy()
    if statuses:
        paused |= lowered(pd.Series(t.status, dtype=object)).isin(statuses).to_numpy()
    if not paused.any():
        return out
    last_of_case = np.r_[t.case[1:] != t.case[:-1], True]
    following = np.r_[t.at[1:], 0]
    case = t.case
    resolved = cases.resolved_at[case]
    lo = np.maximum(t.at, cases.created_at[case])
    hi = np.where(last_of_case, resolved, np.minimum(following, resolved))
    counted = paused & cases.has_resolved_at[case] & (hi > lo)
    if counted.any():
        seconds = calendar.clock(hi[counted]) - calendar.clock(lo[counted])
        np.add.at(out, case[counted], seconds)
    return out


def rejected_rows(
    validated: ValidatedCases, derived: Derived, events: pd.DataFrame
) -> list[Reject]:
    """Every accepted event row of a refused case, naming why; and every accepted row whose
    case lost another row to a reject (a history with a hole would give wrong facts)."""
    holes = {r.case_id: r.row for r in validated.rejects if r.case_id}
    reasons = dict(derived.rejected_cases)
    for case_id, row in holes.items():
        reasons.setdefault(case_id, f"another event of the case (row {row}) was rejected")
    if not reasons:
        return []
    frame = validated.cases.frame
    hit = np.flatnonzero(frame["case_id"].isin(list(reasons)).to_numpy())
    rows = frame["row"].to_numpy()[hit]
    fields = validated.fields_of(rows, frame["position"].to_numpy()[hit])
    case_ids = frame["case_id"].to_numpy()[hit]
    return [
        Reject(
            row=int(row),
            case_id=str(case_id),
            reason=f"case {case_id}: {reasons[case_id]}",
            fields=quoted,
        )
        for row, case_id, quoted in zip(rows.tolist(), case_ids.tolist(), fields, strict=True)
    ]


def without_cases(events: pd.DataFrame, case_ids) -> pd.DataFrame:
    return events[~events["case_id"].isin(list(case_ids))].reset_index(drop=True)
