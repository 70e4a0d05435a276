"""The headline figures as typed records: what `sla-dashboard stats` prints, what the Overview,
the Customers page, the what-if and the review pack compare.

A record crosses layers (analytics -> views -> pages, packs and the CLI), so its fields are
named once here and checked by the type checker and the tests, rather than spelt as string
keys in ten files. `as_json()` gives the `stats --json` shape of issue #4, extended by issue
12 (resolution figures after each severity's response figures; nothing before them moved).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

COUNTS = ("cases", "met", "breached", "pending", "invalid", "unscored")


def ratio(numerator: int, denominator: int) -> float | None:
    """A rate from counts; None where there is nothing to judge."""
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class StatusCounts:
    """Cases by verdict; attainment = met / (met + breached), None when neither."""

    cases: int = 0
    met: int = 0
    breached: int = 0
    pending: int = 0
    invalid: int = 0
    unscored: int = 0

    @property
    def attainment(self) -> float | None:
        return ratio(self.met, self.met + self.breached)

    def __add__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts(*(getattr(self, k) + getattr(other, k) for k in COUNTS))

    def as_json(self) -> dict:
        return {**dataclasses.asdict(self), "attainment": self.attainment}


@dataclass(frozen=True)
class ResolutionSummary:
    """One severity's resolution figures (issue 12): of the cases created in the period, those
    resolved, with their business time from creation to resolution less pauses."""

    resolved: int = 0  # cases with a resolution time
    median_hours: float | None = None  # business hours; None when none is resolved
    p90_hours: float | None = None
    # Cases reopened at least once, of those that came with a history (an event log); None
    # when none did: a one-row-per-case export cannot say whether a case was reopened.
    reopened: int | None = None
    target_hours: float | None = None  # None: the severity has no resolution target
    met: int = 0  # resolved within the target (only where there is one)
    breached: int = 0

    @property
    def attainment(self) -> float | None:
        return ratio(self.met, self.met + self.breached)


@dataclass(frozen=True)
class SeverityFigures:
    """One severity level's figures for the cases created in a period."""

    level: int
    name: str
    target_hours: float
    counts: StatusCounts
    median_response_hours: float | None  # business hours, answered cases only
    p90_response_hours: float | None
    p95_response_hours: float | None
    near_misses: int  # met within the last tenth of the target
    resolution: ResolutionSummary = ResolutionSummary()

    @property
    def attainment(self) -> float | None:
        return self.counts.attainment

    def as_json(self, *, resolution_targets: bool = False) -> dict:
        """The response figures, then the resolution figures; with `resolution_targets` (the
        policy gives at least one severity a resolution target) the verdicts against them."""
        resolution = self.resolution
        judged = (
            {
                "resolution_target_hours": resolution.target_hours,
                "resolution_met": resolution.met,
                "resolution_breached": resolution.breached,
                "resolution_attainment": resolution.attainment,
            }
            if resolution_targets
            else {}
        )
        return {
            "level": self.level,
            "name": self.name,
            "target_hours": self.target_hours,
            **self.counts.as_json(),
            "median_response_hours": self.median_response_hours,
            "p90_response_hours": self.p90_response_hours,
            "p95_response_hours": self.p95_response_hours,
            "near_misses": self.near_misses,
            "resolved": resolution.resolved,
            "median_resolution_hours": resolution.median_hours,
            "p90_resolution_hours": resolution.p90_hours,
            "reopened": resolution.reopened,
            **judged,
        }


@dataclass(frozen=True)
class Dismissals:
    """Cases dismissed as out of scope, by the policy's reasons, of all cases in the period."""

    by_reason: Mapping[str, int]
    cases: int

    @property
    def dismissed(self) -> int:
        return sum(self.by_reason.values())

    @property
    def rate(self) -> float | None:
        return ratio(self.dismissed, self.cases)

    def as_json(self) -> dict:
        return {"dismissed": self.dismissed, "rate": self.rate, "by_reason": dict(self.by_reason)}


@dataclass(frozen=True)
class Headline:
    """Figures of the cases created in a period, judged as of an instant, under one policy."""

    as_of: dt.datetime  # aware UTC
    first_day: dt.date | None  # the period: the filter's days, else the data's span
    last_day: dt.date | None
    policy_name: str
    policy_fingerprint: str
    severities: tuple[SeverityFigures, ...]
    open_by_severity: Mapping[int, int]  # open at as_of, whenever created, every level
    dismissals: Dismissals

    @property
    def totals(self) -> StatusCounts:
        total = StatusCounts()
        for severity in self.severities:
            total = total + severity.counts
        return total

    @property
    def as_of_text(self) -> str:
        """The instant as the JSON and the terminal print it: ISO 8601 in UTC."""
        return self.as_of.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def open_cases(self) -> int:
        return sum(self.open_by_severity.values())

    def severity(self, level: int) -> SeverityFigures:
        return next(s for s in self.severities if s.level == level)

    @property
    def has_resolution_targets(self) -> bool:
        """The policy gives at least one severity a resolution target."""
        return any(s.resolution.target_hours is not None for s in self.severities)

    def as_json(self) -> dict:
        """The `stats --json` object (issue #4's shape: keys and their order are an API; issue
        12 added the resolution keys at the end of each severity's)."""
        return {
            "as_of": self.as_of_text,
            "period": {"from": _iso(self.first_day), "to": _iso(self.last_day)},
            "policy": {"name": self.policy_name, "fingerprint": self.policy_fingerprint},
            "severities": [
                s.as_json(resolution_targets=self.has_resolution_targets) for s in self.severities
            ],
            "totals": self.totals.as_json(),
            "backlog": {
                "open": self.open_cases,
                "open_by_severity": {str(k): v for k, v in self.open_by_severity.items()},
            },
            "dismissals": self.dismissals.as_json(),
        }


@dataclass(frozen=True)
class Comparison:
    """The figures as stored beside the same figures under another policy (the what-if)."""

    stored: Headline
    other: Headline

    def as_json(self) -> dict:
        return {"stored": self.stored.as_json(), "other": self.other.as_json()}


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
