"""The figures a benchmark prints for `benchmarks.summary` (and `benchmarks.compare`) to collect.

Each benchmark prints its own table for people, then one line per figure that has a goal:

    RESULT {"figure": "...", "value": 1.23, "goal": 1.0, "unit": "s", "lower_is_better": true}

A line, not a file, so a benchmark run by hand and one run by the summary print the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

PREFIX = "RESULT "


@dataclass(frozen=True)
class Figure:
    figure: str
    value: float
    goal: float | None
    unit: str
    lower_is_better: bool = True

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        return self.value <= self.goal if self.lower_is_better else self.value >= self.goal


def report(figure: str, value: float, goal: float | None, unit: str, *,
           lower_is_better: bool = True) -> None:  # fmt: skip
    """Print one figure as a RESULT line."""
    fields = {"figure": figure, "value": round(float(value), 3), "goal": goal, "unit": unit,
              "lower_is_better": lower_is_better}  # fmt: skip
    print(PREFIX + json.dumps(fields), flush=True)


def parse(line: str) -> Figure | None:
    """The figure a printed line carries, or None for any other line."""
    if not line.startswith(PREFIX):
        return None
    fields = json.loads(line[len(PREFIX) :])
    return Figure(
        figure=str(fields["figure"]),
        value=float(fields["value"]),
        goal=None if fields.get("goal") is None else float(fields["goal"]),
        unit=str(fields.get("unit", "")),
        lower_is_better=bool(fields.get("lower_is_better", True)),
    )
