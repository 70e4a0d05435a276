"""A frame as the CSV text pandas' `to_csv` writes, made a column at a time (issue 16).

`to_csv` hands every row to the csv module as a list of Python objects: for `compute`'s
results (18 columns) that took about as long as reading and scoring the cases together. Here
each column becomes its cells' text in one pass (numbers as pandas turns them into text, text
quoted as the csv module quotes it), and rows are joined in C. The output is the same bytes
as `frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator=...)` with the
default `,` and `"`; a frame holding anything else (a column of another type, a label that is
not text, a single column, where the csv module quotes an empty cell) is left to pandas
(tests/test_csv_text.py compares the two).
"""

from __future__ import annotations

from typing import TextIO

import numpy as np
import pandas as pd

# Rows joined and written at a time: the text of a chunk is held once, not the whole file's.
_CHUNK_ROWS = 65_536


def write_frame(frame: pd.DataFrame, out: TextIO, *, lineterminator: str) -> bool:
    """Write `frame` as `to_csv(index=False)` would; False (nothing written) when the frame
    holds something this writer does not take, for pandas to write instead."""
    if frame.shape[1] < 2 or not all(isinstance(label, str) for label in frame.columns):
        return False
    columns = []
    for _, series in frame.items():
        cells = _cells(series)
        if cells is None:
            return False
        columns.append(cells)
    specials = ',"' + lineterminator
    out.write(",".join(_quoted(list(frame.columns), specials)) + lineterminator)
    columns = [_quoted(cells, specials) for cells in columns]
    for start in range(0, len(frame), _CHUNK_ROWS):
        rows = zip(*(cells[start : start + _CHUNK_ROWS] for cells in columns), strict=True)
        out.write(lineterminator.join(map(",".join, rows)) + lineterminator)
    return True


def _cells(series: pd.Series) -> list | None:
    """Each cell's text as pandas gives it to the csv module (pandas/core/indexes/base.py,
    get_values_for_csv, with na_rep ''), or None for a kind of column not handled here.
    A list of str for text, which may still need quoting; a list of number text otherwise."""
    dtype = series.dtype
    if dtype == np.float64:  # float32 and float16 text differs, and reads 8 bytes as one: pandas
        values = series.to_numpy()
        # numpy's text of each float, as pandas asks for it (astype(str)), made once per
        # distinct value: about 1 us a float, and a column of hours repeats a few thousand.
        # Distinct by bit pattern, so that 0.0 and -0.0 keep their own text.
        distinct, where = np.unique(values.view(np.int64), return_inverse=True)
        text = distinct.view(np.float64).astype(str).astype(object)[where]
        text[np.isnan(values)] = ""
        return text.tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return list(map(str, series.to_numpy().tolist()))
    if isinstance(dtype, pd.Int64Dtype):
        return ["" if v is None else str(v) for v in series.to_numpy(dtype=object, na_value=None)]
    if isinstance(dtype, pd.StringDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
        cells = series.to_numpy(dtype=object).tolist()
        try:  # the usual case: every cell text already (join refuses anything else)
            "".join(cells)
        except TypeError:
            values = series.to_numpy(dtype=object).copy()
            values[pd.isna(values)] = ""
            cells = values.tolist()
            if not all(type(cell) is str for cell in cells):  # numbers, dates...: pandas' job
                return None
        return cells
    return None


def _quoted(cells: list[str], specials: str) -> list[str]:
    """Cells quoted as the csv module's QUOTE_MINIMAL does: those holding the delimiter, the
    quote or a character of the row terminator, with quotes doubled."""
    joined = "".join(cells)  # one scan in C says whether any cell needs looking at
    if not any(c in joined for c in specials):
        return cells
    return [
        '"' + cell.replace('"', '""') + '"' if any(c in cell for c in specials) else cell
        for cell in cells
    ]
