"""A mapping file for an export no shipped format knows, from the choices a user made.

The Import page asks which header holds each field and which level each severity label
means; this module turns those answers into the same TOML a hand-written mapping would be
(data/formats/README.md), validates it with the same parser, and saves it beside the shipped
formats so the next export of that kind is detected by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.importer.formats import (
    FIELDS,
    FORMATS_DIR,
    REQUIRED_FIELDS,
    ExportFormat,
    FormatError,
    builtin_formats,
    normalise,
    parse_format,
)
from dashboard.timestamps import ISO8601

# Header spellings seen in exports, by field: the first guess the page offers.
_SYNONYMS = {
    "case_id": ["case id", "ticket id", "ticket", "id", "number", "key", "issue key", "#",
                "case number", "ticket number", "incident", "ref", "reference"],
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
    "status": ["status", "state"],
    "channel": ["channel", "source", "via", "contact type", "origin"],
    "component": ["component", "product", "category", "service"],
    "subject": ["subject", "summary", "title", "short description", "description"],
    "dismissal_reason": ["dismissal reason", "close code", "resolution", "close reason"],
}  # fmt: skip


@dataclass(frozen=True)
class MappingChoices:
    name: str  # a lower-case identifier, also the file name
    title: str
    columns: Mapping[str, str]  # canonical field -> the header holding it
    severity_labels: Mapping[str, int] = field(default_factory=dict)  # label as written -> level
    zone: str = "local"  # "local" (the policy's zone) or an IANA zone
    timestamp_format: str = ISO8601  # or a strftime pattern such as "%d/%m/%Y %H:%M"


def suggest_columns(headers: Iterable[str]) -> dict[str, str]:
    """A first guess at which header holds each field, by name; each header used once."""
    by_name = {normalise(h): h for h in headers if h.strip()}
    taken: set[str] = set()
    guesses: dict[str, str] = {}
    for field_name in FIELDS:
        for spelling in [field_name.replace("_", " "), *_SYNONYMS.get(field_name, [])]:
            header = by_name.get(normalise(spelling))
            if header is not None and header not in taken:
                guesses[field_name] = header
                taken.add(header)
                break
    return guesses


def format_document(choices: MappingChoices) -> dict[str, Any]:
    """The mapping as the TOML-shaped dict data/formats/*.toml hold."""
    columns = {f: h for f, h in choices.columns.items() if h}
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise FormatError(f"a mapping needs a column for {', '.join(missing)}")
    document: dict[str, Any] = {
        "name": choices.name,
        "title": choices.title,
        "detect": {"headers": [columns[f] for f in REQUIRED_FIELDS]},
        "columns": {
            f: h for f, h in columns.items() if f not in ("first_response_at", "dismissal_reason")
        },
        "timestamps": {"formats": [choices.timestamp_format], "zone": choices.zone},
    }
    if "first_response_at" in columns:
        document["first_response"] = {"column": columns["first_response_at"]}
    if choices.severity_labels:
        document["severity"] = {
            label: int(level) for label, level in choices.severity_labels.items()
        }
    if "dismissal_reason" in columns:
        document["dismissal"] = [{"column": columns["dismissal_reason"], "reason_from_value": True}]
    return document


def build_format(choices: MappingChoices) -> tuple[ExportFormat, str]:
    """The validated format and its TOML text (the parser that reads shipped files checks it)."""
    document = format_document(choices)
    text = to_toml(document)
    return parse_format(document, source=f"{choices.name}.toml"), text


def check_names(choices: Iterable[MappingChoices], folder: Path | None = None) -> None:
    """Refuse, before anything is written, names a format already has or that repeat."""
    folder = folder or FORMATS_DIR
    taken = {f.name for f in builtin_formats()} if folder == FORMATS_DIR else set()
    seen: set[str] = set()
    for choice in choices:
        name = build_format(choice)[0].name
        if name in taken or name in seen or (folder / f"{name}.toml").exists():
            raise FormatError(f"a format named {name!r} exists already; choose another name")
        seen.add(name)


def save_format(choices: MappingChoices, folder: Path | None = None) -> Path:
    """Write the mapping as folder/NAME.toml (default data/formats/); a name any format
    already has is refused."""
    folder = folder or FORMATS_DIR
    check_names([choices], folder)
    fmt, text = build_format(choices)
    path = folder / f"{fmt.name}.toml"
    header = (
        f"# {fmt.title}: made on the Import page from the columns a user chose.\n"
        "# Edit it like any mapping (data/formats/README.md).\n"
    )
    path.write_text(header + text, encoding="utf-8")
    return path


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
