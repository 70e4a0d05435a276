"""How a pack says a rate and a change honestly (issue 15): small numbers marked, no change
shown where there is none or nothing to compare with.

Settings are named here once, each with its reason, so the HTML, the PDF, the index of
`report --all-customers` and the summary's sentences apply the same rule.
"""

from __future__ import annotations

from dashboard import readable

# A rate on fewer judged cases than this is marked: on 9 cases or fewer, one case moves it by
# more than 10 points, so "66.7%" on 3 cases says little (issue 15).
SMALL_SAMPLE_CASES = readable.FEW_CASES  # one threshold for pages and packs
SMALL_MARK = "*"
SMALL_NOTE = (
    f"{SMALL_MARK} A rate on fewer than {SMALL_SAMPLE_CASES} cases (for attainment, cases "
    "judged: met or breached): one case moves it by more than 10 points."
)
# A pack's trend is drawn per week up to this many days, per month beyond: a quarter's weekly
# points on a handful of cases swing from 0% to 100% and back (issue 15).
WEEKLY_TREND_UP_TO_DAYS = 62


def small(judged: int | None) -> bool:
    """Fewer judged cases than a rate can honestly rest on (none at all is no rate, not small)."""
    return judged is not None and 0 < judged < SMALL_SAMPLE_CASES


def rate(value: float | None, judged: int | None) -> str:
    """'66.7%*' on fewer than 10 judged cases, '66.7%' on more, '-' for no rate."""
    text = readable.share(value)
    return text + SMALL_MARK if text != readable.MISSING and small(judged) else text


def points(now: float | None, before: float | None) -> float | None:
    """The change of a rate in percentage points, rounded as shown (0.1); None when either
    side has no rate: nothing to compare, so nothing to show."""
    if now is None or before is None:
        return None
    return round((now - before) * 100, 1)


def change(now: float | None, before: float | None) -> str:
    """'+16.7 pts', '-5.0 pts'; '' for a change that rounds to 0.0 or has nothing to compare
    with (no arrow for no movement, none against an empty period)."""
    moved = points(now, before)
    if not moved:  # None or 0.0 (also -0.0)
        return ""
    return f"{moved:+.1f} pts"


def cases(count: int, what: str = "case") -> str:
    """'1 case', '3 cases', 'no case'."""
    if count == 0:
        return f"no {what}"
    return f"{count:,} {what}" + ("" if count == 1 else "s")
