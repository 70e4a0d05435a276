"""Hypothesis around the row validators: whatever the cells hold, every row ends up stored or
rejected with a reason (nothing lost, nothing raised), what is stored is what was written,
and a stored case's instants are ones the policy can score."""

from __future__ import annotations

import csv
import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.business_hours import supported_years
from dashboard.errors import DashboardError
from dashboard.importer.prepare import prepare_file
from dashboard.policy import load_policy
from dashboard.timestamps import utc_years

pytestmark = pytest.mark.slow  # Hypothesis rows through the importer

POLICY = load_policy()
LO, HI = supported_years(POLICY.calendar)
HEADER = ["case_id", "customer", "severity", "created_at", "first_response_at", "channel"]

# Cells near the validators' edges: good values, near misses, and hostile text.
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
hostile = st.sampled_from(["=1+1", "+SUM(A1)", "-2", "@cmd", "<b>x</b>", "'; DROP TABLE x;--",
                           "\t=tab", "\r=cr", "Ω≈ç√", " ", ""])  # fmt: skip
case_ids = st.one_of(st.text(string.ascii_letters + string.digits + "-_", min_size=1,
                             max_size=12), st.just(""), hostile)  # fmt: skip
severities = st.one_of(st.sampled_from(["P1", "P2", "P3", "P4", "1", "Level 2 - High", "Sev 3",
                                        "urgent", "P0", "P9", "", "4.0", "L1"]), text)  # fmt: skip
years = st.integers(min_value=1890, max_value=10_000)
stamps = st.one_of(
    st.builds(lambda y, mo, d, h, mi: f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}", years,
              st.integers(1, 13), st.integers(0, 32), st.integers(0, 24), st.integers(0, 60)),
    st.builds(lambda d, mo, y: f"{d:02d}/{mo:02d}/{y:04d} 10:00", st.integers(1, 31),
              st.integers(1, 12), st.integers(2000, 2030)),
    st.sampled_from(["", "yesterday", "2026-03-02T09:00:00Z", "2026-03-29 01:30",
                     "2026-10-25 01:30", "0", "-1"]),
    text,
)  # fmt: skip
rows = st.lists(
    st.tuples(case_ids, st.one_of(text, hostile), severities, stamps, stamps,
              st.one_of(st.sampled_from(["portal", "email", "Email", ""]), text)),
    min_size=1, max_size=25,
)  # fmt: skip


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=rows)
def test_every_row_is_stored_or_rejected_with_a_reason(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("rows")
    path = folder / "cases.csv"
    buffer = io.StringIO()
    # every field quoted: a bare CR is a line break to any CSV reader unless it is quoted
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    prepared, refused = _prepare(path)
    if refused is not None:  # a whole file refused: only ever with our own message
        assert isinstance(refused, DashboardError), repr(refused)
        assert str(path) in str(refused)
        return
    validated = prepared.validated
    assert validated.read == len(rows)  # nothing lost
    for reject in validated.rejects:
        assert reject.reason.strip()
        assert 2 <= reject.row <= len(rows) + 1  # the spreadsheet row it came from
    accepted = validated.cases
    frame = accepted.frame
    written = {row[0].strip(): row for row in rows}
    for case_id, customer in zip(frame["case_id"], frame["customer"], strict=True):
        original = written[case_id][1].strip()
        assert (customer or "") == original  # text stored as written (trimmed), never rewritten
    if len(accepted):
        created = utc_years(accepted.created_at)
        assert created.min() >= max(LO, 1970)
        assert created.max() <= HI
        assert frame["case_id"].is_unique


def _prepare(path):
    try:
        return prepare_file(path, POLICY), None
    except Exception as exc:
        return None, exc
