"""Export formats as data: one TOML mapping file per helpdesk export.

Two folders hold them. The built-in formats ship in data/formats/ (read-only in spirit: an
upgrade replaces them). Formats a user saves (the Import page's hand mapping) go to the user's
formats folder, outside the package's tree so an upgrade or a fresh checkout never loses them
and the app never writes into its own install: $SLA_FORMATS_DIR, else
$XDG_DATA_HOME/sla-dashboard/formats, else ~/.local/share/sla-dashboard/formats (the XDG base
directory default). Detection reads the built-in formats first, then the user's; a user file
that does not load, names a built-in format or is made ambiguous by one (a built-in reads
every file it would) is skipped with a warning naming it.

A mapping names the export's headers for our canonical fields, how to find its header row,
its date formats and time-zone rule, its priority labels, its channel names, which values mean
a case was dismissed (and for which of the policy's reasons), where the first response comes
from, and the helpdesk's own SLA figures to keep for reconciliation. See data/formats/README.md.
Loading validates the file and refuses it with a message naming the file, key and value.
"""

from __future__ import annotations

import os
import re
import tomllib
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard.errors import DashboardError, DashboardWarning
from dashboard.policy import DISMISSAL_REASONS
from dashboard.timestamps import ISO8601
from dashboard.vocabulary import CHANNELS

FORMATS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "formats"  # built-in
USER_FORMATS_ENV = "SLA_FORMATS_DIR"  # where formats a user saves go (user_formats_dir)

# Canonical fields a mapping can fill from columns. Required ones must be mapped.
TEXT_FIELDS = (
    "case_id",
    "customer",
    "plan",
    "severity",
    "status",
    "channel",
    "component",
    "subject",
)
TIME_FIELDS = ("created_at", "first_response_at", "resolved_at")
FIELDS = (*TEXT_FIELDS, *TIME_FIELDS, "dismissal_reason")
REQUIRED_FIELDS = ("case_id", "severity", "created_at")
# An event log's creation can be its first event's timestamp.
EVENT_REQUIRED_FIELDS = ("case_id", "severity")
ZONE_RULES = ("local", "footer")  # or any IANA zone name, e.g. "UTC"

_TOP_KEYS = {
    "name", "title", "kind", "detect", "columns", "first_response", "vendor", "timestamps",
    "severity", "channels", "statuses", "dismissal", "null_values", "events",
}  # fmt: skip
KINDS = ("cases", "events")  # one row per case, or one row per event of a case
# The [events] rules: values of the activity column, and values of the status column.
ACTIVITY_RULES = (
    "responded_activities", "resolved_activities", "reopened_activities", "paused_activities",
    "resumed_activities",
)  # fmt: skip
STATUS_RULES = ("responded_when_status_not", "resolved_statuses")
_EVENT_KEYS = {"timestamp", "sequence", "activity", *ACTIVITY_RULES, *STATUS_RULES}
_DETECT_KEYS = {"headers", "values", "header_search_rows"}
_FIRST_RESPONSE_KEYS = {"column", "minutes_after_created", "hours_after_created", "recorded"}
_VENDOR_KEYS = {
    "response_minutes", "response_hours", "response_business_minutes", "sla", "sla_met",
    "sla_breached", "sla_remaining",
}  # fmt: skip
_TIMESTAMP_KEYS = {"formats", "zone", "footer"}
_DISMISSAL_KEYS = {"column", "equals", "matches", "reason", "reason_from_value"}


class FormatError(DashboardError):
    """A mapping file is invalid, or no known format fits a file."""


@dataclass(frozen=True)
class DismissalRule:
    """Cases whose `column` equals one of `equals` (any case) or matches `matches` are dismissed.

    With `reason_from_value` the cell itself names the reason (our canonical column).
    """

    column: tuple[str, ...]
    reason: str = ""
    equals: tuple[str, ...] = ()
    matches: re.Pattern[str] | None = None
    reason_from_value: bool = False


