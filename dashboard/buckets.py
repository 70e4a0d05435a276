"""Counting cases into the bins and age buckets that charts draw: plain pandas, no chart
library, so the figures of a page or a pack are computed without importing Altair."""

from __future__ import annotations

import numpy as np
import pandas as pd

AGE_BUCKETS = ((0, 0, "0"), (1, 1, "1"), (2, 5, "2-5"), (6, 10, "6-10"), (11, 20, "11-20"),
               (21, None, "21+"))  # fmt: skip


def response_bins(seconds: np.ndarray, target_seconds: int, *, bins: int = 24) -> pd.DataFrame:
    """Answered cases of one severity counted in bins of business time up to twice the target,
    plus one bin for everything beyond. Bins include their upper end, as the policy does: a
    response at exactly the target is met, so it counts in the bin that ends at the target."""
    width = max(1, (2 * target_seconds) // bins)
    starts = np.arange(0, 2 * target_seconds, width, dtype=np.int64)
    values = np.asarray(seconds, dtype=np.int64)
    index = np.clip(-(-values // width) - 1, 0, len(starts))  # ceil(s / width) - 1
    counts = np.bincount(index, minlength=len(starts) + 1)
    starts = np.append(starts, starts[-1] + width)  # the overflow bin, drawn one width wide
    return pd.DataFrame(
        {
            "from_hours": starts / 3600,
            "to_hours": (starts + width) / 3600,
            "cases": counts.astype(np.int64),
            "within_target": starts + width <= target_seconds,
            "last_bin": np.arange(len(starts)) == len(starts) - 1,
        }
    )


def ageing_buckets(ages: pd.DataFrame) -> pd.DataFrame:
    """Open cases (analytics.ageing: severity, age_business_days and how many `cases`) counted
    per age bucket and severity."""
    labels = [label for _, _, label in AGE_BUCKETS]
    bucket = pd.Series(pd.NA, index=ages.index, dtype=object)
    for low, high, label in AGE_BUCKETS:
        inside = ages["age_business_days"] >= low
        if high is not None:
            inside &= ages["age_business_days"] <= high
        bucket[inside] = label
    counted = ages.assign(bucket=bucket).groupby(["bucket", "severity"])["cases"].sum()
    counted = counted.reset_index()
    counted["bucket"] = pd.Categorical(counted["bucket"], categories=labels, ordered=True)
    return counted.sort_values(["bucket", "severity"]).reset_index(drop=True)
