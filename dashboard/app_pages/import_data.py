"""Import: drop exports in, see what was understood, import, and see what was refused.

Each file is read and checked before anything is written (the same steps as
`sla-dashboard import`); an export no format knows can be mapped here by hand, and the mapping
saved as a format file so the next export of its kind is recognised. All files go in one
transaction: a failed import changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import ui, views
from dashboard.errors import DashboardError
from dashboard.importer import new_format
from dashboard.importer import uploads as upload_rules
from dashboard.importer.formats import (
    FIELDS,
    REQUIRED_FIELDS,
    ExportFormat,
    FormatError,
    builtin_formats,
)
from dashboard.importer.new_format import MappingChoices, build_format, suggest_columns
from dashboard.importer.prepare import PreparedFile, prepare_file
from dashboard.importer.readers import read_table
from dashboard.importing import import_prepared
from dashboard.severity_labels import parse_severity
from dashboard.store import WaitingWarning
from dashboard.timestamps import ISO8601

NONE = "(not in this file)"
BY_HAND = "Map the columns by hand"
MAX_LABELS = 40  # distinct severity values offered for mapping; more means a wrong column


def page() -> None:
    policy = ui.policy()
    st.title("Import")
    st.caption(
        "Exports from Zendesk, Jira Service Management, Freshdesk, ServiceNow, Zammad or our "
        "own CSV are recognised by their headers; any other can be mapped by hand below. "
        "Response times are recomputed under the policy, never taken from the export."
    )
    uploads = st.file_uploader(
        "Case exports (CSV or Excel)",
        type=list(upload_rules.UPLOAD_TYPES),
        accept_multiple_files=True,
        # A new key after each import empties the box: the files just imported are not
        # offered again.
        key=f"uploads-{st.session_state.get('upload_round', 0)}",
    )
    _forget_removed(uploads or [])
    ready: list[tuple[PreparedFile, MappingChoices | None]] = []
    for upload in uploads or []:
        with st.container(border=True):
            st.markdown(f"**{ui.escaped(upload.name)}** · {upload.size:,} bytes")
            result = _prepared(upload, policy)
            if result is not None:
                ready.append(result)
    if ready:
        _import_button(ready, policy)
    _last_reports()
    _history()


def _prepared(upload, policy) -> tuple[PreparedFile, MappingChoices | None] | None:
    """Read and check one upload: by the format detected, else by one the user picks or by
    the user's own mapping."""
    limit = int(st.get_option("server.maxUploadSize")) * 2**20
    refused = upload_rules.refusal(upload.name, upload.size, limit)
    if refused:
        ui.error(refused)
        return None
    path = _saved(upload)
    try:
        prepared = _prepare_cached(path, upload.file_id, policy, None)
        choices = None
    except FormatError as exc:
        ui.warning(_named(exc, path, upload.name))
        known = {f.name: f for f in builtin_formats()}
        how = st.selectbox(
            "Read it as",
            [BY_HAND, *known],
            format_func=lambda name: name if name == BY_HAND else known[name].title,
            key=f"as-{upload.file_id}",
        )
        choices = None if how == BY_HAND else known[how]
        if choices is None:
            choices = _mapping_form(path, upload.file_id, policy)
            if choices is None:
                return None
        try:
            prepared = _prepare_cached(path, upload.file_id, policy, choices)
        except DashboardError as error:
            ui.error(_named(error, path, upload.name))
            return None
        if not isinstance(choices, MappingChoices):
            choices = None  # a shipped format: nothing to save
    except DashboardError as exc:
        ui.error(_named(exc, path, upload.name))
        return None
    _describe(prepared, upload.file_id)
    return prepared, choices


def _named(error: Exception, path: Path, name: str) -> str:
    """The message with the upload's own name, not the server folder it was kept in."""
    text = str(error).replace(str(path), name)
    return text if text.startswith(name) else f"{name}: {text}"


def _forget_removed(uploads) -> None:
    """Files taken out of the upload box leave the session's folder and its memory."""
    folder = st.session_state.get("upload_folder")
    if folder is None or not Path(folder).exists():
        return
    current = {upload.file_id for upload in uploads}
    for entry in Path(folder).iterdir():
        if entry.name not in current:
            shutil.rmtree(entry, ignore_errors=True)
    store = st.session_state.get("prepared", {})
    for key in [k for k in store if k[1] not in current]:
        del store[key]


