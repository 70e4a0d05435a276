"""The Import page's session without Streamlit: a dict stands for st.session_state.

Each upload is kept once and prepared once per way of reading; what leaves the upload box
leaves the server; an import writes everything or nothing, saves mappings only after it
succeeded, and empties the session.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import warnings
import weakref
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.errors import DashboardError
from dashboard.importer import upload_session
from dashboard.importer.formats import FIELDS, format_by_name
from dashboard.importer.hand_mapping import NOT_IN_FILE
from dashboard.importer.new_format import EventChoices, MappingChoices
from dashboard.importer.upload_results import (
    Imported,
    ImportFailed,
    Refused,
    Understood,
    Unrecognised,
)
from dashboard.importer.upload_session import UploadSession, fingerprint, shipped_formats
from dashboard.importing import import_prepared
from dashboard.policy import parse_policy
from dashboard.store import WaitingWarning, cases, imports, open_database
from tests.helpers import policy_dict, vendor_policy

POLICY = vendor_policy()
LIMIT = 2**20
KNOWN = (
    b"case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,channel\n"
    b"N01,Hooli,Enterprise,P1,2026-03-10 09:00,2026-03-10 10:00,,open,portal\n"
    b"N02,Hooli,Enterprise,P2,2026-03-10 09:00,2026-03-10 18:00,,open,portal\n"
    b"N03,Hooli,Enterprise,P9,2026-03-10 09:00,,,open,portal\n"
)
UNKNOWN = (
    b"Ref;Client;Urgency;Logged;Replied\n"
    b"R-1;Umbrella;Sev A;10/03/2026 09:00;10/03/2026 09:30\n"
    b"R-2;Umbrella;Sev B;10/03/2026 09:00;11/03/2026 09:30\n"
)
# What a user answers for UNKNOWN on the page.
MAPPING = MappingChoices(
    name="custom_helpdesk",
    title="Mapped on the Import page (helpdesk.csv)",
    columns={"case_id": "Ref", "customer": "Client", "severity": "Urgency",
             "created_at": "Logged", "first_response_at": "Replied"},
    severity_labels={"Sev A": 1, "Sev B": 2},
    timestamp_format="%d/%m/%Y %H:%M",
)  # fmt: skip


@dataclass
class FakeUpload:
    """What Streamlit's UploadedFile offers the page, counting how often its bytes are read."""

    file_id: str
    name: str
    data: bytes
    reads: int = 0

    @property
    def size(self) -> int:
        return len(self.data)

    def getvalue(self) -> bytes:
        self.reads += 1
        return self.data


@pytest.fixture
def state():
    """The session's state; its upload folder is removed whatever the test did."""
    state: dict = {}
    yield state
    if upload_session.FOLDER in state:
        upload_session.uploads.remove_folder(Path(state[upload_session.FOLDER]))


@pytest.fixture
def session(state):
    return UploadSession(state)


@pytest.fixture
def preparations(monkeypatch):
    """Every prepare_file call the session makes: (file name, format forced or None)."""
    calls: list[tuple[str, str | None]] = []
    real = upload_session.prepare_file

    def counted(path, policy, *, forced=None):
        calls.append((Path(path).name, forced.name if forced else None))
        return real(path, policy, forced=forced)

    monkeypatch.setattr(upload_session, "prepare_file", counted)
    return calls


