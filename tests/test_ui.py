"""The UI helper module's pure parts (the rest runs through AppTest in test_app*.py)."""

from __future__ import annotations

import pandas as pd

from dashboard import ui


def test_a_case_picker_names_each_case_and_its_source_and_reads_back_the_pair() -> None:
    cases = pd.DataFrame(
        {
            "case_id": ["INC-1", "odd · id", "7"],
            "source": ["servicenow", "zendesk", "csv"],
            "created_at": pd.to_datetime(["2026-01-05T09:00Z"] * 3),
        }
    )
    choices = ui.case_choices(cases)
    assert choices == ["INC-1 · servicenow", "odd · id · zendesk", "7 · csv"]
    assert [ui.chosen_case(c) for c in choices] == [
        ("INC-1", "servicenow"), ("odd · id", "zendesk"), ("7", "csv")
    ]  # fmt: skip
    assert ui.case_choices(cases.head(0)) == []
