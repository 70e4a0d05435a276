"""The support policy as data: `data/policy.toml` -> frozen, validated dataclasses.

Every rule the SLA figures rest on (time zone, working days, opening hours, public holidays,
closures, per-severity targets) lives in the policy file, so history can be re-scored after a
policy change. Loading refuses a bad file with a message naming the file, the key and the value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from dashboard.errors import PolicyError

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent.parent / "data" / "policy.toml"

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAY_ALIASES = {
    name.lower(): index
    for index, names in enumerate(
        [
            ("Mon", "Monday"),
            ("Tue", "Tuesday"),
            ("Wed", "Wednesday"),
            ("Thu", "Thursday"),
            ("Fri", "Friday"),
            ("Sat", "Saturday"),
            ("Sun", "Sunday"),
        ]
    )
    for name in names
}

# Countries whose nationwide list is missing holidays that every region observes in practice:
# holidays.country_holidays("GB") lacks Easter Monday and the August bank holiday
# (../shared/ECOSYSTEM.md), so a GB calendar without a subdivision would count those days as
# working days and report false breaches.
_SUBDIVISION_REQUIRED = {"GB", "UK"}

# Why a case may be dismissed as out of scope: the policy's own words, worded for customers
# under [scope.out_of_scope] in the policy file. Cases carry one of these (export formats map
# their values onto them), and the dashboard charts dismissal rates by them.
DISMISSAL_REASONS = ("third_party", "not_flux", "infrastructure_access", "other")
REASON_LABELS = {  # each reason as a page, chart or pack names it
    "third_party": "Third-party tool",
    "not_flux": "Not Flux-related",
    "infrastructure_access": "Needs infrastructure access",
    "other": "Other",
}

_TOP_LEVEL_KEYS = {"name", "attainment_goal", "calendar", "severity", "scope", "scoring", "pauses"}
# Which of a case's severities it is scored under when its history has several
# (docs/event-logs.md); a per-case export has one, its final one.
SEVERITY_RULES = ("initial", "final", "highest", "escalation")
_SCORING_KEYS = {"severity"}
_PAUSES_KEYS = {"statuses"}
_SCOPE_KEYS = {"in_scope", "out_of_scope"}
_NOT_POLICY_ZONES = {"localtime", "factory", "posixrules"}
# A target beyond a year of business hours (about 2,300) is a typo, not a policy.
MAX_RESPONSE_HOURS = 1000
_CALENDAR_KEYS = {"timezone", "workdays", "open", "close", "holidays", "closures"}
_HOLIDAY_KEYS = {"country", "subdivision"}
_SEVERITY_KEYS = {"level", "name", "response_hours", "impact", "resolution_hours"}
_CLOSURE_KEYS = {"date", "name"}


@dataclass(frozen=True)
class HolidaySource:
    """Public holidays from the `holidays` package (observed substitute days included)."""

    country: str
    subdivision: str | None = None

    @property
    def label(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country


@dataclass(frozen=True)
class Closure:
    """A date the support desk is closed beyond public holidays (e.g. a company shutdown)."""

    day: dt.date
    name: str = "Company closure"


@dataclass(frozen=True)
class CalendarSpec:
    """When business time accrues: local [open, close) on working days that are not closed."""

    timezone: str
    workdays: tuple[int, ...]  # date.weekday() numbers, 0 = Monday
    open_seconds: int  # seconds after local midnight
    close_seconds: int  # up to 86_400 ("24:00")
    holidays: HolidaySource | None
    closures: tuple[Closure, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def daily_seconds(self) -> int:
        return self.close_seconds - self.open_seconds


@dataclass(frozen=True)
class Severity:
    level: int
    name: str
    response_seconds: int
    impact: str = ""
    resolution_seconds: int | None = None  # an optional resolution target (the vendor has none)

    @property
    def response_hours(self) -> float:
        return self.response_seconds / 3600


@dataclass(frozen=True)
class ScopeWording:
    """The policy's own words on what support covers and why a case may be dismissed, quoted
    in customer review packs. Wording only: it changes no figure."""

    in_scope: str = ""
    out_of_scope: Mapping[str, str] = field(default_factory=dict)  # dismissal reason -> words


@dataclass(frozen=True)
class Policy:
    calendar: CalendarSpec
    severities: tuple[Severity, ...]  # ordered by level, levels are 1..N
    name: str = "Support policy"
    source: str = "<policy>"
    warnings: tuple[str, ...] = field(default=(), compare=False)
    # The share of judged cases the team aims to answer within target: drawn on charts, never
    # part of a verdict (so not of the fingerprint). None: no goal drawn.
    attainment_goal: float | None = None
    scope: ScopeWording = field(default=ScopeWording(), compare=False)
    severity_rule: str = "final"  # [scoring] severity: one of SEVERITY_RULES
    pause_statuses: tuple[str, ...] = ()  # [pauses] statuses, as written (compared lower-cased)

    @property
    def history_rules(self) -> str:
        """The [scoring] and [pauses] rules in words, as the Policy page states them."""
        rule = {
            "initial": "the severity a case opened with",
            "final": "a case's last recorded severity",
            "highest": "the most urgent severity a case ever had, its target from creation",
            "escalation": "each severity's target from the moment the case got it, the "
            "earliest deadline",
        }[self.severity_rule]
        pauses = (
            f"the resolution clock stops in {', '.join(repr(s) for s in self.pause_statuses)}"
            if self.pause_statuses
            else "no pauses: resolution time runs from creation to resolution"
        )
        return f"When a case's severity changed, scored under {rule}; {pauses}."

    @property
    def has_resolution_targets(self) -> bool:
        return any(s.resolution_seconds is not None for s in self.severities)

    def severity(self, level: int) -> Severity:
        return self.severities[level - 1]

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(s.level for s in self.severities)

    @property
    def fingerprint(self) -> str:
        """A short hash of every rule that affects a computed figure (not of names or wording).

        Stored beside computed SLA fields so they can be recomputed when the policy changes.
        """
        cal = self.calendar
        rules = {
            "timezone": cal.timezone,
            "workdays": list(cal.workdays),
            "open": cal.open_seconds,
            "close": cal.close_seconds,
            "holidays": [cal.holidays.country, cal.holidays.subdivision] if cal.holidays else None,
            "closures": sorted(c.day.isoformat() for c in cal.closures),
            "targets": {str(s.level): s.response_seconds for s in self.severities},
        }
        # Rules added with case histories count only when set, so that a policy without them
        # keeps the fingerprint (and its stored cases stay current).
        if self.severity_rule != "final":
            rules["severity_rule"] = self.severity_rule
        if self.pause_statuses:
            rules["pauses"] = sorted(s.lower() for s in self.pause_statuses)
        if self.has_resolution_targets:
            rules["resolution"] = {str(s.level): s.resolution_seconds for s in self.severities}
        encoded = json.dumps(rules, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy file (default `data/policy.toml`)."""
    path = Path(path) if path is not None else DEFAULT_POLICY_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: policy file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    return parse_policy(raw, source=str(path))