def _saved(upload) -> Path:
    """The upload as a file under this session's folder, keeping its name (its suffix says how
    to read it); the name is reduced to its last part, so it cannot point elsewhere."""
    folder = st.session_state.get("upload_folder")
    if folder is None:
        folder = tempfile.mkdtemp(prefix="sla-upload-")
        st.session_state["upload_folder"] = folder
    target = Path(folder) / upload.file_id / (Path(upload.name).name or "upload.csv")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(upload.getvalue())
    return target


def _prepare_cached(path: Path, file_id: str, policy, choices):
    """prepare_file once per file and mapping (or chosen format): a rerun (any click) must
    not read it again."""
    key = ("prepared", file_id, _fingerprint(choices))
    store = st.session_state.setdefault("prepared", {})
    if key not in store:
        # the user's mapping, a shipped format the user picked, or None: detect
        forced = build_format(choices)[0] if isinstance(choices, MappingChoices) else choices
        store[key] = prepare_file(path, policy, forced=forced)
    return store[key]


def _fingerprint(choices) -> str:
    if choices is None:
        return ""
    if isinstance(choices, ExportFormat):
        return f"format:{choices.name}"
    text = json.dumps(
        [choices.name, dict(choices.columns), dict(choices.severity_labels), choices.zone,
         choices.timestamp_format], sort_keys=True
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()


def _mapping_form(path: Path, file_id: str, policy) -> MappingChoices | None:
    """Ask which header holds each field and what each severity label means."""
    try:
        table = read_table(path)
    except DashboardError as exc:
        ui.error(f"{path.name}: {exc}")
        return None
    st.markdown("**Map the columns** (the first non-blank row is taken as the header)")
    guesses = suggest_columns(table.header)
    options = [NONE, *table.header]
    columns: dict[str, str] = {}
    grid = st.columns(3)
    for index, field in enumerate(FIELDS):
        guess = guesses.get(field)
        chosen = grid[index % 3].selectbox(
            field + (" (required)" if field in REQUIRED_FIELDS else ""),
            options,
            index=options.index(guess) if guess in options else 0,
            key=f"map-{file_id}-{field}",
        )
        if chosen != NONE:
            columns[field] = chosen
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    labels: dict[str, int] = {}
    if "severity" in columns:
        values = table.frame[columns["severity"]].str.strip()
        distinct = sorted(v for v in values.unique() if v)
        if len(distinct) > MAX_LABELS:
            ui.error(f"{columns['severity']!r} holds {len(distinct)} different values: "
                     "choose the column that holds the priority or severity")  # fmt: skip
            return None
        levels, _ = parse_severity(pd.Series(distinct, dtype=object), policy)
        st.markdown("**Severity labels**")
        label_grid = st.columns(4)
        names = {s.level: f"Level {s.level} - {s.name}" for s in policy.severities}
        for index, (label, guess) in enumerate(zip(distinct, levels, strict=True)):
            level = label_grid[index % 4].selectbox(
                ui.escaped(label),
                list(names),
                index=list(names).index(int(guess)) if int(guess) in names else None,
                format_func=names.get,
                key=f"label-{file_id}-{label}",
                placeholder="Which level?",
            )
            if level is not None:
                labels[label] = int(level)
        unmapped = [label for label in distinct if label not in labels]
        if unmapped:
            missing.append("a level for " + ", ".join(repr(v) for v in unmapped))
    settings = st.columns(3)
    stamp = settings[0].text_input(
        "Timestamp format", ISO8601, key=f"stamp-{file_id}",
        help="'iso8601', or a pattern such as %d/%m/%Y %H:%M",
    )  # fmt: skip
    zone = settings[1].text_input(
        "Time zone of naive times", "local", key=f"zone-{file_id}",
        help="'local' (the policy's zone) or a name such as America/New_York",
    )  # fmt: skip
    name = settings[2].text_input("Format name", _default_name(path), key=f"name-{file_id}")
    if missing:
        ui.info("Still needed: " + "; ".join(missing))
        return None
    return MappingChoices(
        name=name.strip(),
        title=f"Mapped on the Import page ({path.name})",
        columns=columns,
        severity_labels=labels,
        zone=zone.strip() or "local",
        timestamp_format=stamp.strip() or ISO8601,
    )


def _default_name(path: Path) -> str:
    stem = "".join(c if c.isalnum() else "_" for c in path.stem.lower()).strip("_")
    return f"custom_{stem or 'export'}"[:40]


def _describe(prepared: PreparedFile, file_id: str) -> None:
    validated = prepared.validated
    accepted, rejected = len(validated.cases), len(validated.rejects)
    st.markdown(
        f"Format: **{ui.escaped(prepared.detection.format.title)}** · {accepted:,} cases "
        f"accepted · {rejected:,} rows rejected"
    )
    with st.expander("How it was read, and the mapping"):
        st.text("\n".join(prepared.notes))
        header = validated.table.header if validated.table is not None else []
        st.dataframe(views.mapping_used(prepared.detection.format, header), hide_index=True)
    if accepted:
        st.caption("Preview (first 20 accepted cases, as they will be stored)")
        frame = validated.cases.frame
        wanted = ("case_id", "customer", "plan", "severity", "channel", "dismissal_reason")
        preview = frame[[c for c in wanted if c in frame.columns]].head(20)
        st.dataframe(preview, hide_index=True)
    if rejected:
        ui.table(_rejects_frame(validated.rejects), f"rejected-{prepared.path.stem}",
                 key=f"rejected-{file_id}")  # two uploads may share a name  # fmt: skip


def _rejects_frame(rejects) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": [r.row for r in rejects],
            "case_id": [r.case_id for r in rejects],
            "reason": [r.reason for r in rejects],
            "record": [json.dumps(r.fields, ensure_ascii=False) for r in rejects],
        }
    )