@dataclass(frozen=True)
class EventRules:
    """How an event log's rows make a case's history (docs/event-logs.md); values lower-cased."""

    timestamp: tuple[str, ...]  # when the event happened: orders a case's events
    sequence: tuple[str, ...] = ()  # breaks ties between events at one timestamp
    activity: tuple[str, ...] = ()  # what happened (process-mining logs)
    responded_when_status_not: frozenset[str] = frozenset()
    responded_activities: frozenset[str] = frozenset()
    resolved_activities: frozenset[str] = frozenset()
    reopened_activities: frozenset[str] = frozenset()
    paused_activities: frozenset[str] = frozenset()
    resumed_activities: frozenset[str] = frozenset()
    resolved_statuses: frozenset[str] = frozenset()

    @property
    def records_responses(self) -> bool:
        return bool(self.responded_when_status_not or self.responded_activities)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    title: str
    source_file: str
    detect_headers: tuple[tuple[str, ...], ...]  # each entry: alternatives, one must be present
    detect_values: Mapping[str, re.Pattern[str]]
    header_search_rows: int
    columns: Mapping[str, tuple[str, ...]]  # canonical field -> headers, first non-empty wins
    first_response_column: tuple[str, ...] = ()
    first_response_minutes: tuple[str, ...] = ()  # a duration after creation, in minutes
    first_response_hours: tuple[str, ...] = ()
    # A true/false column saying whether the row's source recorded first responses at all
    # (our canonical export writes it, so cases from a ServiceNow export stay unscored).
    response_recorded: tuple[str, ...] = ()
    vendor_response_minutes: tuple[str, ...] = ()
    vendor_response_hours: tuple[str, ...] = ()  # the same, a bare number in hours (Freshdesk)
    vendor_response_business_minutes: tuple[str, ...] = ()
    vendor_sla: tuple[str, ...] = ()
    vendor_sla_met: frozenset[str] = frozenset()
    vendor_sla_breached: frozenset[str] = frozenset()
    vendor_sla_remaining: tuple[str, ...] = ()  # signed: negative means breached
    timestamp_formats: tuple[str, ...] = (ISO8601,)
    zone: str = "local"
    footer: re.Pattern[str] | None = None  # a row naming the zone, e.g. "Timezone: Europe/Berlin"
    severity_labels: Mapping[str, int] = field(default_factory=dict)  # lower-cased label -> level
    channels: Mapping[str, str] = field(default_factory=dict)  # lower-cased value -> channel
    statuses: Mapping[str, str] = field(default_factory=dict)  # lower-cased code -> label
    dismissal: tuple[DismissalRule, ...] = ()
    kind: str = "cases"
    null_values: frozenset[str] = frozenset()  # lower-cased cell values meaning "empty"
    events: EventRules | None = None  # for kind = "events"


def normalise(name: str) -> str:
    """How headers are compared: case, spacing, underscores and hyphens do not matter."""
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


def user_formats_dir() -> Path:
    """The folder of the formats users save: $SLA_FORMATS_DIR, else the XDG data home's
    sla-dashboard/formats ($XDG_DATA_HOME if set to an absolute path, else ~/.local/share)."""
    named = os.environ.get(USER_FORMATS_ENV)
    if named:
        return Path(named).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec: a relative path in the variable is invalid and ignored.
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "sla-dashboard" / "formats"


def builtin_formats() -> list[ExportFormat]:
    """Every mapping under data/formats/. One that does not load (a file edited by hand, a
    bad save) is left out with a warning naming it and why: it must not stop every import,
    `compute` and upload from reading the files the other formats know."""
    formats: list[ExportFormat] = []
    for path, fmt in _loaded(FORMATS_DIR):
        if _named_already(path, fmt, formats, "another file already names the format"):
            continue
        formats.append(fmt)
    return formats


def user_formats(
    builtins: list[ExportFormat] | None = None, folder: Path | None = None
) -> list[ExportFormat]:
    """The formats saved in the user's folder (default user_formats_dir()), after the
    built-in ones: a file that does not load, repeats a name, or whose exports a built-in
    format already reads (they would be ambiguous for everyone) is skipped with a warning."""
    builtins = builtin_formats() if builtins is None else builtins
    formats: list[ExportFormat] = []
    for path, fmt in _loaded(folder or user_formats_dir()):
        if _named_already(path, fmt, builtins, "names the built-in format") or _named_already(
            path, fmt, formats, "another file already names the format"
        ):
            continue
        shadowed = shadowed_by(fmt, builtins)
        if shadowed is not None:
            _skipped(f"{path}: identifies files by headers the built-in {shadowed.title} "
                     f"({shadowed.name}) format already reads; remove it or change its "
                     "[detect] headers")  # fmt: skip
            continue
        formats.append(fmt)
    return formats