def parse_policy(raw: Mapping[str, Any], *, source: str = "<policy>") -> Policy:
    """Validate a policy already parsed from TOML (or built in a test)."""
    check = _Checker(source)
    check.known_keys(raw, _TOP_LEVEL_KEYS, "")
    name = raw.get("name", "Support policy")
    check.that(isinstance(name, str) and name.strip(), "name", name, "must be a non-empty string")
    calendar = _parse_calendar(check.table(raw, "calendar"), check)
    severities = _parse_severities(raw.get("severity"), check)
    goal = raw.get("attainment_goal")
    check.that(
        goal is None
        or (isinstance(goal, int | float) and not isinstance(goal, bool) and 0 < goal <= 1),
        "attainment_goal", goal, "must be a share between 0 and 1, such as 0.95",
    )  # fmt: skip
    return Policy(
        calendar=calendar,
        severities=severities,
        name=name.strip(),
        source=source,
        warnings=tuple(check.warnings),
        attainment_goal=None if goal is None else float(goal),
        scope=_parse_scope(raw.get("scope", {}), check),
        severity_rule=_parse_scoring(raw.get("scoring", {}), check),
        pause_statuses=_parse_pauses(raw.get("pauses", {}), check),
    )


def _parse_scoring(raw: Any, check: _Checker) -> str:
    check.that(isinstance(raw, Mapping), "scoring", raw, "must be a table")
    check.known_keys(raw, _SCORING_KEYS, "scoring.")
    rule = raw.get("severity", "final")
    check.that(
        rule in SEVERITY_RULES,
        "scoring.severity",
        rule,
        f"must be one of {', '.join(SEVERITY_RULES)}",
    )
    return rule