@pytest.fixture
def engine(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'cases.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture
def formats_dir(user_formats_dir):
    """Where saved mappings go: the test's own user formats folder (tests/conftest.py)."""
    return user_formats_dir


# Someone else's saved format, for exports with other headers, under the name MAPPING wants.
SOMEONE_ELSES = (
    'name = "custom_helpdesk"\n[detect]\nheaders = ["Other id", "Other level", "Other date"]\n'
    '[columns]\ncase_id = "Other id"\nseverity = "Other level"\ncreated_at = "Other date"\n'
)


def _writer(engine):
    """What the page hands in: dashboard.importing with its engine and policy."""
    return lambda prepared: import_prepared(engine, prepared, POLICY, user="test")


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


# -- the fingerprint -------------------------------------------------------------------------------

DIGEST = hashlib.sha256(KNOWN).hexdigest()


def test_the_fingerprint_is_stable_for_the_same_bytes_reading_and_rules():
    again = dataclasses.replace(MAPPING, columns=dict(MAPPING.columns))
    assert fingerprint(DIGEST, None, rules="r1") == fingerprint(DIGEST, None, rules="r1")
    assert fingerprint(DIGEST, MAPPING, rules="r1") == fingerprint(DIGEST, again, rules="r1")
    canonical = format_by_name("canonical")
    assert fingerprint(DIGEST, canonical, rules="r1") == fingerprint(
        DIGEST, format_by_name("canonical"), rules="r1"
    )


@pytest.mark.parametrize(
    "changed",
    [
        {"name": "other_name"},
        {"title": "Another title"},
        {"columns": {**MAPPING.columns, "customer": "Ref"}},
        {"severity_labels": {"Sev A": 1, "Sev B": 3}},
        {"zone": "UTC"},
        {"timestamp_format": "%m/%d/%Y %H:%M"},
        {"null_values": ("NULL",)},
    ],
    ids=lambda changed: next(iter(changed)),
)
def test_the_fingerprint_differs_when_any_mapping_choice_differs(changed):
    other = dataclasses.replace(MAPPING, **changed)
    assert fingerprint(DIGEST, other, rules="r1") != fingerprint(DIGEST, MAPPING, rules="r1")


def test_the_fingerprint_differs_when_an_event_logs_rules_differ():
    """An event log read with other rules is another reading (issue 12: mapped on the page)."""
    columns = {f: h for f, h in MAPPING.columns.items() if f != "first_response_at"}
    log = dataclasses.replace(
        MAPPING,
        columns=columns,
        events=EventChoices(timestamp="Replied", activity="Client",
                            responded_activities=("Umbrella",)),
    )  # fmt: skip
    no_responses = dataclasses.replace(log.events, activity=None, responded_activities=())
    other = dataclasses.replace(log, events=no_responses)
    per_case = dataclasses.replace(MAPPING, columns=columns)
    readings = {fingerprint(DIGEST, how, rules="r1") for how in (log, other, per_case)}
    assert len(readings) == 3


def test_the_fingerprint_differs_with_the_bytes_the_reading_or_the_rules():
    base = fingerprint(DIGEST, None, rules="r1")
    other_bytes = hashlib.sha256(KNOWN + b"\n").hexdigest()
    readings = [None, format_by_name("canonical"), format_by_name("zendesk"), MAPPING]
    assert fingerprint(other_bytes, None, rules="r1") != base
    assert fingerprint(DIGEST, None, rules="r2") != base
    assert len({fingerprint(DIGEST, how, rules="r1") for how in readings}) == len(readings)


# -- reading an upload -----------------------------------------------------------------------------


def test_a_known_export_is_understood(session, state):
    reading = session.read(FakeUpload("id-1", "new_cases.csv", KNOWN), POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Understood)
    assert (reading.accepted, reading.rejected) == (2, 1)
    assert reading.mapping is None
    assert reading.prepared.path.name == "new_cases.csv"
    assert reading.prepared.path.is_relative_to(state[upload_session.FOLDER])


def test_a_rerun_hands_back_the_same_prepared_file_without_reading_it_again(session, preparations):
    upload = FakeUpload("id-1", "new_cases.csv", KNOWN)
    first = session.read(upload, POLICY, limit_bytes=LIMIT)
    second = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert second.prepared is first.prepared
    assert preparations == [("new_cases.csv", None)]
    assert upload.reads == 1  # its bytes are copied to the server once


def test_another_upload_of_the_same_bytes_is_prepared_for_itself(session, preparations):
    first = session.read(FakeUpload("id-1", "a.csv", KNOWN), POLICY, limit_bytes=LIMIT)
    second = session.read(FakeUpload("id-2", "b.csv", KNOWN), POLICY, limit_bytes=LIMIT)
    assert second.prepared is not first.prepared
    assert second.prepared.path.name == "b.csv"  # imported (and named) as itself
    assert len(preparations) == 2


def test_another_way_of_reading_prepares_again_once(session, preparations):
    upload = FakeUpload("id-1", "new_cases.csv", KNOWN)
    detected = session.read(upload, POLICY, limit_bytes=LIMIT)
    canonical = shipped_formats()["canonical"]
    forced = session.read(upload, POLICY, limit_bytes=LIMIT, how=canonical)
    again = session.read(upload, POLICY, limit_bytes=LIMIT, how=canonical)
    assert forced.prepared is not detected.prepared
    assert again.prepared is forced.prepared
    assert forced.prepared.detection.forced
    assert forced.mapping is None  # a shipped format: nothing to save
    assert preparations == [("new_cases.csv", None), ("new_cases.csv", "canonical")]


def test_an_edited_policy_prepares_the_file_again(session, preparations):
    upload = FakeUpload("id-1", "new_cases.csv", KNOWN)
    first = session.read(upload, POLICY, limit_bytes=LIMIT)
    raw = policy_dict()
    raw["severity"][0]["response_hours"] = 5
    edited = parse_policy(raw, source="edited.toml")
    second = session.read(upload, edited, limit_bytes=LIMIT)
    assert second.prepared is not first.prepared
    assert len(preparations) == 2


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("payload.exe", 10, "payload.exe: not a file this page reads"),
        ("big.csv", 2 * LIMIT, "big.csv: 2 MB is over the upload limit of 1 MB"),
    ],
)
def test_a_refused_upload_is_not_even_kept(session, state, name, size, message):
    upload = FakeUpload("id-1", name, b"x" * size)
    reading = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Refused)
    assert reading.message.startswith(message)
    assert upload.reads == 0
    assert upload_session.FOLDER not in state