def known_formats() -> list[ExportFormat]:
    """The formats detection and --format know: the built-in ones, then the user's."""
    builtins = builtin_formats()
    return [*builtins, *user_formats(builtins)]


def _loaded(folder: Path) -> Iterable[tuple[Path, ExportFormat]]:
    """Each *.toml file of the folder (none if it does not exist) that loads, in name order."""
    for path in sorted(folder.glob("*.toml")):
        try:
            yield path, load_format(path)
        except FormatError as exc:
            _skipped(str(exc))


def _named_already(path: Path, fmt: ExportFormat, others: list[ExportFormat], says: str) -> bool:
    if any(other.name == fmt.name for other in others):
        _skipped(f"{path}: {says} {fmt.name!r}")
        return True
    return False


def _skipped(reason: str) -> None:
    warnings.warn(f"format file skipped: {reason}", DashboardWarning, stacklevel=2)


def shadowed_by(fmt: ExportFormat, formats: Iterable[ExportFormat]) -> ExportFormat | None:
    """A format that recognises every file `fmt` would, with at least as many headers: the
    two would tie (or the other would win) on an export with `fmt`'s headers."""
    headers = {normalise(alternatives[0]) for alternatives in fmt.detect_headers}
    for other in formats:
        if len(other.detect_headers) >= len(fmt.detect_headers) and all(
            any(normalise(a) in headers for a in alternatives)
            for alternatives in other.detect_headers
        ):
            return other
    return None


def format_by_name(name: str) -> ExportFormat:
    known = {f.name: f for f in known_formats()}
    if name not in known:
        raise FormatError(f"unknown format {name!r} (known: {', '.join(sorted(known))})")
    return known[name]