def _parse_pauses(raw: Any, check: _Checker) -> tuple[str, ...]:
    check.that(isinstance(raw, Mapping), "pauses", raw, "must be a table")
    check.known_keys(raw, _PAUSES_KEYS, "pauses.")
    statuses = raw.get("statuses", [])
    check.that(
        isinstance(statuses, list) and all(isinstance(v, str) and v.strip() for v in statuses),
        "pauses.statuses", statuses, "must be a list of statuses, such as ['Awaiting User Info']",
    )  # fmt: skip
    return tuple(v.strip() for v in statuses)


def _parse_scope(raw: Any, check: _Checker) -> ScopeWording:
    check.that(isinstance(raw, Mapping), "scope", raw, "must be a table")
    check.known_keys(raw, _SCOPE_KEYS, "scope.")
    in_scope = raw.get("in_scope", "")
    check.that(isinstance(in_scope, str), "scope.in_scope", in_scope, "must be a string")
    out = raw.get("out_of_scope", {})
    check.that(isinstance(out, Mapping), "scope.out_of_scope", out,
               "must be a table of dismissal reason = wording")  # fmt: skip
    check.known_keys(out, set(DISMISSAL_REASONS), "scope.out_of_scope.")
    for reason, words in out.items():
        check.that(isinstance(words, str) and words.strip(), f"scope.out_of_scope.{reason}",
                   words, "must be a non-empty string")  # fmt: skip
    return ScopeWording(in_scope.strip(), {k: v.strip() for k, v in out.items()})


