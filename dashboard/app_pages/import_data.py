"""Import: drop exports in, see what was understood, import, and see what was refused.

Each file is read and checked before anything is written (the same steps as
`sla-dashboard import`); an export no format knows can be mapped here by hand, and the mapping
saved as a format file so the next export of its kind is recognised. All files go in one
transaction: a failed import changes nothing. The work is dashboard/importer/upload_session.py's;
this page draws what it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from dashboard import activity, readable, ui, views
from dashboard.importer.event_mapping import EventAnswers
from dashboard.importer.new_format import MAX_NAME_CHARS
from dashboard.importer.upload_results import (
    PREVIEW_ROWS,
    ImportFailed,
    Refused,
    Understood,
    Unrecognised,
    rejected_imports,
)
from dashboard.importer.upload_session import UploadSession, shipped_formats
from dashboard.importer.uploads import FolderReleases, printable_name
from dashboard.importing import import_prepared, overlap_files
from dashboard.overlap import find_overlaps

if TYPE_CHECKING:  # annotations only
    from dashboard.importer.hand_mapping import MappingQuestions
    from dashboard.importer.new_format import MappingChoices

BY_HAND = "Map the columns by hand"


# Streamlit releases a session's own resources when its browser disconnects (the tab closed)
# or the session shuts down: its uploads leave the server then (issue 13). A session that
# reconnects saves them again from the upload box. Without this they go when the session's
# state is let go (uploads.UploadFolder), which Streamlit does only later.
@st.cache_resource(scope="session", on_release=FolderReleases.release, show_spinner=False)
def _folder_releases() -> FolderReleases:
    return FolderReleases()


def page() -> None:
    st.title("Import")
    if not ui.require_admin("import exports or save formats"):  # the menu hides it too
        return
    policy = ui.policy()
    session = UploadSession(st.session_state, releases=_folder_releases())
    st.caption(
        "Exports from Zendesk, Jira Service Management, Freshdesk, ServiceNow, Zammad or our "
        "own CSV are recognised by their headers; any other can be mapped by hand below. "
        "Response times are recomputed under the policy, never taken from the export."
    )
    # No `type=`: Streamlit would then check each name itself, and a name holding a NUL (a
    # scripted upload) raised before the page ran, every rerun; read() checks the suffix.
    uploads = st.file_uploader(
        f"Case exports ({', '.join(session.accepted_types)})",
        accept_multiple_files=True,
        key=session.uploader_key,
    )
    session.keep_only(uploads or [])
    ready: list[Understood] = []
    for upload in uploads or []:
        with st.container(border=True):
            shown = ui.escaped(printable_name(upload.name))
            st.markdown(f"**{shown}** · {upload.size:,} bytes")
            understood = _read(session, upload, policy)
            if understood is None:
                continue
            if understood.unusable:  # every row rejected: not offered, its rows shown below
                ui.error(understood.unusable)
            else:
                ready.append(understood)
            _describe(understood, upload.file_id)
    if ready:
        _import_button(session, ready, policy)
    _last_import(session)
    _history()


def _read(session: UploadSession, upload, policy) -> Understood | None:
    """The upload read by the format detected, else by one the user picks or by the user's
    own mapping."""
    limit = int(st.get_option("server.maxUploadSize")) * 2**20
    reading = session.read(upload, policy, limit_bytes=limit)
    if isinstance(reading, Unrecognised):
        ui.warning(reading.message)
        known = shipped_formats()
        how = st.selectbox(
            "Read it as",
            [BY_HAND, *known],
            format_func=lambda name: name if name == BY_HAND else known[name].title,
            key=f"as-{upload.file_id}",
        )
        if how == BY_HAND:
            choices = _mapping_form(session, reading, upload.file_id, policy)
            if choices is None:
                return None
        else:
            choices = known[how]
        reading = session.read(upload, policy, limit_bytes=limit, how=choices)
    if isinstance(reading, Refused):
        ui.error(reading.message)
        return None
    return reading


def _mapping_form(
    session: UploadSession, unrecognised: Unrecognised, file_id: str, policy
) -> MappingChoices | None:
    """Ask which header holds each field and what each severity label means (and, for an
    event log, which columns say when and what happened and what its values mean)."""
    questions = session.mapping_questions(unrecognised)
    if isinstance(questions, Refused):
        ui.error(questions.message)
        return None
    event_log = st.checkbox(
        "It is an event log: one row per event of a case",
        value=questions.looks_like_event_log,
        key=f"event-log-{file_id}",
        help="An audit trail or a process-mining log: each case is derived from its events "
        "(created by its first event unless a column says when). Ticked at first when case ids "
        "repeat.",
    )
    st.markdown("**Map the columns** (the first non-blank row is taken as the header)")
    columns = _column_selects(
        questions, questions.column_questions(event_log=event_log), f"map-{file_id}"
    )
    event_columns: dict[str, str] = {}
    if event_log:
        st.markdown("**Event log**: which columns say when and what happened")
        event_columns = _column_selects(questions, questions.event_columns, f"event-{file_id}")
    null_values = st.text_input(
        "Cells meaning empty", questions.default_null_values, key=f"nulls-{file_id}",
        help="Comma-separated, any case, e.g. NULL, N/A",
    )  # fmt: skip
    levels = _severity_form(questions, columns, file_id, policy, null_values)
    if levels is None:
        return None
    events = None
    if event_log:
        events = _event_rules_form(questions, columns, event_columns, null_values, file_id)
        if events is None:
            return None
    settings = st.columns(3)
    stamp = settings[0].text_input(
        "Timestamp format", questions.default_timestamp_format, key=f"stamp-{file_id}",
        help="'iso8601', or a pattern such as %d/%m/%Y %H:%M",
    )  # fmt: skip
    zone = settings[1].text_input(
        "Time zone of naive times", questions.default_zone, key=f"zone-{file_id}",
        help="'local' (the policy's zone) or a name such as America/New_York",
    )  # fmt: skip
    name = settings[2].text_input(
        "Format name", questions.default_name, key=f"name-{file_id}",
        help=f"Lower-case letters, digits and _, at most {MAX_NAME_CHARS} characters: it names "
        "the format file",
    )  # fmt: skip
    answer = questions.answer(
        columns=columns, levels=levels, timestamp_format=stamp, zone=zone, name=name,
        null_values=null_values, events=events,
    )  # fmt: skip
    if answer.still_needed:
        ui.info("Still needed: " + "; ".join(answer.still_needed))
    return answer.choices


def _column_selects(questions: MappingQuestions, asked, prefix: str) -> dict[str, str]:
    """A header (or "not in this file") for each question, three to a row."""
    grid = st.columns(3)
    return {
        question.field: grid[index % 3].selectbox(
            question.label,
            questions.column_options,
            index=question.preselected,
            key=f"{prefix}-{question.field}",
        )
        for index, question in enumerate(asked)
    }


def _event_rules_form(
    questions: MappingQuestions,
    columns: dict[str, str],
    event_columns: dict[str, str],
    null_values: str,
    file_id: str,
) -> EventAnswers | None:
    """Which activities and statuses mean a response, a resolution, a reopen or a pause; None
    if a column chosen cannot hold them."""
    chosen: dict[str, list[str]] = {}
    for asked in (
        questions.activities(event_columns, null_values=null_values),
        questions.statuses(columns, null_values=null_values),
    ):
        if asked is None:
            continue
        if asked.problem:
            ui.error(asked.problem)
            return None
        st.markdown(f"**What the values of {ui.escaped(asked.column)} mean**")
        grid = st.columns(2)
        for index, rule in enumerate(asked.rules):
            chosen[rule.rule] = grid[index % 2].multiselect(
                rule.label,
                asked.values,
                default=rule.preselected,
                key=f"rule-{file_id}-{rule.rule}-{asked.column}",  # a new column: a new question
            )
    responds = chosen.get("responded_activities") or chosen.get("responded_when_status_not")
    no_responses = not responds and st.checkbox(
        "The log records no responses: store its cases unscored",
        key=f"no-responses-{file_id}",
    )
    return EventAnswers(event_columns, chosen, no_responses=no_responses)


def _severity_form(
    questions: MappingQuestions, columns: dict[str, str], file_id: str, policy, null_values: str
) -> dict[str, int | None] | None:
    """The level chosen for each severity label (None: not yet); None if the column chosen
    cannot be a severity."""
    severity = questions.severity(columns, policy, null_values=null_values)
    if severity is None:
        return {}
    if severity.problem:
        ui.error(severity.problem)
        return None
    st.markdown("**Severity labels**")
    grid = st.columns(4)
    return {
        question.label: grid[index % 4].selectbox(
            ui.escaped(question.label),
            severity.levels,
            index=question.preselected,
            format_func=severity.level_names.get,
            key=f"label-{file_id}-{question.label}",
            placeholder="Which level?",
        )
        for index, question in enumerate(severity.labels)
    }


def _describe(understood: Understood, file_id: str) -> None:
    st.markdown(f"Format: **{ui.escaped(understood.export_format.title)}** · {understood.summary}")
    if understood.unscored_warning:
        ui.warning(understood.unscored_warning)
    with st.expander("How it was read, and the mapping"):
        st.text("\n".join(understood.notes))
        mapping = views.mapping_used(understood.export_format, understood.header)
        st.dataframe(mapping, hide_index=True)
    if understood.accepted:
        st.caption(f"Preview (first {PREVIEW_ROWS} accepted cases, as they will be stored)")
        st.dataframe(understood.preview(), hide_index=True)
    if understood.rejected:
        ui.table(understood.rejects(), understood.rejects_name,
                 key=f"rejected-{file_id}")  # two uploads may share a name  # fmt: skip


def _import_button(session: UploadSession, ready: list[Understood], policy) -> None:
    save = any(f.mapping is not None for f in ready) and st.checkbox(
        "Save my mappings as format files (recognised by themselves next time)",
        key="save_formats",
    )
    source = st.text_input(
        "Source", key="import_source", placeholder="the format's name",
        help="The helpdesk these cases come from: case ids are unique per source, and "
        "importing under the same source again updates its cases.",
    ).strip() or None  # fmt: skip
    prepared = [f.prepared for f in ready]
    sources = [source or item.detection.format.name for item in prepared]
    # Said before anything is written; the import checks again in its own transaction.
    # Read once per data version, files and sources, not on every rerun of the page
    key = (
        ui.data_version(),
        tuple((item.checksum, s) for item, s in zip(prepared, sources, strict=True)),
    )
    known = st.session_state.get("overlaps")
    if known is None or known[0] != key:
        known = (key, find_overlaps(ui.engine(), overlap_files(prepared, sources)))
        st.session_state["overlaps"] = known
    overlaps = known[1]
    keep_both = False
    for overlap in overlaps:
        ui.error(overlap.message(update="Source: {source}", keep="tick Keep both"))
    if overlaps:
        keep_both = st.checkbox(
            "Keep both: store these case ids under this source too (each case is then "
            "counted once per source)", key="keep_both",
        )  # fmt: skip
    cases = sum(f.accepted for f in ready)
    if not st.button(f"Import {len(ready)} file(s): {cases:,} cases", type="primary",
                     key="import", disabled=bool(overlaps) and not keep_both):  # fmt: skip
        return

    def write(prepared):  # the page wires the store: the importer sits below it
        return import_prepared(ui.engine(), prepared, policy, user=ui.person().email,
                               source=source, keep_both=keep_both)  # fmt: skip

    with st.spinner("Importing (after any other import has finished)..."):
        outcome = session.import_files(write, ready, save_mappings=save,
                                       saved_by=ui.person().email)  # fmt: skip
    if isinstance(outcome, ImportFailed):
        ui.error(outcome.message)
        return
    for path in outcome.saved_formats:
        activity.log(ui.engine(), ui.person().email, "save_format", f"saved {Path(path).name}")
    ui.clear_caches()
    st.rerun()  # the sidebar (drawn before this page) then offers the new customers at once


def _last_import(session: UploadSession) -> None:
    imported = session.last_import()
    if imported is None:
        return
    for path in imported.saved_formats:
        # The file's name, not its folder on the server (visitors are not shown server paths).
        ui.info(f"Saved the mapping as the format {Path(path).stem!r}: exports like it are now "
                "recognised by themselves")  # fmt: skip
    for message in imported.unsaved_formats:
        ui.warning(message)
    ui.success(imported.message)
    ui.table(imported.summary(), "import-summary")


def _history() -> None:
    st.subheader("Import history")
    # Not cached: whether an import under way is still running is a question of now, which
    # no data version tells (one killed half-way changes nothing stored).
    history = views.import_history(ui.engine(), scope=ui.person().scope)
    if history.empty:
        st.caption("Nothing imported yet.")
        return
    # what a person scans, narrow enough for 1,500 px (the start, format and policy rules of
    # each import are in its notes and the database's import log)
    shown = history[["id", "file_name", "status", "source", "finished_at", "user_name",
                     "rows_read", "inserted", "updated", "unchanged", "rejected"]].rename(
        columns={"id": "Import", "finished_at": "Finished", "user_name": "By",
                 "rows_read": "Rows read", "inserted": "New"}
    )  # fmt: skip
    ui.table(shown.rename(columns=readable.header), "import-history", height=260,
             column_config=ui.narrow("Import", "Rows read", "New", "Updated", "Unchanged",
                                     "Rejected"))  # fmt: skip
    labels = rejected_imports(history)
    if not labels:
        return
    chosen = st.selectbox("Rejected rows of import", list(labels), format_func=labels.get,
                          key="rejects_of")  # fmt: skip
    if chosen is not None:
        rejects = ui.lookup(views.rejects_of_import, int(chosen)).rename(
            columns={"row_number": "Row", "record": "Record (the row as exported)"}
        )
        ui.table(rejects.rename(columns=readable.header), f"rejects-import-{chosen}")
    changes = ui.lookup(activity.recent)
    if not changes.empty:
        st.subheader("Re-scores and saved formats")
        ui.table(changes, "activity", height=200)


ui.guarded(page)
