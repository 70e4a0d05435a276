"""The policy applied to cases: business response time, deadline and status, vectorised.

Status rules (issue #2, the vendor's policy):
- `met`: answered, and business time from creation to first response <= the severity's target;
- `breached`: answered later than that, or unanswered while more business time has passed
  since creation (as of the as-of instant) than the target allows;
- `pending`: unanswered with business time remaining, or none remaining but none overspent:
  a case whose deadline was 18:00 and that is answered before the next opening still meets
  its target, so at 19:30 it is pending, not breached (a case unanswered at T is breached
  exactly when answering it at T would breach);
- `invalid`: the first response precedes creation, a data problem: reported, excluded from
  attainment, never given a negative or clamped response time;
- `unscored`: the export does not say when (or whether) the case was first answered (a
  ServiceNow incident has no such field), so no verdict is possible; excluded from attainment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.business_hours import BusinessCalendar
from dashboard.policy import Policy
from dashboard.vocabulary import BREACHED, INVALID, MET, PENDING, STATUSES, UNSCORED

MET_NAME, BREACHED_NAME = STATUSES[MET], STATUSES[BREACHED]
# A case's status by 2 * breached + answered: in time is met once answered, pending before.
_STATUS_BY_CODE = np.array([PENDING, MET, BREACHED, BREACHED], dtype=np.int8)


@dataclass(frozen=True)
class SlaFigures:
    """Per-case results; each array is aligned with the input cases."""

    target_seconds: np.ndarray  # int64
    response_seconds: np.ndarray  # int64, business seconds; meaningful where has_response_time
    has_response_time: np.ndarray  # bool: answered and not invalid
    deadline: np.ndarray  # int64 UTC seconds
    # The first instant at which more business time has passed than the target allows: an
    # unanswered case is breached from then on (one second after the deadline, or the
    # next opening's first second when the deadline is a closing time). Stored, so queries
    # can judge unanswered cases at any "as of" without the business calendar.
    breach_at: np.ndarray  # int64 UTC seconds
    status: np.ndarray  # int8 codes into STATUSES
    remaining_seconds: np.ndarray  # int64 business seconds to the deadline as of as_of
    unanswered: np.ndarray  # bool: known to be unanswered, so remaining_seconds applies

    resolution: ResolutionFigures | None = None

    @property
    def status_names(self) -> np.ndarray:
        return np.asarray(STATUSES, dtype=object)[self.status]


@dataclass(frozen=True)
class ResolutionFigures:
    """Resolution time per case: business time from creation to resolution, minus pauses.

    Only resolved cases have one; a resolution before creation is a data problem (no figure,
    as for responses). With a resolution target for the case's severity, `status` is met or
    breached; without one (the vendor's policy has none) it is None.
    """

    seconds: np.ndarray  # int64 business seconds; meaningful where has_time
    has_time: np.ndarray  # bool
    paused: np.ndarray  # int64 business seconds paused between creation and resolution
    target: np.ndarray  # int64 seconds; 0 where the severity has no resolution target
    status: np.ndarray  # object: "met", "breached" or None


def resolution_targets(policy: Policy, levels: np.ndarray) -> np.ndarray:
    by_level = np.array(
        [0] + [s.resolution_seconds or 0 for s in policy.severities], dtype=np.int64
    )
    return by_level[np.asarray(levels, dtype=np.int64)]


def score_resolution(
    calendar: BusinessCalendar,
    *,
    created: np.ndarray,
    resolved: np.ndarray,
    has_resolved: np.ndarray,
    paused: np.ndarray,
    targets: np.ndarray,
) -> ResolutionFigures:
    created = np.asarray(created, dtype=np.int64)
    has_time = np.asarray(has_resolved, dtype=bool) & (np.asarray(resolved) >= created)
    end = np.where(has_time, np.asarray(resolved, dtype=np.int64), created)
    seconds = calendar.clock(end) - calendar.clock(created) - np.where(has_time, paused, 0)
    targets = np.asarray(targets, dtype=np.int64)
    judged = has_time & (targets > 0)
    status = np.full(created.shape, None, dtype=object)
    status[judged & (seconds <= targets)] = MET_NAME
    status[judged & (seconds > targets)] = BREACHED_NAME
    return ResolutionFigures(
        seconds=seconds,
        has_time=has_time,
        paused=np.where(has_time, paused, 0).astype(np.int64),
        target=targets,
        status=status,
    )


def target_seconds(policy: Policy, levels: np.ndarray) -> np.ndarray:
    """Each case's response target in seconds, from its severity level (1..N)."""
    by_level = np.array([0] + [s.response_seconds for s in policy.severities], dtype=np.int64)
    return by_level[np.asarray(levels, dtype=np.int64)]


def score(
    calendar: BusinessCalendar,
    *,
    created: np.ndarray,
    responded: np.ndarray,
    answered: np.ndarray,
    targets: np.ndarray,
    as_of: int,
    response_known: np.ndarray | bool = True,
) -> SlaFigures:
    """Score cases given as UTC seconds; `responded` is ignored where `answered` is False.

    `response_known` is False for cases whose export does not record first responses at all.
    """
    created = np.asarray(created, dtype=np.int64)
    answered = np.asarray(answered, dtype=bool)
    all_known = bool(np.all(response_known))
    if not all_known:
        known = np.broadcast_to(np.asarray(response_known, dtype=bool), created.shape)
        answered = answered & known
    targets = np.asarray(targets, dtype=np.int64)
    # Unanswered cases are scored as if answered at creation (no response time, no
    # invalidity), so their `responded` (often 0) is never looked up in the calendar.
    responded = np.where(answered, np.asarray(responded, dtype=np.int64), created)  # scratch

    # Each 8 MB array made here costs page faults as well as its pass: temporaries are reused.
    clock_created = calendar.clock(created)
    response = calendar.clock(responded)
    response -= clock_created
    invalid = responded < created  # only answered cases can be: the others were given `created`
    # Business time left as of `as_of`, counted from creation: a case created after `as_of`
    # has spent none of its target yet, so it has the whole target left, never more (issue 15:
    # a case created after --as-of showed 1,192 h left on a 4 h target).
    remaining = np.maximum(clock_created, calendar.clock(as_of), out=responded)
    due = np.add(clock_created, targets, out=clock_created)
    np.subtract(due, remaining, out=remaining)
    deadline, breach_at = calendar.instant_at_and_after(due)

    # breached = answered ? response > target : remaining < 0, as bool arithmetic: np.where
    # and boolean-mask assignment over 1M mixed values cost several ms in mispredictions.
    breached = response > targets
    breached &= answered
    late = remaining < 0
    breached |= np.greater(late, answered, out=late)  # late and unanswered
    code = breached.view(np.int8) * np.int8(2)
    code += answered.view(np.int8)
    status = _STATUS_BY_CODE.take(code)
    if invalid.any():
        status[invalid] = INVALID
    if not all_known:
        status[~known] = UNSCORED
    return SlaFigures(
        target_seconds=targets,
        response_seconds=response,
        has_response_time=answered & ~invalid,
        deadline=deadline,
        breach_at=breach_at,
        status=status,
        remaining_seconds=remaining,
        unanswered=~answered if all_known else ~answered & known,
    )
