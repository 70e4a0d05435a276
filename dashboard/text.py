"""Fast text cleaning for columns of cells.

pandas' .str methods cost about half a microsecond a cell (and more on the str dtype without
pyarrow); the importer touches millions of cells, so the hot paths use these list-based
helpers on object columns instead (about 40 ns a cell).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The longest cell read as a date-time, a number, a duration or a severity label. Real ones
# ("Monday, 2 March 2026 09:15:00.123456 PM GMT+05:30", "Level 1 - Urgent") are under 60
# characters; a longer cell is a shifted column or a broken export. It is refused row by row
# before it is parsed, as numpy's fixed-width text arrays are as wide as their longest cell:
# one 3,000-character date in a million rows asked for 11 GiB (issue 13).
LONGEST_VALUE = 200
# How much of a value a message quotes.
EXCERPT_CHARS = 60


def cleaned(values: pd.Series) -> pd.Series:
    """Cells as stripped text, '' for missing, in an object column with the same index."""
    return cleaned_cells(values)[0]


def cleaned_cells(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """`cleaned`, and its cells as a list, for a caller that scans them next (made once)."""
    cells = values.tolist()
    try:  # the usual case, every cell already text: one C-level method call a cell
        stripped = list(map(str.strip, cells))
    except (AttributeError, TypeError):  # None, NaN or numbers among them
        stripped = [_strip(v) for v in cells]
    else:
        # A column already clean is returned as it is, sharing its cells' array instead of a
        # new one (8 MB a million cells, for each column the importer maps; issue 16: the
        # import's peak). str.strip returns the very string when there is nothing to strip,
        # which list equality passes over without comparing (a tenth of all(map(is_, ...))).
        if values.dtype == object and stripped == cells:
            return values, cells
    return pd.Series(stripped, index=values.index, dtype=object), stripped


# How many distinct cells `lowered` remembers: a column of labels has a handful, and a column
# of ids, which it would never meet twice, stops growing the table here.
_LOWERED_CACHE = 4096


def lowered(values: pd.Series) -> pd.Series:
    """Already-clean text, lower-cased.

    str.lower makes a new string even when nothing changes: a million channel or status
    labels became a million strings (about 55 MB). Each distinct label is lowered once and
    its one result shared by every cell that has it.
    """
    done: dict[str, str] = {}
    out = []
    for value in values.tolist():
        low = done.get(value)
        if low is None:
            low = value.lower()
            if len(done) < _LOWERED_CACHE:
                done[value] = low
        out.append(low)
    return pd.Series(out, index=values.index, dtype=object)


def plain_text(values: pd.Series) -> np.ndarray:
    """A text column as an object array of its str values, sharing the cells' strings when
    it is already one (`astype(str).to_numpy()` would make a new string for every cell)."""
    if values.dtype == object:
        array = values.to_numpy()
        if all(type(v) is str for v in array.tolist()):
            return array
    return values.astype(str).to_numpy()


def _strip(value) -> str:
    if value is None or value != value:  # None or NaN
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def object_frame(columns: dict, index=None) -> pd.DataFrame:
    """A DataFrame whose text columns stay plain Python objects.

    pandas 3 turns arrays of Python strings into its str dtype, whose per-cell access is
    several times slower: text columns here are wrapped so they keep the object dtype.

    The frame holds the given arrays themselves: pandas 3 would copy each, and then stack the
    copies into one block, both while the originals were still held (a million cases' columns
    at the end of validation were the import's peak, issue 16). Give it arrays made for it.
    """
    wrapped = {
        name: pd.Series(values, dtype=object, index=index, copy=False)
        if isinstance(values, np.ndarray) and values.dtype == object
        else values
        for name, values in columns.items()
    }
    return pd.DataFrame(wrapped, index=index, copy=False)


def nullable_text(values: pd.Series) -> np.ndarray:
    """Clean text with None for empty, as NULL is stored for 'not in the export'."""
    text = values.to_numpy(dtype=object)
    out = text.copy()
    out[text == ""] = None
    return out


def lengths(values: list) -> np.ndarray:
    """The length of each cell (clean text), without making an array of the cells."""
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def too_long(column: str, cell: str, limit: int = LONGEST_VALUE) -> str:
    """Why a cell is refused for its length, quoting its start."""
    return f"{column} is {len(cell):,} characters long (at most {limit:,}): {shown(cell)}"


def shown(text: str) -> str:
    """A value as a message quotes it: its first characters only, NUL characters visible."""
    cut = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."
    return repr(cut.replace("\x00", "\\0"))
