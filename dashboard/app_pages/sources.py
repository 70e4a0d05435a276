"""Data sources: where the stored cases come from (each source's cases, span, imports and
formats), and, for an admin, removing a whole source (dashboard/sources.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import readable, sources, ui, views
from dashboard.errors import DashboardError

DONE = "sources_done"  # a removal's message, said once the page is drawn again without it


def page() -> None:
    st.title("Data sources")
    if DONE in st.session_state:
        ui.success(st.session_state.pop(DONE))
    person = ui.person()
    listed = ui.lookup(sources.sources)
    st.caption(
        "Each source is a helpdesk the cases come from; a case id is unique within its "
        "source, and an import never stores one case under two sources without being asked."
    )
    if listed.empty:
        st.info("No case stored yet: import an export on the Import page.")
        return
    table = pd.DataFrame(
        {
            "Source": listed["source"],
            "Cases": listed["cases"],
            "Unscored": listed["unscored"],
            "First created": listed["first_day"].map(str),
            "Last created": listed["last_day"].map(str),
        }
    )
    if person.scope is None:  # imports span customers: only a person who sees them all
        table = table.assign(
            **{
                "Imports": listed["imports"].map(readable.count),
                "Last import": pd.to_datetime(listed["last_import_at"], utc=True),
                "Last file": listed["last_file"].fillna(readable.MISSING),
                "By": listed["last_user"].fillna(readable.MISSING),
                "Formats": listed["formats"].fillna(readable.MISSING),
            }
        )
    ui.table(table, "data-sources")
    if person.may_change_data:
        _remove(listed)
        _remove_import()


def _remove(listed: pd.DataFrame) -> None:
    st.subheader("Remove a source")
    st.caption(
        "Deletes every case of the source, their histories and its rejected rows, in one "
        "step; the import log keeps its lines and the removal is recorded with your name. "
        "Re-importing its exports brings the cases back."
    )
    held = dict(zip(listed["source"], listed["cases"], strict=True))
    source = st.selectbox("Source to remove", list(held), index=None, key="remove_source",
                          placeholder="Pick a source")  # fmt: skip
    if source is None:
        return
    typed = st.text_input(f"Type {source!r} to confirm removing its {held[source]:,} case(s)",
                          key="remove_confirm")  # fmt: skip
    if not st.button("Remove the source", type="primary", key="remove",
                     disabled=typed.strip() != source):  # fmt: skip
        return
    removed = sources.remove_source(ui.engine(), source, ui.person().email)
    _done(sources.said(removed.message()))


def _remove_import() -> None:
    st.subheader("Remove one import")
    st.caption(
        "Deletes the cases one import brought in and its rejected rows, and marks its line in "
        "the import log as removed. Only the last import of a source can go alone (a later "
        "one may hold the same cases), and not one that updated earlier cases or stored case "
        "histories: remove the source instead."
    )
    history = views.import_history(ui.engine(), scope=ui.person().scope)
    done = history[history["status"] == "finished"]
    labels = {int(r.id): f"{r.id} · {r.file_name} · {r.source} · {r.finished_at:%Y-%m-%d %H:%M}"
              for r in done.itertuples()}  # fmt: skip
    chosen = st.selectbox("Import to remove", list(labels), index=None, format_func=labels.get,
                          key="remove_import", placeholder="Pick an import")  # fmt: skip
    if chosen is None:
        return
    typed = st.text_input(f"Type {chosen} to confirm", key="remove_import_confirm")
    if not st.button("Remove the import", key="remove_import_button",
                     disabled=typed.strip() != str(chosen)):  # fmt: skip
        return
    try:
        removed = sources.remove_import(ui.engine(), chosen, ui.person().email)
    except DashboardError as exc:
        ui.error(str(exc))
        return
    _done(sources.said(removed.message()))


def _done(message: str) -> None:
    """Draw the page again, the removed source or import gone from it, saying what went."""
    ui.clear_caches()
    for key in ("remove_source", "remove_confirm", "remove_import", "remove_import_confirm"):
        st.session_state.pop(key, None)  # the choices made refer to what is gone
    st.session_state[DONE] = message
    st.rerun()


ui.guarded(page)
