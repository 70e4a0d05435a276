"""Bucket tables that answer the business clock and its inverse in a gather or two (issue 16).

`exact_clock` and `exact_instants` are the definitions (binary searches over the working
windows, see dashboard/business_hours.py); the tables give the same answers several times
faster, and fall back to them wherever a bucket holds an edge they cannot represent.
"""

from __future__ import annotations

import numpy as np

# Buckets are at most an hour wide (so a quarter-hour-aligned calendar never needs the exact
# path) and number at most this many (about 30 years at 900 s), wider beyond that.
_MAX_BUCKETS = 1 << 20


def bucket_width(points: np.ndarray, span: int) -> int:
    """The widest bucket, up to an hour, with a bucket end on every point (UTC seconds or clock
    values); 900 s when the points are not all on whole quarter hours.

    Every zone's offset has been a multiple of 15 minutes since the 1970s, so windows opening on
    the quarter hour (09:00 in Kolkata, 08:30 in Nepal) fall on bucket ends; an opening at 08:07
    does not, and only its bucket takes the exact path.
    """
    width = max(int(np.gcd.reduce(np.append(points % 3600, 3600))), 900)
    while span // width > _MAX_BUCKETS:
        width *= 2
    return width


def exact_clock(
    opens: np.ndarray, lengths: np.ndarray, cum_before: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """The clock by binary search over the windows (k = last window opening <= t)."""
    k = np.maximum(np.searchsorted(opens, t, side="right") - 1, 0)
    # Before the first window k is 0 and the clip gives 0: no special case needed.
    return cum_before[k] + np.clip(t - opens[k], 0, lengths[k])


def exact_instants(
    opens: np.ndarray, lengths: np.ndarray, cum_before: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """The inverse by binary search (j = first window whose running total reaches the value)."""
    j = np.searchsorted(cum_before + lengths, values, side="left")
    return opens[j] + (values - cum_before[j])


class ClockTable:
    """The clock of instants in [lo, hi] by fixed-width buckets of time: a gather and a min.

    Inside a bucket in which no window opens (strictly after its start), the clock either
    runs with time until a closing and then stands, or stands throughout:
    clock(t) = min(t + shift, cap) with the bucket's shift (its starting clock minus its
    start) and cap (the clock at its end). Instants in the few buckets in which a window
    opens take the binary search instead, so the result is exactly `exact_clock`'s.
    """

    def __init__(
        self,
        opens: np.ndarray,
        lengths: np.ndarray,
        cum_before: np.ndarray,
        lo: int,
        hi: int,
        width: int | None = None,
    ) -> None:
        self.windows = (opens, lengths, cum_before)
        self.width = width or bucket_width(opens, hi - lo)
        self.origin = lo - lo % self.width  # buckets start on multiples of the width in UTC
        offsets = self.width * np.arange((hi - self.origin) // self.width + 1, dtype=np.int64)
        starts = self.origin + offsets
        self.shift = exact_clock(*self.windows, starts) - offsets
        self.cap = exact_clock(*self.windows, starts + self.width)
        opening = opens - self.origin
        inside = opening[opening % self.width != 0] // self.width
        self.exact = np.zeros(offsets.size, dtype=bool)
        self.exact[inside[inside < offsets.size]] = True
        self.any_exact = bool(self.exact.any())

    def clock(self, t: np.ndarray) -> np.ndarray:
        """Clocks of 1-D instants, all in [lo, hi] (the caller checks)."""
        since = t - self.origin
        bucket = since // self.width
        # Gathers into one scratch array ("clip": the buckets are in range, and unlike the
        # default it writes to `out` directly): every 8 MB array a call makes costs page faults.
        looked_up = self.shift.take(bucket, mode="clip")
        since += looked_up
        result = np.minimum(since, self.cap.take(bucket, out=looked_up, mode="clip"), out=since)
        if self.any_exact:
            exact = np.flatnonzero(self.exact[bucket])
            if exact.size:
                result[exact] = exact_clock(*self.windows, t[exact])
        return result


class InstantTable:
    """The inverse of the clock by fixed-width buckets of clock values: a gather and an add.

    The earliest instant whose clock reads v is v + opens[j] - cum_before[j] for the first
    window j whose running total reaches v. Bucket b holds the values b * width + 1 ..
    (b + 1) * width; where no window's running total ends strictly inside it, j (so the
    shift) is the same for all of them. Values in the other buckets take the binary search.
    """

    def __init__(
        self,
        opens: np.ndarray,
        lengths: np.ndarray,
        cum_before: np.ndarray,
        width: int | None = None,
    ) -> None:
        self.windows = (opens, lengths, cum_before)
        cum_end = cum_before + lengths
        total = int(cum_end[-1])
        self.width = width or bucket_width(cum_end, total)
        firsts = self.width * np.arange((total - 1) // self.width + 1, dtype=np.int64) + 1
        j = np.searchsorted(cum_end, firsts, side="left")
        self.shift = opens[j] - cum_before[j]
        inside = (cum_end[cum_end % self.width != 0] - 1) // self.width
        self.exact = np.zeros(firsts.size, dtype=bool)
        self.exact[inside[inside < firsts.size]] = True
        self.any_exact = bool(self.exact.any())

    def instants(self, values: np.ndarray, bucket: np.ndarray, plus: int = 0) -> np.ndarray:
        """Instants of the 1-D clock values + plus, each in 1..total (the caller checks), given
        the values' buckets: (values + plus - 1) // width."""
        result = self.shift.take(bucket, mode="clip")
        result += values
        if plus:
            result += plus
        if self.any_exact:
            exact = np.flatnonzero(self.exact[bucket])
            if exact.size:
                result[exact] = exact_instants(*self.windows, values[exact] + plus)
        return result
