"""Severity labels as helpdesks write them -> the policy's levels.

Accepted, in any case: `1`, `L1`, `Level 1`, `Level 1 - Urgent`, `1 - Urgent`, `P1`, `Sev 1`,
`Sev-1`, `S1`, `Severity 1`, `Priority 1`, and the policy's names (Urgent, High, Medium, Low).
A label that names both a level and a name must agree with the policy ("Level 1 - High" is
refused, not guessed).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard.policy import Policy
from dashboard.text import LONGEST_VALUE, too_long

_NUMBERED = re.compile(
    r"^(?:(?:level|lvl|severity|sev|priority|prio|l|p|s)\s*[-_.:#]?\s*)?"
    r"(?P<level>\d+)(?:\.0+)?"  # "1.0": a number a spreadsheet re-saved
    r"(?:\s*[-–—:.)]\s*(?P<name>[^\d\s].*?)|\s+(?P<bare>[^\d\s].*?))?$",
    re.IGNORECASE,
)


def parse_severity(values: pd.Series, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Return (levels, errors): level per row (0 where refused) and the reason ('' when fine).

    Labels are parsed once per distinct value, so a million rows cost a handful of regex calls.
    """
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=False)
    parsed = [_parse_label(_text(label), policy) for label in uniques]
    levels = np.array([level for level, _ in parsed] or [0], dtype=np.int16)[codes]
    errors = np.array([error for _, error in parsed] or [""], dtype=object)[codes]
    return levels, errors


def _text(label) -> str:
    return "" if label is None or label != label else str(label).strip()


def _parse_label(label: str, policy: Policy) -> tuple[int, str]:
    by_name = {s.name.lower(): s.level for s in policy.severities}
    if not label:
        return 0, "severity is empty"
    if len(label) > LONGEST_VALUE:  # a shifted column, not a label: never matched or quoted whole
        return 0, too_long("severity", label)
    key = label.lower()
    if key in by_name:
        return by_name[key], ""
    match = _NUMBERED.match(label)
    if match is None:
        return 0, f"severity {label!r} is not a level of the policy ({_expected(policy)})"
    level = int(match["level"])
    if level not in policy.levels:
        return 0, f"severity {label!r}: the policy has no level {level} ({_expected(policy)})"
    name = (match["name"] or match["bare"] or "").strip()
    if name and name.lower() != policy.severity(level).name.lower():
        return 0, (
            f"severity {label!r}: level {level} is {policy.severity(level).name!r} in the "
            f"policy, not {name!r}"
        )
    return level, ""


def _expected(policy: Policy) -> str:
    names = ", ".join(s.name for s in policy.severities)
    top = max(policy.levels)
    return f"expected 1-{top}, L1, P1, Sev 1, Level 1 - {policy.severity(1).name} or {names}"
