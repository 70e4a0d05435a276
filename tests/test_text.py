"""Text helpers for columns of cells: lowered and plain_text give the values the plain pandas
ways give, sharing strings instead of making one per cell (issue 16: import memory)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import text
from dashboard.text import lowered, plain_text


def test_lowered_is_str_lower_of_every_cell_one_string_per_label():
    cells = [s for s in ("Portal", "EMAIL", "", "Ünïcode ß", "phone") for _ in range(3)]
    values = pd.Series(cells, index=range(10, 25), dtype=object)
    out = lowered(values)
    assert out.tolist() == [c.lower() for c in cells]
    assert out.dtype == object
    assert out.index.equals(values.index)
    assert len({id(v) for v in out.tolist()}) == 5  # each distinct label lowered once


def test_lowered_past_the_remembered_labels_stays_exact(monkeypatch):
    monkeypatch.setattr(text, "_LOWERED_CACHE", 2)
    cells = ["A", "B", "C", "D", "A", "C", "d", "D"]
    assert lowered(pd.Series(cells, dtype=object)).tolist() == [c.lower() for c in cells]


def test_plain_text_shares_the_strings_of_an_object_column():
    cells = ["met", "", "breached", "met"]
    values = pd.Series(cells, dtype=object)
    out = plain_text(values)
    assert out.tolist() == values.astype(str).to_numpy().tolist()
    assert all(a is b for a, b in zip(out.tolist(), cells, strict=True))


def test_plain_text_of_other_columns_is_astype_str():
    for values in (
        pd.Series(["met", "", "late"], dtype="str"),
        pd.Series(["met", 1.5, None], dtype=object),
        pd.Series([1, 2], dtype=np.int64),
    ):
        expected = values.astype(str).to_numpy()
        out = plain_text(values)
        assert out.tolist() == expected.tolist()


def test_cleaned_returns_a_clean_column_itself_and_strips_the_others():
    """A column stripping leaves as it was is the very Series (its cells' array shared, issue
    16); a cell with spaces, tabs or a no-break space around it, or None or NaN, makes a new
    one. cleaned_cells gives the cells as a list beside it."""
    from dashboard.text import cleaned, cleaned_cells

    clean = pd.Series(["A1", "", "Acme Corp"], dtype=object)
    assert cleaned(clean) is clean
    values, cells = cleaned_cells(clean)
    assert values is clean
    assert cells == ["A1", "", "Acme Corp"]
    messy = pd.Series([" A1", "B2\t", "\xa0C3\xa0", None, float("nan"), 7], dtype=object)
    values, cells = cleaned_cells(messy)
    assert values is not messy
    assert values.tolist() == cells == ["A1", "B2", "C3", "", "", "7"]
