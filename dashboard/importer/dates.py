"""Day/month order is decided once per file, never guessed per row.

An export format lists the date formats it may use. Where both a day-first and a month-first
format are listed (`%d/%m/%Y` and `%m/%d/%Y`), every date in the file votes: a value only one
order can read (13/02/2026) decides. A file where every value reads both ways, with different
results, is refused unless the user says which order (`--date-order DMY` or `MDY`); so is a
file that contradicts itself (some dates only day-first, others only month-first). Given an
order, values only the other order can read are rejected row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.errors import UnusableFileError
from dashboard.timestamps import ISO8601, read_with_format

DATE_ORDERS = ("DMY", "MDY")


@dataclass(frozen=True)
class DateReading:
    formats: tuple[str, ...]  # the formats to read this file with, in order
    order: str  # "DMY", "MDY", or "" when the file's formats never needed the choice
    explanation: str  # one line for the import report ("" when there was nothing to decide)


def format_order(fmt: str) -> str:
    """'DMY' or 'MDY' for a numeric day/month format, '' when its order cannot be mistaken."""
    if fmt == ISO8601 or "%b" in fmt or "%B" in fmt:
        return ""
    day, month = fmt.find("%d"), fmt.find("%m")
    year = min((i for i in (fmt.find("%Y"), fmt.find("%y")) if i >= 0), default=-1)
    if day < 0 or month < 0 or (0 <= year < min(day, month)):
        return ""  # year first (2026/03/02) is always year-month-day
    return "DMY" if day < month else "MDY"


def decide_date_reading(
    values: Mapping[str, pd.Series],
    row_numbers: np.ndarray,
    formats: Sequence[str],
    *,
    order: str | None,
    file: str,
) -> DateReading:
    """Choose the formats for a file from all its date-time values, one column per entry."""
    if order is not None and order not in DATE_ORDERS:
        raise ValueError(f"date order must be DMY or MDY, not {order!r}")
    orders = {format_order(f) for f in formats} - {""}
    if len(orders) < 2:
        return DateReading(tuple(formats), next(iter(orders), ""), "")
    if order is not None:
        chosen = tuple(f for f in formats if format_order(f) in ("", order))
        return DateReading(chosen, order, f"day/month order {order}, as requested")

    neutral = [f for f in formats if format_order(f) == ""]
    day_first = [f for f in formats if format_order(f) == "DMY"]
    month_first = [f for f in formats if format_order(f) == "MDY"]
    column, text, rows = _stack(values, row_numbers)
    needs_choice = text != ""
    needs_choice &= _parse_any(text, neutral).isna().to_numpy()
    as_dmy = _parse_any(text[needs_choice], day_first)
    as_mdy = _parse_any(text[needs_choice], month_first)
    only_dmy = as_dmy.notna() & as_mdy.isna()
    only_mdy = as_mdy.notna() & as_dmy.isna()
    differ = as_dmy.notna() & as_mdy.notna() & (as_dmy != as_mdy)

    if only_dmy.sum() == only_mdy.sum() == 0:
        if differ.any():
            where = differ.index[differ][0]
            raise UnusableFileError(
                f"{file}: day/month order cannot be decided: every date reads both ways, e.g. "
                f"{text[where]!r} ({column[where]}, row {rows[where]}) is "
                f"{_long(as_dmy[where])} day-first or {_long(as_mdy[where])} month-first; say "
                "--date-order DMY or --date-order MDY"
            )
        return DateReading(tuple(neutral + day_first + month_first), "", "")
    if only_dmy.any() and only_mdy.any():  # the file contradicts itself: do not guess
        a, b = only_dmy.index[only_dmy][0], only_mdy.index[only_mdy][0]
        raise UnusableFileError(
            f"{file}: day/month order cannot be decided: {text[a]!r} ({column[a]}, row "
            f"{rows[a]}) can only be read day-first, {text[b]!r} ({column[b]}, row {rows[b]}) "
            "only month-first; say --date-order DMY or --date-order MDY (the other rows are "
            "then rejected)"
        )
    chosen_order = "DMY" if only_dmy.any() else "MDY"
    evidence = only_dmy if chosen_order == "DMY" else only_mdy
    where = evidence.index[evidence][0]
    chosen = tuple(f for f in formats if format_order(f) in ("", chosen_order))
    explanation = (
        f"day/month order {chosen_order}: {text[where]!r} ({column[where]}, row "
        f"{rows[where]}) can only be read "
        f"{'day-first' if chosen_order == 'DMY' else 'month-first'}"
    )
    return DateReading(chosen, chosen_order, explanation)


def _stack(
    values: Mapping[str, pd.Series], row_numbers: np.ndarray
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """All columns' values in one series, with each value's column name and spreadsheet row."""
    columns, texts, rows = [], [], []
    for name, series in values.items():
        texts.append(series.reset_index(drop=True))  # mapped columns: already clean
        columns.append(pd.Series([name] * len(series), dtype=object))
        rows.append(pd.Series(row_numbers, dtype=np.int64))
    if not texts:
        empty = pd.Series([], dtype=object)
        return empty, empty, pd.Series([], dtype=np.int64)
    return (
        pd.concat(columns, ignore_index=True),
        pd.concat(texts, ignore_index=True),
        pd.concat(rows, ignore_index=True),
    )


def _parse_any(text: pd.Series, formats: Sequence[str]) -> pd.Series:
    """The first format that reads each value (NaT where none does); absolute values in UTC."""
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        missing = result.isna()
        if not missing.any():
            break
        absolute, local = read_with_format(text[missing], fmt)
        read = local.where(local.notna(), absolute.dt.tz_localize(None))
        result[missing] = read
    return result


def _long(value: pd.Timestamp) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"
