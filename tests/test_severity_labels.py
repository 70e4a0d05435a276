"""Severity labels as helpdesks write them map to the policy's levels; others are refused."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.severity_labels import parse_severity
from tests.helpers import vendor_policy

POLICY = vendor_policy()

ACCEPTED = [
    ("1", 1), ("4", 4), ("L1", 1), ("l2", 2), ("Level 1", 1), ("LEVEL 3", 3),
    ("Level 1 - Urgent", 1), ("level 2 - high", 2), ("Level 4 – Low", 4), ("1 - Urgent", 1),
    ("P1", 1), ("p4", 4), ("Sev 1", 1), ("sev-2", 2), ("Sev3", 3), ("S1", 1), ("s4", 4),
    ("Severity 2", 2), ("Priority 3", 3), ("Urgent", 1), ("HIGH", 2), ("medium", 3),
    ("  Low ", 4), ("Level 2 High", 2), ("1. Urgent", 1), ("1.0", 1), ("P2.0", 2),
]  # fmt: skip


@pytest.mark.parametrize(("label", "level"), ACCEPTED)
def test_accepted_labels(label, level):
    levels, errors = parse_severity(pd.Series([label]), POLICY)
    assert (int(levels[0]), errors[0]) == (level, "")


REFUSED = [
    ("", "severity is empty"),
    ("5", "severity '5': the policy has no level 5"),
    ("P0", "severity 'P0': the policy has no level 0"),
    ("Critical", "severity 'Critical' is not a level of the policy (expected 1-4, L1, P1"),
    ("Level 1 - High", "severity 'Level 1 - High': level 1 is 'Urgent' in the policy, not 'High'"),
    ("1 - Critical", "level 1 is 'Urgent' in the policy, not 'Critical'"),
]


@pytest.mark.parametrize(("label", "message"), REFUSED)
def test_refused_labels_name_the_value(label, message):
    levels, errors = parse_severity(pd.Series([label]), POLICY)
    assert levels[0] == 0
    assert message in errors[0]


def test_many_rows_keep_their_order():
    levels, errors = parse_severity(pd.Series(["P2", "Urgent", "P2", "nope", None]), POLICY)
    assert levels.tolist() == [2, 1, 2, 0, 0]
    assert [bool(e) for e in errors] == [False, False, False, True, True]
