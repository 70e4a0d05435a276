"""Hypothesis around the policy's closures: the set-based repeat check (issue 13) accepts and
refuses exactly what the scan of every earlier closure did, naming the same entry."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.errors import PolicyError
from dashboard.policy import Closure, parse_policy
from tests.helpers import policy_dict

pytestmark = pytest.mark.slow  # Hypothesis: a few seconds

# Few distinct days, so repeats are common; each written as text, a date or a named table.
days = st.dates(min_value=dt.date(2026, 12, 20), max_value=dt.date(2027, 1, 5))
entries = st.one_of(
    days.map(dt.date.isoformat),
    days,
    st.builds(lambda d, n: {"date": d.isoformat(), "name": n}, days, st.sampled_from(["A", "B"])),
)


def scanned(listed: list) -> tuple[Closure, ...] | str:
    """The closures as the quadratic check read them, or the message it refused them with."""
    closures: list[Closure] = []
    for position, entry in enumerate(listed, start=1):
        name = entry.get("name", "Company closure") if isinstance(entry, dict) else None
        value = entry["date"] if isinstance(entry, dict) else entry
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        if not all(c.day != day for c in closures):
            return f"policy.toml: calendar.closures #{position}: listed twice in closures " + (
                f"(got {value!r})"
            )
        closures.append(Closure(day, name or "Company closure"))
    return tuple(sorted(closures, key=lambda c: c.day))


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, max_size=12))
def test_closures_are_checked_as_the_scan_checked_them(listed):
    expected = scanned(listed)
    if isinstance(expected, str):
        with pytest.raises(PolicyError) as refused:
            parse_policy(policy_dict(closures=listed), source="policy.toml")
        assert str(refused.value) == expected
    else:
        assert parse_policy(policy_dict(closures=listed)).calendar.closures == expected
