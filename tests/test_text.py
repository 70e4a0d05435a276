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