class _Checker:
    """Raises PolicyError messages of one shape: `FILE: KEY: problem (got VALUE)`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []

    def fail(self, key: str, value: Any, problem: str) -> PolicyError:
        where = f"{self.source}: {key}" if key else self.source
        got = "" if value is _MISSING else f" (got {value!r})"
        return PolicyError(f"{where}: {problem}{got}")

    def that(self, condition: Any, key: str, value: Any, problem: str) -> None:
        if not condition:
            raise self.fail(key, value, problem)

    def table(self, raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = raw.get(key, _MISSING)
        self.that(value is not _MISSING, key, _MISSING, "missing (required)")
        self.that(isinstance(value, Mapping), key, value, "must be a table")
        return value

    def known_keys(self, raw: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
        for key in raw:
            if key not in allowed:
                full = f"{prefix}{key}"
                raise self.fail(
                    full, _MISSING, f"unknown key (expected one of: {', '.join(sorted(allowed))})"
                )


_MISSING = object()


def _parse_calendar(raw: Mapping[str, Any], check: _Checker) -> CalendarSpec:
    check.known_keys(raw, _CALENDAR_KEYS, "calendar.")

    tz_name = raw.get("timezone", _MISSING)
    check.that(tz_name is not _MISSING, "calendar.timezone", _MISSING, "missing (required)")
    check.that(isinstance(tz_name, str), "calendar.timezone", tz_name, "must be a string")
    try:
        ZoneInfo(tz_name)
        # Not zones a policy can mean: the machine's own setting, or placeholders in the database.
        if tz_name.strip().lower() in _NOT_POLICY_ZONES:
            raise ValueError(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise check.fail(
            "calendar.timezone",
            tz_name,
            "unknown time zone (expected an IANA name such as 'Europe/London')",
        ) from None

    workdays_raw = raw.get("workdays", ["Mon", "Tue", "Wed", "Thu", "Fri"])
    check.that(
        isinstance(workdays_raw, list) and workdays_raw,
        "calendar.workdays",
        workdays_raw,
        "must be a non-empty list of day names such as ['Mon', 'Tue']",
    )
    workdays: list[int] = []
    for day in workdays_raw:
        index = _WEEKDAY_ALIASES.get(day.lower()) if isinstance(day, str) else None
        check.that(
            index is not None,
            "calendar.workdays",
            day,
            f"unknown day (expected {', '.join(WEEKDAY_NAMES)})",
        )
        check.that(index not in workdays, "calendar.workdays", day, "listed twice")
        workdays.append(index)

    open_seconds = _parse_clock(raw.get("open", _MISSING), "calendar.open", check)
    close_seconds = _parse_clock(raw.get("close", _MISSING), "calendar.close", check)
    check.that(
        open_seconds < close_seconds,
        "calendar.open",
        raw.get("open"),
        f"must be earlier than calendar.close ({raw.get('close')!r})",
    )

    source = _parse_holidays(raw.get("holidays", _MISSING), check)
    closures = _parse_closures(raw.get("closures", []), check)
    return CalendarSpec(
        timezone=tz_name,
        workdays=tuple(sorted(workdays)),
        open_seconds=open_seconds,
        close_seconds=close_seconds,
        holidays=source,
        closures=closures,
    )


def _parse_clock(value: Any, key: str, check: _Checker) -> int:
    check.that(value is not _MISSING, key, _MISSING, "missing (required)")
    if isinstance(value, dt.time):  # TOML local time literal, e.g. open = 09:00:00
        return value.hour * 3600 + value.minute * 60 + value.second
    problem = "must be a time of day 'HH:MM' from '00:00' to '24:00'"
    check.that(isinstance(value, str), key, value, problem)
    parts = value.strip().split(":")
    check.that(len(parts) in (2, 3) and all(p.isdigit() for p in parts), key, value, problem)
    hour, minute, second = (int(p) for p in [*parts, "0"][:3])
    check.that(minute < 60 and second < 60, key, value, problem)
    seconds = hour * 3600 + minute * 60 + second
    check.that(seconds <= 86_400, key, value, problem)
    return seconds


def _parse_holidays(value: Any, check: _Checker) -> HolidaySource | None:
    key = "calendar.holidays"
    if value is _MISSING:
        check.warnings.append(
            f"{check.source}: {key} is not set: no public holidays are excluded from business time"
        )
        return None
    check.that(isinstance(value, Mapping), key, value, "must be a table like { country = 'GB' }")
    check.known_keys(value, _HOLIDAY_KEYS, f"{key}.")
    country = value.get("country", _MISSING)
    check.that(country is not _MISSING, f"{key}.country", _MISSING, "missing (required)")
    check.that(isinstance(country, str), f"{key}.country", country, "must be a string")
    country = country.strip().upper()
    check.that(
        country in _country_codes(),
        f"{key}.country",
        value["country"],
        "not a country known to the holidays package (expected an ISO 3166 code such as 'GB')",
    )
    subdivision = value.get("subdivision")
    if isinstance(subdivision, str) and not subdivision.strip():
        subdivision = None  # holidays reads "" as no subdivision at all: so do we, loudly
    subdivisions = list(getattr(holidays, country).subdivisions)  # as list_supported_countries
    if subdivision is None:
        if country in _SUBDIVISION_REQUIRED:
            raise check.fail(
                f"{key}.subdivision",
                _MISSING,
                f"required for {country}: without it the holiday list lacks Easter Monday and "
                f"the August bank holiday; use one of {', '.join(subdivisions)}",
            )
        if subdivisions:
            check.warnings.append(
                f"{check.source}: {key}: no subdivision for {country}: only holidays common to "
                f"all of {country} apply (regional ones such as {', '.join(subdivisions[:3])}... "
                "are working days)"
            )
        return HolidaySource(country)
    check.that(isinstance(subdivision, str), f"{key}.subdivision", subdivision, "must be a string")
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        raise check.fail(
            f"{key}.subdivision",
            subdivision,
            f"not a subdivision of {country} (expected one of {', '.join(subdivisions)})",
        ) from None
    return HolidaySource(country, subdivision)


def _country_codes() -> frozenset[str]:
    """The codes holidays.list_supported_countries() lists, without importing every country's
    module as it does to list their subdivisions (a tenth of a second each time a command
    starts: issue 16)."""
    try:
        from holidays.registry import EntityLoader

        return frozenset(EntityLoader.get_country_codes(include_aliases=True))
    except (ImportError, AttributeError):  # another holidays version: the public way
        return frozenset(holidays.list_supported_countries())


def _parse_closures(value: Any, check: _Checker) -> tuple[Closure, ...]:
    key = "calendar.closures"
    check.that(isinstance(value, list), key, value, "must be a list of 'YYYY-MM-DD' dates")
    closures: list[Closure] = []
    # The days seen so far, to refuse a repeat: a set lookup, not a scan of every earlier
    # closure, so a what-if with 100,000 closures is checked in linear time (issue 13).
    listed: set[dt.date] = set()
    for position, entry in enumerate(value, start=1):
        entry_key = f"{key} #{position}"
        name = "Company closure"
        if isinstance(entry, Mapping):
            check.known_keys(entry, _CLOSURE_KEYS, f"{entry_key}.")
            name = entry.get("name", name)
            check.that(
                isinstance(name, str) and name.strip(),
                f"{entry_key}.name",
                name,
                "must be a non-empty string",
            )
            entry = entry.get("date", _MISSING)
            check.that(entry is not _MISSING, f"{entry_key}.date", _MISSING, "missing (required)")
        day = _parse_date(entry)
        check.that(day is not None, entry_key, entry, "not a date 'YYYY-MM-DD'")
        check.that(day not in listed, entry_key, entry, "listed twice in closures")
        listed.add(day)
        closures.append(Closure(day, name.strip()))
    return tuple(sorted(closures, key=lambda c: c.day))


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):  # a TOML date-time is not a date
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _parse_severities(value: Any, check: _Checker) -> tuple[Severity, ...]:
    check.that(value or value is None, "severity", value, "must define at least one [[severity]]")
    check.that(value, "severity", _MISSING, "missing: define at least one [[severity]]")
    check.that(
        isinstance(value, list) and all(isinstance(v, Mapping) for v in value),
        "severity",
        value,
        "must be an array of tables ([[severity]])",
    )
    by_level: dict[int, Severity] = {}
    names: dict[str, int] = {}
    for position, entry in enumerate(value, start=1):
        key = f"severity #{position}"
        check.known_keys(entry, _SEVERITY_KEYS, f"{key}.")
        level = entry.get("level", _MISSING)
        check.that(level is not _MISSING, f"{key}.level", _MISSING, "missing (required)")
        check.that(
            isinstance(level, int) and not isinstance(level, bool) and level >= 1,
            f"{key}.level",
            level,
            "must be a whole number from 1",
        )
        check.that(level not in by_level, f"{key}.level", level, "duplicate level")

        name = entry.get("name", _MISSING)
        check.that(name is not _MISSING, f"{key}.name", _MISSING, "missing (required)")
        check.that(
            isinstance(name, str) and name.strip() and not name.strip().isdigit(),
            f"{key}.name",
            name,
            "must be a non-empty word such as 'Urgent'",
        )
        name = name.strip()
        check.that(
            name.lower() not in names,
            f"{key}.name",
            name,
            f"already the name of level {names.get(name.lower())}",
        )

        hours = entry.get("response_hours", _MISSING)
        check.that(hours is not _MISSING, f"{key}.response_hours", _MISSING, "missing (required)")
        check.that(
            isinstance(hours, int | float) and not isinstance(hours, bool) and hours > 0,
            f"{key}.response_hours",
            hours,
            "must be a positive number of business hours",
        )
        check.that(
            hours <= MAX_RESPONSE_HOURS,  # also refuses inf; NaN fails the test above
            f"{key}.response_hours",
            hours,
            f"must be at most {MAX_RESPONSE_HOURS} business hours",
        )
        seconds = Fraction(str(hours)) * 3600
        check.that(
            seconds.denominator == 1,
            f"{key}.response_hours",
            hours,
            "must be a whole number of seconds",
        )
        impact = entry.get("impact", "")
        check.that(isinstance(impact, str), f"{key}.impact", impact, "must be a string")
        resolution = entry.get("resolution_hours")
        if resolution is not None:
            check.that(
                isinstance(resolution, int | float) and not isinstance(resolution, bool)
                and 0 < resolution <= MAX_RESPONSE_HOURS * 10
                and (Fraction(str(resolution)) * 3600).denominator == 1,
                f"{key}.resolution_hours", resolution,
                "must be a positive whole number of seconds in business hours",
            )  # fmt: skip
            resolution = int(Fraction(str(resolution)) * 3600)

        names[name.lower()] = level
        by_level[level] = Severity(level, name, int(seconds), impact.strip(), resolution)

    expected = set(range(1, len(by_level) + 1))
    missing = sorted(expected - set(by_level))
    check.that(
        not missing,
        "severity",
        sorted(by_level),
        f"levels must run 1..N without gaps; level {missing[0] if missing else ''} is missing",
    )
    return tuple(by_level[level] for level in sorted(by_level))