def load_format(path: str | Path) -> ExportFormat:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormatError(f"{path}: mapping file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read the mapping file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise FormatError(f"{path}: not valid TOML: {exc}") from None
    return parse_format(raw, source=str(path))


def parse_format(raw: Mapping[str, Any], *, source: str) -> ExportFormat:
    def fail(key: str, value: Any, problem: str) -> FormatError:
        got = "" if value is _MISSING else f" (got {value!r})"
        return FormatError(f"{source}: {key}: {problem}{got}")

    def known(table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                raise fail(f"{prefix}{key}", _MISSING, f"unknown key (expected one of: "
                           f"{', '.join(sorted(allowed))})")  # fmt: skip

    def headers(value: Any, key: str) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(i, str) and i.strip() for i in items)
        ):
            raise fail(key, value, "must be a header name or a list of header names")
        return tuple(i.strip() for i in items)

    def table(key: str) -> Mapping[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, Mapping):
            raise fail(key, value, "must be a table")
        return value

    known(raw, _TOP_KEYS, "")
    name = raw.get("name", _MISSING)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise fail("name", name, "must be a lower-case identifier such as 'zendesk'")
    title = raw.get("title", name)
    if not isinstance(title, str):
        raise fail("title", title, "must be a string")

    detect = table("detect")
    known(detect, _DETECT_KEYS, "detect.")
    if "headers" not in detect:
        raise fail("detect.headers", _MISSING, "missing: the headers that identify this export")
    if not isinstance(detect["headers"], list) or not detect["headers"]:
        raise fail("detect.headers", detect["headers"], "must be a non-empty list")
    detect_headers = tuple(
        headers(h, f"detect.headers #{i}") for i, h in enumerate(detect["headers"], 1)
    )
    detect_values = {}
    values_table = detect.get("values", {})
    if not isinstance(values_table, Mapping):
        raise fail("detect.values", values_table, "must be a table of header = 'pattern'")
    for header, pattern in values_table.items():
        detect_values[header] = _regex(pattern, f"detect.values.{header}", fail)
    search_rows = detect.get("header_search_rows", 10)
    if not isinstance(search_rows, int) or isinstance(search_rows, bool) or search_rows < 1:
        raise fail("detect.header_search_rows", search_rows, "must be a positive whole number")

    kind = raw.get("kind", "cases")
    if kind not in KINDS:
        raise fail("kind", kind, f"must be one of {', '.join(KINDS)}")
    columns_raw = table("columns")
    known(columns_raw, set(FIELDS) - {"first_response_at"}, "columns.")
    columns = {key: headers(value, f"columns.{key}") for key, value in columns_raw.items()}
    required_fields = EVENT_REQUIRED_FIELDS if kind == "events" else REQUIRED_FIELDS
    for required in required_fields:
        if required not in columns:
            raise fail(f"columns.{required}", _MISSING, "missing (required)")

    first = table("first_response")
    known(first, _FIRST_RESPONSE_KEYS, "first_response.")
    if "minutes_after_created" in first and "hours_after_created" in first:
        raise fail("first_response", dict(first), "give minutes_after_created or "
                   "hours_after_created, not both")  # fmt: skip

    vendor = table("vendor")
    known(vendor, _VENDOR_KEYS, "vendor.")

    stamps = table("timestamps")
    known(stamps, _TIMESTAMP_KEYS, "timestamps.")
    formats = stamps.get("formats", [ISO8601])
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats):
        raise fail("timestamps.formats", formats, "must be a list of strftime formats or 'ISO8601'")
    for fmt in formats:
        if fmt != ISO8601 and ("%" not in fmt or not re.search(r"%[dmyYbB]", fmt)):
            raise fail(
                "timestamps.formats", fmt, "not a date format (expected e.g. '%d/%m/%Y %H:%M')"
            )
    zone = stamps.get("zone", "local")
    if not isinstance(zone, str):
        raise fail("timestamps.zone", zone, "must be 'local', 'footer' or a time zone name")
    if zone not in ZONE_RULES:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail(
                "timestamps.zone", zone, "must be 'local', 'footer' or an IANA time zone"
            ) from None
    footer = None
    if zone == "footer" or "footer" in stamps:
        if "footer" not in stamps:
            raise fail("timestamps.footer", _MISSING, "needed when zone = 'footer'")
        footer = _regex(stamps["footer"], "timestamps.footer", fail)
        if "zone" not in footer.groupindex:
            raise fail("timestamps.footer", stamps["footer"], "must have a (?P<zone>...) group")

    severity = {}
    for label, level in table("severity").items():
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            raise fail(f"severity.{label!r}", level, "must be a policy level (1, 2, ...)")
        severity[label.strip().lower()] = level
    channels = {}
    for value, channel in table("channels").items():
        if channel not in CHANNELS:
            raise fail(f"channels.{value!r}", channel, f"must be one of {', '.join(CHANNELS)}")
        channels[value.strip().lower()] = channel
    statuses = {}
    for code, label in table("statuses").items():
        if not isinstance(label, str) or not label.strip():
            raise fail(f"statuses.{code!r}", label, "must be a status label")
        statuses[code.strip().lower()] = label.strip()

    rules = []
    dismissal = raw.get("dismissal", [])
    if not isinstance(dismissal, list):
        raise fail("dismissal", dismissal, "must be an array of tables ([[dismissal]])")
    for i, rule in enumerate(dismissal, 1):
        key = f"dismissal #{i}"
        if not isinstance(rule, Mapping):
            raise fail(key, rule, "must be a table")
        known(rule, _DISMISSAL_KEYS, f"{key}.")
        from_value = rule.get("reason_from_value", False)
        reason = rule.get("reason", "")
        if not from_value and reason not in DISMISSAL_REASONS:
            raise fail(f"{key}.reason", reason, f"must be one of {', '.join(DISMISSAL_REASONS)}")
        equals = rule.get("equals", [])
        equals = [equals] if isinstance(equals, str) else equals
        if not isinstance(equals, list) or not all(isinstance(e, str) for e in equals):
            raise fail(f"{key}.equals", equals, "must be a value or a list of values")
        matches = _regex(rule["matches"], f"{key}.matches", fail) if "matches" in rule else None
        if not from_value and not equals and matches is None:
            raise fail(key, dict(rule), "needs equals, matches or reason_from_value = true")
        rules.append(
            DismissalRule(
                column=headers(rule.get("column", _MISSING), f"{key}.column"),
                reason=reason,
                equals=tuple(e.strip().lower() for e in equals),
                matches=matches,
                reason_from_value=bool(from_value),
            )
        )

    events = None
    if kind == "events":
        events = _event_rules(table("events"), fail, known, headers)
    elif "events" in raw:
        raise fail("events", raw["events"], 'only for kind = "events"')
    null_values = raw.get("null_values", [])
    if not isinstance(null_values, list) or not all(isinstance(v, str) for v in null_values):
        raise fail("null_values", null_values, "must be a list of values meaning empty")

    def optional(table_: Mapping[str, Any], key: str, prefix: str) -> tuple[str, ...]:
        return headers(table_[key], f"{prefix}.{key}") if key in table_ else ()

    def lowered(key: str) -> frozenset[str]:
        values = vendor.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise fail(f"vendor.{key}", values, "must be a list of values")
        return frozenset(v.strip().lower() for v in values)

    return ExportFormat(
        name=name,
        title=title,
        source_file=source,
        detect_headers=detect_headers,
        detect_values=detect_values,
        header_search_rows=search_rows,
        columns=columns,
        first_response_column=optional(first, "column", "first_response"),
        first_response_minutes=optional(first, "minutes_after_created", "first_response"),
        first_response_hours=optional(first, "hours_after_created", "first_response"),
        response_recorded=optional(first, "recorded", "first_response"),
        vendor_response_minutes=optional(vendor, "response_minutes", "vendor"),
        vendor_response_hours=optional(vendor, "response_hours", "vendor"),
        vendor_response_business_minutes=optional(vendor, "response_business_minutes", "vendor"),
        vendor_sla=optional(vendor, "sla", "vendor"),
        vendor_sla_met=lowered("sla_met"),
        vendor_sla_breached=lowered("sla_breached"),
        vendor_sla_remaining=optional(vendor, "sla_remaining", "vendor"),
        timestamp_formats=tuple(formats),
        zone=zone,
        footer=footer,
        severity_labels=severity,
        channels=channels,
        statuses=statuses,
        dismissal=tuple(rules),
        kind=kind,
        null_values=frozenset(v.strip().lower() for v in null_values),
        events=events,
    )


