"""A mapping file for an export no shipped format knows, from the choices a user made.

The Import page asks which header holds each field and which level each severity label
means (and, for an event log, which columns say when and what happened and which activities
or statuses mean a response, a resolution, a reopen or a pause); this module turns those
answers into the same TOML a hand-written mapping would be (data/formats/README.md), reads
that text back with the same parser, and saves it in the user's formats folder
(formats.user_formats_dir(): $SLA_FORMATS_DIR, else ~/.local/share/sla-dashboard/formats),
read after the built-in ones, so the next export of that kind is detected by itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.importer.formats import (
    ACTIVITY_RULES,
    EVENT_REQUIRED_FIELDS,
    FIELDS,
    REQUIRED_FIELDS,
    STATUS_RULES,
    ExportFormat,
    FormatError,
    builtin_formats,
    load_format,
    normalise,
    parse_format,
    shadowed_by,
    user_formats,
    user_formats_dir,
)
from dashboard.timestamps import ISO8601

# Header spellings seen in exports, by field: the first guess the page offers.
_SYNONYMS = {
    "case_id": ["case id", "ticket id", "ticket", "id", "number", "key", "issue key", "#",
                "case number", "ticket number", "incident", "ref", "reference",
                "case:concept:name"],
    "customer": ["customer", "company", "organization", "organisation", "account", "client"],
    "plan": ["plan", "tier", "contract", "support plan", "sla plan"],
    "severity": ["severity", "priority", "sev", "urgency", "impact"],
    "created_at": ["created at", "created", "opened at", "opened", "created date", "date created",
                   "submitted", "reported", "logged", "logged at", "raised"],
    "first_response_at": ["first response at", "first response", "first responded at",
                          "first reply at", "responded at", "first response time", "replied",
                          "replied at", "first reply"],
    "resolved_at": ["resolved at", "resolved", "closed at", "closed", "solved at",
                    "resolution date"],
    "status": ["status", "state", "incident state", "ticket status", "lifecycle:transition"],
    "channel": ["channel", "source", "via", "contact type", "origin"],
    "component": ["component", "product", "category", "service"],
    "subject": ["subject", "summary", "title", "short description", "description"],
    "dismissal_reason": ["dismissal reason", "close code", "resolution", "close reason"],
}  # fmt: skip

# The columns of an event log's [events] table, and their usual spellings: process-mining
# logs (Case ID, Activity, Complete Timestamp; XES names), ServiceNow's audit trail.
EVENT_COLUMNS = ("timestamp", "sequence", "activity")
_EVENT_SYNONYMS = {
    "timestamp": ["complete timestamp", "time:timestamp", "event time", "event timestamp",
                  "time", "sys updated at", "updated at", "updated", "date"],
    "sequence": ["sys mod count", "seq", "sequence number", "event number", "updates",
                 "mod count"],
    "activity": ["concept:name", "event", "activity name", "action", "event type"],
}  # fmt: skip


@dataclass(frozen=True)
class EventChoices:
    """An event log's [events] table (docs/event-logs.md): the headers saying when and what
    happened, and the values (as the export writes them) each rule names."""

    timestamp: str  # when each event happened
    sequence: str | None = None  # breaks ties between events at one timestamp
    activity: str | None = None  # what happened
    responded_activities: tuple[str, ...] = ()
    resolved_activities: tuple[str, ...] = ()
    reopened_activities: tuple[str, ...] = ()
    paused_activities: tuple[str, ...] = ()
    resumed_activities: tuple[str, ...] = ()
    responded_when_status_not: tuple[str, ...] = ()  # statuses of a case not yet answered
    resolved_statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class MappingChoices:
    name: str  # a lower-case identifier, also the file name
    title: str
    columns: Mapping[str, str]  # canonical field -> the header holding it
    severity_labels: Mapping[str, int] = field(default_factory=dict)  # label as written -> level
    zone: str = "local"  # "local" (the policy's zone) or an IANA zone
    timestamp_format: str = ISO8601  # or a strftime pattern such as "%d/%m/%Y %H:%M"
    null_values: tuple[str, ...] = ()  # cells meaning "empty", e.g. ("NULL",)
    events: EventChoices | None = None  # an event log (kind = "events"); None: one row per case


def suggest_columns(headers: Iterable[str]) -> dict[str, str]:
    """A first guess at which header holds each field, by name; each header used once."""
    return _guess(headers, {f: _SYNONYMS.get(f, []) for f in FIELDS}, taken=set())


def suggest_event_columns(headers: Iterable[str], *, taken: Iterable[str] = ()) -> dict[str, str]:
    """A first guess at an event log's time, sequence and activity headers, by name, among
    the headers not `taken` by a field."""
    return _guess(headers, _EVENT_SYNONYMS, taken=set(taken))


def _guess(
    headers: Iterable[str], synonyms: Mapping[str, list[str]], *, taken: set[str]
) -> dict[str, str]:
    by_name = {normalise(h): h for h in headers if h.strip()}
    guesses: dict[str, str] = {}
    for field_name, spellings in synonyms.items():
        for spelling in [field_name.replace("_", " "), *spellings]:
            header = by_name.get(normalise(spelling))
            if header is not None and header not in taken:
                guesses[field_name] = header
                taken.add(header)
                break
    return guesses


def format_document(choices: MappingChoices) -> dict[str, Any]:
    """The mapping as the TOML-shaped dict data/formats/*.toml hold."""
    columns = {f: h for f, h in choices.columns.items() if h}
    events = choices.events
    required = EVENT_REQUIRED_FIELDS if events else REQUIRED_FIELDS
    missing = [f for f in required if f not in columns]
    if missing:
        raise FormatError(f"a mapping needs a column for {', '.join(missing)}")
    document: dict[str, Any] = {"name": choices.name, "title": choices.title}
    if events:
        document["kind"] = "events"
    if choices.null_values:
        document["null_values"] = list(choices.null_values)
    document["detect"] = {"headers": _detect_headers(columns, events)}
    if events:
        document["events"] = _events_table(events, columns)
    document["columns"] = {
        f: h for f, h in columns.items() if f not in ("first_response_at", "dismissal_reason")
    }
    document["timestamps"] = {"formats": [choices.timestamp_format], "zone": choices.zone}
    if "first_response_at" in columns:
        document["first_response"] = {"column": columns["first_response_at"]}
    if choices.severity_labels:
        document["severity"] = {
            label: int(level) for label, level in choices.severity_labels.items()
        }
    if "dismissal_reason" in columns:
        document["dismissal"] = [{"column": columns["dismissal_reason"], "reason_from_value": True}]
    return document


def _detect_headers(columns: Mapping[str, str], events: EventChoices | None) -> list[str]:
    """The headers that identify the export next time: the required ones, and for an event
    log its creation (if any), time, sequence and activity columns too."""
    if events is None:
        return [columns[f] for f in REQUIRED_FIELDS]
    named = [*(columns.get(f) for f in ("case_id", "severity", "created_at")),
             events.timestamp, events.sequence, events.activity]  # fmt: skip
    return list(dict.fromkeys(h for h in named if h))


def _events_table(events: EventChoices, columns: Mapping[str, str]) -> dict[str, Any]:
    if "first_response_at" in columns:
        raise FormatError(
            "an event log's first response comes from its events (an activity or a status), "
            "not from a column"
        )
    if any(getattr(events, rule) for rule in STATUS_RULES) and "status" not in columns:
        raise FormatError("the statuses the event rules name need a status column")
    table: dict[str, Any] = {"timestamp": events.timestamp}
    for key in ("sequence", "activity"):
        if getattr(events, key):
            table[key] = getattr(events, key)
    for rule in (*ACTIVITY_RULES, *STATUS_RULES):
        if getattr(events, rule):
            table[rule] = list(getattr(events, rule))
    return table


# A format's name is its file's name (NAME.toml) and the source its cases are stored under:
# far below the 255 bytes a file name may have (a 251-character name made the import fail
# with an OSError once the cases were in, issue 13).
MAX_NAME_CHARS = 100


def build_format(choices: MappingChoices) -> tuple[ExportFormat, str]:
    """The validated format and its TOML text: the text is read back and checked by the parser
    that reads shipped files, so what is saved is what was read."""
    if len(choices.name) > MAX_NAME_CHARS:
        raise FormatError(
            f"the format name {choices.name[:20] + '...'!r} is {len(choices.name)} characters "
            f"long: at most {MAX_NAME_CHARS} (it names the format's file); choose a shorter one"
        )
    document = format_document(choices)
    text = to_toml(document)
    source = f"{choices.name}.toml"
    try:
        read_back = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # a bug in to_toml: never save such a file
        raise FormatError(f"{source}: the TOML written does not read back ({exc})") from None
    if read_back != document:
        raise FormatError(f"{source}: the TOML written reads back as another mapping")
    return parse_format(read_back, source=source), text


def check_names(choices: Iterable[MappingChoices], folder: Path | None = None) -> None:
    """Refuse, before anything is written, names a format already has (built-in, or saved in
    `folder`, default the user's formats folder) or that repeat, mappings whose exports one
    of those formats already reads, and saving into a folder this process may not write."""
    folder = folder or user_formats_dir()
    builtins = builtin_formats()
    known = [*builtins, *user_formats(builtins, folder)]
    taken = {f.name for f in known}
    seen: set[str] = set()
    choices = list(choices)
    if choices:
        check_writable(folder)
    for choice in choices:
        fmt = build_format(choice)[0]
        name = fmt.name
        if name in taken or name in seen or (folder / f"{name}.toml").exists():
            raise FormatError(f"a format named {name!r} exists already; choose another name")
        shadowed = shadowed_by(fmt, known)
        if shadowed is not None:
            raise FormatError(
                f"the mapping {name!r} identifies files by headers the {shadowed.title} "
                f"({shadowed.name}) format already reads: saved, it would make such exports "
                f"ambiguous for everyone; read the file as {shadowed.name} instead, or import "
                "it without saving the mapping"
            )
        seen.add(name)


def save_format(
    choices: MappingChoices, folder: Path | None = None, *, saved_by: str | None = None
) -> Path:
    """Write the mapping as folder/NAME.toml (default: the user's formats folder, made if
    missing); a name any format already has is refused. `saved_by` (the signed-in address)
    is written in the file's header, with the day."""
    folder = folder or user_formats_dir()
    check_names([choices], folder)
    fmt, text = build_format(choices)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # Not its path: the page shows this message to visitors (issue 13).
        raise FormatError(
            f"cannot make the user formats folder ({exc.strerror}); set SLA_FORMATS_DIR "
            "to a folder the dashboard may write"
        ) from None
    path = folder / f"{fmt.name}.toml"
    # A comment line: a title's line breaks would end it, and TOML allows no control
    # character in a comment (an upload named "evil\x01.csv" made a file nothing could read).
    title = _comment_text(fmt.title)
    by = f"by {_comment_text(saved_by)} " if saved_by else ""
    header = (
        f"# {title}: made on the Import page from the columns a user chose.\n"
        f"# Saved {by}on {dt.date.today().isoformat()}. "
        "Edit it like any mapping (data/formats/README.md).\n"
    )
    # Written beside its place under a name no format search matches, read back as any
    # mapping is loaded, and only then put in place (never over a file that appeared
    # meanwhile): a file that would not load is never left where it would be.
    try:
        draft = _write_draft(folder, fmt.name, header + text)
    except OSError as exc:
        raise _not_writable(exc) from None
    try:
        if load_format(draft) != dataclasses.replace(fmt, source_file=str(draft)):
            raise FormatError(f"{path}: the file written reads back as another mapping")
        _place(draft, path)
    except OSError as exc:
        raise _not_writable(exc) from None
    finally:
        draft.unlink(missing_ok=True)
    return path


def _comment_text(text: str) -> str:
    """User text for a TOML comment line: no line break or control character in it."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def check_writable(folder: Path) -> None:
    """Refuse a formats folder this process may not write (made first if missing), by writing
    (and removing) a file there: permissions, a read-only mount or a full disk all show, as
    root too."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_draft(folder, "write-test", "").unlink()
    except OSError as exc:
        raise _not_writable(exc) from None


def _write_draft(folder: Path, name: str, text: str) -> Path:
    """`text` in a new file of `folder` under a name no format search matches (.NAME-*.part)."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, prefix=f".{name}-", suffix=".part", delete=False
    ) as draft:
        draft.write(text)
    return Path(draft.name)


def _not_writable(exc: OSError) -> FormatError:
    # Not the folder's path: the page shows this message to visitors (issue 13).
    return FormatError(
        f"cannot save the mapping as a format file: the formats folder cannot be written "
        f"({exc.strerror or exc}); import without saving the mapping, or set SLA_FORMATS_DIR "
        "to a folder the dashboard may write"
    )


def _place(draft: Path, path: Path) -> None:
    """Give `draft` the name `path`, refusing a name taken meanwhile."""
    taken = FormatError(f"a format named {path.stem!r} exists already; choose another name")
    try:
        os.link(draft, path)  # atomic, and refuses an existing name
    except FileExistsError:
        raise taken from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise taken from None
        os.replace(draft, path)


def to_toml(document: Mapping[str, Any]) -> str:
    """TOML for the shapes mappings use: strings, numbers, booleans, lists of those, tables and
    arrays of tables (no dependency for that much)."""
    lines: list[str] = []
    plain = {k: v for k, v in document.items() if not isinstance(v, Mapping | list) or _scalars(v)}
    for key, value in plain.items():
        lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in document.items():
        if key in plain:
            continue
        if isinstance(value, Mapping):
            lines += ["", f"[{_key(key)}]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in value.items()]
        else:  # an array of tables
            for table in value:
                lines += ["", f"[[{_key(key)}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _scalars(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, Mapping) for v in value)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 32 or ord(char) == 127:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