def test_an_unreadable_file_is_refused_naming_the_upload_not_the_folder(session):
    upload = FakeUpload("id-1", "binary.csv", bytes(range(256)) * 40)
    reading = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Refused)
    assert reading.message.startswith("binary.csv: ")
    assert "sla-upload-" not in reading.message


def test_an_upload_that_cannot_be_kept_is_refused(session, state, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    state[upload_session.FOLDER] = str(not_a_folder)
    reading = session.read(FakeUpload("id-1", "a.csv", KNOWN), POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Refused)
    assert reading.message.startswith("a.csv: cannot keep it on the server")
    del state[upload_session.FOLDER]


def test_an_unrecognised_export_asks_how_to_read_it(session):
    upload = FakeUpload("id-1", "helpdesk.csv", UNKNOWN)
    reading = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Unrecognised)
    assert reading.message.startswith("helpdesk.csv: ")
    assert "sla-upload-" not in reading.message
    assert reading.saved.path.read_bytes() == UNKNOWN
    # the page's way out is its form, not the command line's options
    assert reading.message.endswith(": pick its format, or map its columns by hand, below")
    assert "--map" not in reading.message


def test_an_unrecognised_event_log_is_offered_the_form_as_an_event_log(session):
    log = Path(__file__).resolve().parent.parent / "fixtures" / "helpdesk_process_mining.csv"
    upload = FakeUpload("id-1", "log.csv", log.read_bytes())
    reading = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Unrecognised)
    assert reading.message.startswith("log.csv: a process-mining event log")
    assert reading.message.endswith(": map it by hand below, as an event log")


def test_an_unrecognised_export_mapped_by_hand(session):
    upload = FakeUpload("id-1", "helpdesk.csv", UNKNOWN)
    unrecognised = session.read(upload, POLICY, limit_bytes=LIMIT)
    questions = session.mapping_questions(unrecognised)
    assert questions.column_options[1:] == ("Ref", "Client", "Urgency", "Logged", "Replied")
    answer = questions.answer(
        columns={f: MAPPING.columns.get(f, NOT_IN_FILE) for f in FIELDS},
        levels=dict(MAPPING.severity_labels),
        timestamp_format=MAPPING.timestamp_format,
        zone="local",
        name=questions.default_name,
    )
    assert answer.choices == MAPPING
    reading = session.read(upload, POLICY, limit_bytes=LIMIT, how=answer.choices)
    assert isinstance(reading, Understood)
    assert reading.accepted == 2
    assert reading.mapping == MAPPING  # offered to save as a format file