def _event_rules(raw: Mapping[str, Any], fail, known, headers) -> EventRules:
    known(raw, _EVENT_KEYS, "events.")
    if "timestamp" not in raw:
        raise fail(
            "events.timestamp", _MISSING, "missing: the column saying when each event happened"
        )

    def values(key: str) -> frozenset[str]:
        items = raw.get(key, [])
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise fail(f"events.{key}", items, "must be a value or a list of values")
        return frozenset(i.strip().lower() for i in items)

    def optional(key: str) -> tuple[str, ...]:
        return headers(raw[key], f"events.{key}") if key in raw else ()

    rules = EventRules(
        timestamp=headers(raw["timestamp"], "events.timestamp"),
        sequence=optional("sequence"),
        activity=optional("activity"),
        responded_when_status_not=values("responded_when_status_not"),
        responded_activities=values("responded_activities"),
        resolved_activities=values("resolved_activities"),
        reopened_activities=values("reopened_activities"),
        paused_activities=values("paused_activities"),
        resumed_activities=values("resumed_activities"),
        resolved_statuses=values("resolved_statuses"),
    )
    uses_activities = any(getattr(rules, k) for k in ACTIVITY_RULES)
    if uses_activities and not rules.activity:
        raise fail("events.activity", _MISSING, "needed: the rules name activities")
    if bool(rules.paused_activities) != bool(rules.resumed_activities):
        raise fail("events", dict(raw), "give both paused_activities and resumed_activities")
    return rules


_MISSING = object()


def _regex(pattern: Any, key: str, fail) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise fail(key, pattern, "must be a regular expression")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise fail(key, pattern, f"not a valid regular expression ({exc})") from None
