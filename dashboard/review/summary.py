"""The sentences a pack opens with (issue 15): overall attainment, breaches, overdue cases and
the change since the previous period, one sentence each, as an account manager would say
them to the customer. Small numbers are said to be small; no change is claimed where there is
none or nothing to compare with.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import readable
from dashboard.review import wording
from dashboard.review.content import ReviewPack


@dataclass(frozen=True)
class Summary:
    attainment: str
    breaches: str
    overdue: str
    change: str

    def sentences(self) -> tuple[str, str, str, str]:
        return (self.attainment, self.breaches, self.overdue, self.change)


def summary(pack: ReviewPack) -> Summary:
    return Summary(
        attainment=attainment_sentence(pack),
        breaches=breaches_sentence(pack),
        overdue=overdue_sentence(pack),
        change=change_sentence(pack),
    )


def attainment_sentence(pack: ReviewPack) -> str:
    totals = pack.headline.totals
    judged = totals.met + totals.breached
    goal = pack.policy.attainment_goal
    if not judged:
        return (
            "No case of the period has been judged yet (none met or breached its response "
            "target), so there is no attainment to report."
        )
    sentence = (
        f"{readable.share(totals.attainment)} of the {wording.cases(judged, 'judged case')} "
        f"met their first-response target ({totals.met:,} met, {totals.breached:,} breached"
        + (f"; the goal is {readable.share(goal)}" if goal is not None else "")
        + ")"
    )
    if wording.small(judged):
        # one case of `judged` moves the rate by 100/judged points
        sentence += f"; on so few cases, each one moves the rate by {100 / judged:.1f} points"
    return sentence + "."


def breaches_sentence(pack: ReviewPack) -> str:
    count = len(pack.breaches)
    if not count:
        return "No case breached its response target."
    by_level = _by_severity(pack, pack.breaches["severity"])
    verb = "breached its" if count == 1 else "breached their"
    return (
        f"{wording.cases(count).capitalize()} {verb} response target ({by_level}), each "
        "explained below."
    )


def overdue_sentence(pack: ReviewPack) -> str:
    when = readable.instant(pack.period_end, pack.policy.calendar.zone)
    count = len(pack.overdue)
    if not count:
        return f"No case was unanswered past its response deadline at {when}."
    verb = "was" if count == 1 else "were"
    by_level = _by_severity(pack, pack.overdue["severity"])
    return (
        f"{wording.cases(count).capitalize()} {verb} unanswered past the response deadline at "
        f"{when} ({by_level})."
    )


def change_sentence(pack: ReviewPack) -> str:
    now = pack.headline.totals.attainment
    before = pack.previous_headline.totals
    previous = pack.previous.label()
    if before.met + before.breached == 0:
        return (
            f"No case was judged in the previous period ({previous}), so there is no change "
            "to compare."
        )
    if now is None:
        return (
            f"The previous period ({previous}) reached {readable.share(before.attainment)}; "
            "with nothing judged in this one, there is no change to compare."
        )
    moved = wording.points(now, before.attainment)
    if not moved:
        return (
            f"Attainment is unchanged from the previous period ({previous}), at "
            f"{readable.share(before.attainment)}."
        )
    direction = "up" if moved > 0 else "down"
    return (
        f"Attainment is {direction} {abs(moved):.1f} points from "
        f"{readable.share(before.attainment)} in the previous period ({previous})."
    )


def _by_severity(pack: ReviewPack, levels: pd.Series) -> str:
    counts = levels.astype(int).value_counts()
    return ", ".join(
        f"{counts[s.level]} {s.name}" for s in pack.policy.severities if s.level in counts
    )