def test_a_shipped_format_that_does_not_fit_is_refused(session):
    upload = FakeUpload("id-1", "helpdesk.csv", UNKNOWN)
    reading = session.read(upload, POLICY, limit_bytes=LIMIT, how=shipped_formats()["zendesk"])
    assert isinstance(reading, Refused)
    assert reading.message.startswith("helpdesk.csv: ")


def test_a_file_that_cannot_be_read_for_mapping_is_refused(session):
    unrecognised = session.read(FakeUpload("id-1", "h.csv", UNKNOWN), POLICY, limit_bytes=LIMIT)
    unrecognised.saved.path.write_bytes(b"")  # emptied since (it cannot happen on the page)
    refused = session.mapping_questions(unrecognised)
    assert isinstance(refused, Refused)
    assert refused.message.startswith("h.csv: ")
    assert "sla-upload-" not in refused.message


def test_an_event_log_is_refused_before_anything_is_written(session):
    """Issue 12: as on the command line, a per-case format refuses repeated case ids."""
    upload = FakeUpload("id-1", "twice.csv", KNOWN + KNOWN.splitlines(keepends=True)[1])
    reading = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert reading == Refused(
        "twice.csv: case ids repeat ('N01' on rows 2 and 5): this looks like an event log (one "
        "row per change), which the canonical format reads one row per case; write a mapping "
        'with kind = "events" (see docs/event-logs.md) and use --map FILE'
    )


def test_an_upload_whose_every_row_is_rejected_is_read_but_not_importable(session):
    """Issue 12: its rejected rows are shown, and why, but there is nothing to import."""
    header, _, _, bad = KNOWN.splitlines(keepends=True)
    reading = session.read(FakeUpload("id-1", "bad.csv", header + bad), POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Understood)
    assert (reading.accepted, reading.rejected) == (0, 1)
    assert reading.unusable.startswith(
        "bad.csv: nothing stored: its only row was rejected; most common reason (1 row): "
        "severity 'P9': the policy has no level 9"
    )
    assert "sla-upload-" not in reading.unusable
    good = session.read(FakeUpload("id-2", "good.csv", KNOWN), POLICY, limit_bytes=LIMIT)
    assert good.unusable is None


# -- uploads taken out of the box ------------------------------------------------------------------


def test_an_upload_taken_out_leaves_the_server_and_the_memory(session, state, preparations):
    kept = FakeUpload("id-1", "a.csv", KNOWN)
    gone = FakeUpload("id-2", "b.csv", KNOWN)
    kept_path = session.read(kept, POLICY, limit_bytes=LIMIT).prepared.path
    gone_path = session.read(gone, POLICY, limit_bytes=LIMIT).prepared.path
    session.keep_only([kept])
    assert kept_path.exists()
    assert not gone_path.exists()
    assert list(state[upload_session.SAVED]) == ["id-1"]
    assert [key[0] for key in state[upload_session.PREPARED]] == ["id-1"]
    session.read(kept, POLICY, limit_bytes=LIMIT)
    assert len(preparations) == 2  # the one kept is not prepared again
    session.read(gone, POLICY, limit_bytes=LIMIT)  # dropped in again: kept and read afresh
    assert gone.reads == 2
    assert len(preparations) == 3


def test_forgetting_before_anything_was_kept_is_quiet(session, state):
    session.keep_only([])
    assert upload_session.FOLDER not in state


def test_a_kept_file_removed_behind_the_sessions_back_is_kept_again(session, state):
    upload = FakeUpload("id-1", "a.csv", KNOWN)
    session.read(upload, POLICY, limit_bytes=LIMIT)
    upload_session.uploads.remove_folder(Path(state[upload_session.FOLDER]))
    state[upload_session.PREPARED].clear()
    reading = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert isinstance(reading, Understood)
    assert upload.reads == 2