def _import_button(ready, policy) -> None:
    save = any(choices is not None for _, choices in ready) and st.checkbox(
        "Save my mappings as format files (recognised by themselves next time)",
        key="save_formats",
    )
    cases = sum(len(p.validated.cases) for p, _ in ready)
    if not st.button(f"Import {len(ready)} file(s): {cases:,} cases", type="primary",
                     key="import"):  # fmt: skip
        return
    mappings = [choices for _, choices in ready if choices is not None] if save else []
    try:
        new_format.check_names(mappings)  # before anything is written, so all or nothing
        with st.spinner("Importing (after any other import has finished)..."), \
                warnings.catch_warnings():  # fmt: skip
            warnings.simplefilter("ignore", WaitingWarning)  # the spinner says it already
            reports = import_prepared(ui.engine(), [p for p, _ in ready], policy,
                                      user="dashboard")  # fmt: skip
    except DashboardError as exc:
        ui.error(f"Nothing was imported: {exc}")
        return
    saved = [str(new_format.save_format(choices)) for choices in mappings]
    ui.clear_caches()
    # The file as the user named it, not the session folder it was kept in.
    st.session_state["import_reports"] = [
        {**r.as_dict(), "file": Path(r.file).name} for r in reports
    ]
    st.session_state["saved_formats"] = saved
    st.session_state.pop("prepared", None)
    shutil.rmtree(st.session_state.pop("upload_folder", ""), ignore_errors=True)
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.rerun()  # the sidebar (drawn before this page) then offers the new customers at once


def _last_reports() -> None:
    reports = st.session_state.get("import_reports")
    if not reports:
        return
    for path in st.session_state.get("saved_formats", []):
        ui.info(f"Saved the mapping as {path}: exports like it are now recognised by themselves")
    ui.success("Imported: " + ", ".join(
        f"{r['file']} ({r['inserted']} new, {r['updated']} updated, {r['unchanged']} unchanged, "
        f"{r['rejected']} rejected)" for r in reports
    ))  # fmt: skip
    summary = pd.DataFrame(reports).drop(columns=["notes"])
    ui.table(summary, "import-summary")


def _history() -> None:
    st.subheader("Import history")
    history = ui.lookup(views.import_history)
    if history.empty:
        st.caption("Nothing imported yet.")
        return
    ui.table(history.drop(columns=["notes"]), "import-history", height=260)
    with_rejects = history[history["rejected"] > 0]
    if with_rejects.empty:
        return
    chosen = st.selectbox(
        "Rejected rows of import",
        with_rejects["id"].tolist(),
        format_func=lambda i: _import_label(with_rejects, i),
        key="rejects_of",
    )
    if chosen is not None:
        ui.table(ui.lookup(views.rejects_of_import, int(chosen)), f"rejects-import-{chosen}")


def _import_label(history: pd.DataFrame, import_id: int) -> str:
    row = history.set_index("id").loc[import_id]
    return f"#{import_id} {row['file_name']} ({row['rejected']} rejected)"


ui.guarded(page)