# -- a session's end (issue 13: uploads held by a session are released when it ends) ------------


def test_a_replaced_upload_leaves_the_server_and_the_memory(session, state):
    first = FakeUpload("id-1", "first.csv", KNOWN)
    reading = session.read(first, POLICY, limit_bytes=LIMIT)
    held, path = weakref.ref(reading.prepared), reading.prepared.path
    del reading
    second = FakeUpload("id-2", "second.csv", KNOWN)
    session.keep_only([second])  # the box now holds only the second file
    assert isinstance(session.read(second, POLICY, limit_bytes=LIMIT), Understood)
    assert not path.exists()
    gc.collect()
    assert held() is None  # the first file's frames are gone from memory too


def test_an_emptied_upload_box_lets_the_folder_go(session, state):
    session.read(FakeUpload("id-1", "a.csv", KNOWN), POLICY, limit_bytes=LIMIT)
    folder = Path(state[upload_session.FOLDER])
    session.keep_only([])
    assert not folder.exists()
    assert upload_session.FOLDER not in state


def test_the_folder_goes_with_the_sessions_state():
    """Streamlit runs no page code when a session ends: it lets the session's state go."""
    state: dict = {}
    UploadSession(state).read(FakeUpload("id-1", "a.csv", KNOWN), POLICY, limit_bytes=LIMIT)
    folder = Path(state[upload_session.FOLDER])
    assert folder.exists()
    del state
    gc.collect()
    assert not folder.exists()


def test_a_session_released_early_keeps_its_uploads_again_if_it_returns(state):
    """The page releases a session's folder when its browser disconnects; a session that
    reconnects (a network blip) saves its uploads again, without preparing them again."""
    releases = upload_session.uploads.FolderReleases()
    session = UploadSession(state, releases=releases)
    upload = FakeUpload("id-1", "a.csv", KNOWN)
    first = session.read(upload, POLICY, limit_bytes=LIMIT)
    folder = Path(state[upload_session.FOLDER])
    releases.release()  # Streamlit: the session's resources are released
    assert not folder.exists()
    again = session.read(upload, POLICY, limit_bytes=LIMIT)
    assert again.prepared is first.prepared
    assert upload.reads == 2  # saved again, into a folder of its own
    assert Path(state[upload_session.FOLDER]) != folder
    assert Path(state[upload_session.FOLDER]).exists()


# -- importing -------------------------------------------------------------------------------------


def _ready(session, *uploads: FakeUpload, how=None) -> list[Understood]:
    readings = [session.read(u, POLICY, limit_bytes=LIMIT, how=how) for u in uploads]
    assert all(isinstance(r, Understood) for r in readings)
    return readings


def test_an_import_lands_and_empties_the_session(session, state, engine):
    ready = _ready(session, FakeUpload("id-1", "new_cases.csv", KNOWN))
    folder = Path(state[upload_session.FOLDER])
    key = session.uploader_key
    outcome = session.import_files(_writer(engine), ready, save_mappings=False)
    assert isinstance(outcome, Imported)
    assert outcome.message == "Imported: new_cases.csv (2 new, 0 updated, 0 unchanged, 1 rejected)"
    assert outcome.saved_formats == ()
    assert _count(engine, cases) == 2
    # the files leave the server, the box is emptied (a new key), the outcome is remembered
    assert not folder.exists()
    assert session.uploader_key != key
    assert set(state) == {upload_session.ROUND, upload_session.LAST_IMPORT}
    assert session.last_import() == outcome


def test_the_stored_import_names_the_file_as_the_user_did(session, engine):
    ready = _ready(session, FakeUpload("id-1", "../../cases\x00.csv", KNOWN))
    outcome = session.import_files(_writer(engine), ready, save_mappings=False)
    assert outcome.files == ("cases_.csv",)
    with engine.connect() as connection:
        assert connection.execute(select(imports.c.file_name)).scalar_one() == "cases_.csv"


def test_a_mapping_is_saved_after_the_import_when_asked(session, engine, formats_dir):
    ready = _ready(session, FakeUpload("id-1", "helpdesk.csv", UNKNOWN), how=MAPPING)
    outcome = session.import_files(_writer(engine), ready, save_mappings=True)
    assert isinstance(outcome, Imported)
    assert outcome.saved_formats == (str(formats_dir / "custom_helpdesk.toml"),)
    assert 'case_id = "Ref"' in (formats_dir / "custom_helpdesk.toml").read_text()


def test_a_mapping_is_not_saved_unless_asked(session, engine, formats_dir):
    ready = _ready(session, FakeUpload("id-1", "helpdesk.csv", UNKNOWN), how=MAPPING)
    outcome = session.import_files(_writer(engine), ready, save_mappings=False)
    assert isinstance(outcome, Imported)
    assert list(formats_dir.iterdir()) == []


def test_a_mapping_whose_name_is_taken_stops_the_import_before_anything_is_written(
    session, state, engine, formats_dir
):
    (formats_dir / "custom_helpdesk.toml").write_text(SOMEONE_ELSES)
    ready = _ready(session, FakeUpload("id-1", "helpdesk.csv", UNKNOWN), how=MAPPING)
    before = dict(state)
    outcome = session.import_files(_writer(engine), ready, save_mappings=True)
    assert outcome == ImportFailed(
        "Nothing was imported: a format named 'custom_helpdesk' exists already; choose another name"
    )
    assert [p.name for p in formats_dir.iterdir()] == ["custom_helpdesk.toml"]
    assert _count(engine, imports) == 0
    assert state == before  # the files stay, ready for another try
    assert Path(state[upload_session.FOLDER]).exists()


def test_a_failed_import_saves_no_mapping(session, formats_dir):
    def failing(*args, **kwargs):
        raise DashboardError("the database is gone")

    ready = _ready(session, FakeUpload("id-1", "helpdesk.csv", UNKNOWN), how=MAPPING)
    outcome = session.import_files(failing, ready, save_mappings=True)
    assert outcome == ImportFailed("Nothing was imported: the database is gone")
    assert list(formats_dir.iterdir()) == []
    assert session.last_import() is None


def test_an_upload_storing_nothing_fails_the_whole_import(session, state, engine):
    header, _, _, bad = KNOWN.splitlines(keepends=True)
    ready = _ready(session, FakeUpload("id-1", "good.csv", KNOWN),
                   FakeUpload("id-2", "bad.csv", header + bad))  # fmt: skip
    outcome = session.import_files(_writer(engine), ready, save_mappings=False)
    assert isinstance(outcome, ImportFailed)
    assert outcome.message.startswith("Nothing was imported: bad.csv: nothing stored: ")
    assert (_count(engine, cases), _count(engine, imports)) == (0, 0)
    assert Path(state[upload_session.FOLDER]).exists()  # the files stay, to fix or take out


def test_two_files_import_together(session, engine):
    ready = _ready(session, FakeUpload("id-1", "a.csv", KNOWN),
                   FakeUpload("id-2", "b.csv", KNOWN.replace(b"N0", b"M0")))  # fmt: skip
    outcome = session.import_files(_writer(engine), ready, save_mappings=False)
    assert outcome.files == ("a.csv", "b.csv")
    assert _count(engine, cases) == 4


def test_waiting_for_another_import_is_left_to_the_pages_spinner(session, engine):
    """pytest turns warnings into errors here: a waiting warning that got out would fail."""

    def waits(prepared):
        warnings.warn(WaitingWarning("another import is writing"), stacklevel=1)
        return _writer(engine)(prepared)

    ready = _ready(session, FakeUpload("id-1", "new_cases.csv", KNOWN))
    assert isinstance(session.import_files(waits, ready, save_mappings=False), Imported)


def test_other_warnings_are_not_hidden(session, engine):
    def warns(prepared):
        warnings.warn(UserWarning("something else"), stacklevel=1)
        return _writer(engine)(prepared)

    ready = _ready(session, FakeUpload("id-1", "new_cases.csv", KNOWN))
    with pytest.warns(UserWarning, match="something else"):
        session.import_files(warns, ready, save_mappings=False)
