"""A mapping made from a user's choices reads the export it was made for, and every later one."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from dashboard.errors import DashboardWarning
from dashboard.importer import new_format
from dashboard.importer.formats import (
    FORMATS_DIR,
    FormatError,
    format_by_name,
    known_formats,
    load_format,
)
from dashboard.importer.new_format import (
    EventChoices,
    MappingChoices,
    build_format,
    format_document,
    save_format,
    suggest_columns,
    to_toml,
)
from dashboard.importer.prepare import prepare_file
from tests.helpers import vendor_policy

HEADERS = ["Ticket #", "Org", "Prio", "Opened (UTC)", "First reply", "Closed", "Why closed"]
EXPORT = (
    "Ticket #,Org,Prio,Opened (UTC),First reply,Closed,Why closed\n"
    "T-1,Acme,Sev A,02/03/2026 09:00,02/03/2026 10:30,,\n"
    "T-2,Globex,Sev C,02/03/2026 17:30,03/03/2026 09:15,04/03/2026 12:00,not_flux\n"
)
CHOICES = MappingChoices(
    name="homegrown_desk",
    title="Our homegrown desk",
    columns={
        "case_id": "Ticket #",
        "customer": "Org",
        "severity": "Prio",
        "created_at": "Opened (UTC)",
        "first_response_at": "First reply",
        "resolved_at": "Closed",
        "dismissal_reason": "Why closed",
    },
    severity_labels={"Sev A": 1, "Sev B": 2, "Sev C": 3, "Sev D": 4},
    zone="UTC",
    timestamp_format="%d/%m/%Y %H:%M",
)


def test_headers_are_guessed_by_their_usual_names():
    guesses = suggest_columns(
        ["Ticket ID", "Company", "Priority", "Created", "First Response", "Resolved At", "Status"]
    )
    assert guesses == {
        "case_id": "Ticket ID", "customer": "Company", "severity": "Priority",
        "created_at": "Created", "first_response_at": "First Response",
        "resolved_at": "Resolved At", "status": "Status",
    }  # fmt: skip
    assert suggest_columns(HEADERS).get("customer") is None  # "Org" is not a name we know


def test_the_saved_mapping_imports_the_export_and_is_detected_next_time(tmp_path):
    export = tmp_path / "desk.csv"
    export.write_text(EXPORT)
    path = save_format(CHOICES, folder=tmp_path)
    assert path.name == "homegrown_desk.toml"
    assert load_format(path).title == "Our homegrown desk"
    prepared = prepare_file(export, vendor_policy(), forced=load_format(path))
    cases = prepared.validated.cases.frame.set_index("case_id")
    assert cases.loc["T-1", "severity"] == 1
    assert cases.loc["T-2", "severity"] == 3
    assert cases.loc["T-2", "dismissal_reason"] == "not_flux"
    assert prepared.validated.rejects == []


def test_the_toml_written_is_what_a_person_would_write():
    document = format_document(CHOICES)
    text = to_toml(document)
    assert tomllib.loads(text) == document
    assert '[severity]\n"Sev A" = 1' in text
    assert 'case_id = "Ticket #"' in text
    assert "[[dismissal]]" in text


def test_awkward_labels_survive_the_round_trip():
    labels = {'P1 "now"': 1, "back\\slash": 2, "tab\there": 3, "ünïcode": 4}
    choices = MappingChoices(**{**CHOICES.__dict__, "severity_labels": labels})
    fmt, text = build_format(choices)
    assert tomllib.loads(text)["severity"] == labels
    assert fmt.severity_labels == {k.lower(): v for k, v in labels.items()}


def test_required_fields_and_names_are_checked(tmp_path):
    with pytest.raises(FormatError, match="needs a column for created_at"):
        format_document(MappingChoices("x", "X", {"case_id": "a", "severity": "b"}))
    with pytest.raises(FormatError, match="name: must be a lower-case identifier"):
        build_format(MappingChoices(**{**CHOICES.__dict__, "name": "Our Desk"}))
    save_format(CHOICES, folder=tmp_path)
    with pytest.raises(FormatError, match="'homegrown_desk' exists already"):
        save_format(CHOICES, folder=tmp_path)
    with pytest.raises(FormatError, match="'zendesk' exists already"):
        save_format(MappingChoices(**{**CHOICES.__dict__, "name": "zendesk"}))


# -- event logs (issue 12: mapping a process-mining log on the Import page) -----------------------

HELPDESK = Path(__file__).resolve().parent.parent / "fixtures" / "helpdesk_process_mining.csv"
# What a user answers on the page for the process-mining fixture.
EVENT_LOG = MappingChoices(
    name="helpdesk_log",
    title="Helpdesk process-mining log",
    columns={"case_id": "Case ID", "customer": "customer", "severity": "seriousness_2",
             "component": "product"},
    severity_labels={"Value 1": 4, "Value 2": 3, "Value 3": 2, "Value 4": 1},
    timestamp_format="%Y/%m/%d %H:%M:%S.%f",
    null_values=("NULL",),
    events=EventChoices(
        timestamp="Complete Timestamp",
        activity="Activity",
        responded_activities=("Take in charge ticket",),
        resolved_activities=("Resolve ticket",),
        reopened_activities=("Reopen ticket",),
        paused_activities=("Wait",),
        resumed_activities=("Take in charge ticket", "Resolve ticket", "Require upgrade"),
    ),
)  # fmt: skip


def test_an_event_log_mapping_is_an_events_format_file():
    document = format_document(EVENT_LOG)
    assert document["kind"] == "events"
    assert document["null_values"] == ["NULL"]
    # created_at is not needed: the first event creates the case
    assert document["detect"] == {"headers": ["Case ID", "seriousness_2", "Complete Timestamp",
                                              "Activity"]}  # fmt: skip
    assert document["events"] == {
        "timestamp": "Complete Timestamp",
        "activity": "Activity",
        "responded_activities": ["Take in charge ticket"],
        "resolved_activities": ["Resolve ticket"],
        "reopened_activities": ["Reopen ticket"],
        "paused_activities": ["Wait"],
        "resumed_activities": ["Take in charge ticket", "Resolve ticket", "Require upgrade"],
    }
    text = to_toml(document)
    assert tomllib.loads(text) == document
    assert 'kind = "events"\nnull_values = ["NULL"]\n' in text
    assert '\n[events]\ntimestamp = "Complete Timestamp"\n' in text


def test_an_event_log_mapping_saved_reads_the_process_mining_log(tmp_path):
    """choices -> TOML -> load_format -> prepare_file: the figures the shipped mapping gives
    (tests/importer/test_event_logs.py)."""
    path = save_format(EVENT_LOG, folder=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["helpdesk_log.toml"]  # no draft left
    fmt = load_format(path)
    assert fmt.kind == "events"
    prepared = prepare_file(HELPDESK, vendor_policy(), forced=fmt)
    assert prepared.validated.rejects == []
    assert "event log: 10 row(s) of 3 case(s); each case is derived from its events " in " ".join(
        prepared.notes
    )
    assert "first response: the first event with activity take in charge ticket" in prepared.notes
    frame = prepared.validated.cases.frame
    figures, resolution = prepared.figures, prepared.figures.resolution
    by_case = {
        case_id: {
            "severity": int(frame["severity"].iloc[i]),
            "response": int(figures.response_seconds[i]) if figures.has_response_time[i] else None,
            "resolution": int(resolution.seconds[i]) if resolution.has_time[i] else None,
            "paused": int(resolution.paused[i]) if resolution.has_time[i] else None,
            "reopens": int(frame["reopen_count"].iloc[i]),
        }
        for i, case_id in enumerate(frame["case_id"])
    }
    assert by_case == {
        # 09:00 -> taken 10:30; waiting 11:00 -> resolved 11:00 next day (9h) out of 11h
        "Case 1": {"severity": 3, "response": 5400, "resolution": 7200, "paused": 32400,
                   "reopens": 0},
        # resolved, then reopened: open again
        "Case 2": {"severity": 1, "response": 5400, "resolution": None, "paused": None,
                   "reopens": 1},
        "Case 3": {"severity": 2, "response": None, "resolution": None, "paused": None,
                   "reopens": 0},  # never taken in charge: unanswered
    }  # fmt: skip
    assert figures.status_names.tolist()[2] in ("pending", "breached")  # not unscored


def test_awkward_activity_values_survive_the_round_trip():
    awkward = ('Take "it" in charge', "back\\slash", "line\nbreak", "ünïcode")
    choices = dataclasses.replace(
        EVENT_LOG, events=dataclasses.replace(EVENT_LOG.events, responded_activities=awkward)
    )
    fmt, text = build_format(choices)
    assert tomllib.loads(text)["events"]["responded_activities"] == list(awkward)
    assert fmt.events.responded_activities == {a.lower() for a in awkward}


def test_an_event_log_that_records_no_responses_is_a_format_too():
    choices = dataclasses.replace(
        EVENT_LOG, events=dataclasses.replace(EVENT_LOG.events, responded_activities=())
    )
    fmt, _ = build_format(choices)
    assert not fmt.events.records_responses


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"paused_activities": ()}, "give both paused_activities and resumed_activities"),
        ({"resolved_statuses": ("Closed",)}, "the statuses the event rules name need a status"),
        ({"activity": None}, "events.activity: needed: the rules name activities"),
    ],
)
def test_an_event_log_mapping_the_parser_refuses_is_not_made(change, message):
    choices = dataclasses.replace(EVENT_LOG, events=dataclasses.replace(EVENT_LOG.events,
                                                                        **change))  # fmt: skip
    with pytest.raises(FormatError, match=message):
        build_format(choices)


def test_an_event_logs_first_response_is_not_a_column():
    choices = dataclasses.replace(
        EVENT_LOG, columns={**EVENT_LOG.columns, "first_response_at": "Complete Timestamp"}
    )
    with pytest.raises(FormatError, match="first response comes from its events"):
        format_document(choices)


# -- saving: read back before it is put in place --------------------------------------------------


def test_a_file_that_does_not_read_back_is_never_put_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr(new_format, "to_toml", lambda document: 'name = "homegrown_desk\n')
    with pytest.raises(FormatError, match=r"homegrown_desk\.toml: the TOML written does not read"):
        save_format(CHOICES, folder=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_loads_as_another_mapping_is_never_put_in_place(tmp_path, monkeypatch):
    real = new_format.load_format
    monkeypatch.setattr(new_format, "load_format",
                        lambda path: dataclasses.replace(real(path), zone="UTC+1"))  # fmt: skip
    with pytest.raises(FormatError, match="reads back as another mapping"):
        save_format(CHOICES, folder=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_name_taken_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    monkeypatch.setattr(new_format, "check_names", lambda choices, folder=None: None)
    (tmp_path / "homegrown_desk.toml").write_text("# someone else's\n")
    with pytest.raises(FormatError, match="'homegrown_desk' exists already"):
        save_format(CHOICES, folder=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["homegrown_desk.toml"]
    assert (tmp_path / "homegrown_desk.toml").read_text() == "# someone else's\n"


@pytest.mark.parametrize("title", ["evil\x01.csv", "line\nfeed.csv", "bell\x07\x7f.csv"])
def test_a_title_with_control_characters_saves_a_file_that_reads(tmp_path, title):
    """Issue 13, finding 2: an upload named `evil\\x01.csv` went into the file's comment as it
    was, and TOML refuses control characters in comments: no format file could be read."""
    path = save_format(dataclasses.replace(CHOICES, title=title), folder=tmp_path)
    assert load_format(path).title == title  # the title itself is kept, escaped
    tomllib.loads(path.read_text(encoding="utf-8"))


def test_a_broken_format_file_is_skipped_with_a_warning_naming_it(tmp_path, monkeypatch):
    from dashboard.errors import DashboardWarning
    from dashboard.importer import formats

    for path in formats.FORMATS_DIR.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "broken.toml").write_text("# evil\x01\nname = 'broken'\n", encoding="utf-8")
    (tmp_path / "zz_copy.toml").write_bytes((tmp_path / "zendesk.toml").read_bytes())
    monkeypatch.setattr(formats, "FORMATS_DIR", tmp_path)
    with pytest.warns(DashboardWarning) as warned:
        names = [f.name for f in formats.builtin_formats()]
    messages = [str(w.message) for w in warned]
    assert any("broken.toml: not valid TOML" in m for m in messages)
    assert any("zz_copy.toml: another file already names the format 'zendesk'" in m
               for m in messages)  # fmt: skip
    assert "zendesk" in names
    assert "servicenow_events" in names


# A mapping reading number/priority/opened_at: headers the shipped ServiceNow format reads.
CUSTOM_SN = dataclasses.replace(
    CHOICES,
    name="custom_sn",
    columns={"case_id": "number", "severity": "priority", "created_at": "opened_at"},
    severity_labels={"P1": 1, "P2": 2, "P3": 3, "P4": 4},
)


def test_a_mapping_with_a_shipped_formats_headers_is_refused_before_anything_is_saved():
    """Issue 13: a saved `custom_sn` reading number/priority/opened_at made every real
    ServiceNow list export ambiguous (two formats, the same headers)."""
    with pytest.raises(FormatError) as refused:
        new_format.check_names([CUSTOM_SN])
    assert "headers the ServiceNow incident list export (servicenow) format already reads" in (
        str(refused.value)
    )
    new_format.check_names([CHOICES])  # headers no shipped format reads: fine


# -- the user's formats folder: saved formats live outside the package (issue 13) ---------------
# tests/conftest.py points $SLA_FORMATS_DIR at an empty folder of each test's own.


def test_a_saved_format_goes_to_the_users_folder_and_is_detected_from_there(
    user_formats_dir, tmp_path
):
    shipped = sorted(FORMATS_DIR.iterdir())
    path = save_format(CHOICES)
    assert path == user_formats_dir / "homegrown_desk.toml"
    assert sorted(FORMATS_DIR.iterdir()) == shipped  # nothing written beside the built-in ones
    export = tmp_path / "desk.csv"
    export.write_text(EXPORT)
    prepared = prepare_file(export, vendor_policy())  # not forced: detected by its headers
    assert prepared.detection.format.name == "homegrown_desk"
    assert prepared.validated.rejects == []
    assert format_by_name("homegrown_desk").source_file == str(path)  # --format knows it


def test_the_users_folder_is_made_when_a_format_is_first_saved(user_formats_dir, monkeypatch):
    folder = user_formats_dir / "sla-dashboard" / "formats"
    monkeypatch.setenv("SLA_FORMATS_DIR", str(folder))
    assert save_format(CHOICES) == folder / "homegrown_desk.toml"


def test_a_broken_file_in_the_users_folder_is_skipped_with_a_warning_naming_it(
    user_formats_dir, tmp_path
):
    save_format(CHOICES)
    (user_formats_dir / "broken.toml").write_text("# evil\x01\nname = 'broken'\n")
    export = tmp_path / "desk.csv"
    export.write_text(EXPORT)
    with pytest.warns(DashboardWarning) as warned:
        prepared = prepare_file(export, vendor_policy())
    [message] = [str(w.message) for w in warned]
    assert message.startswith(
        f"format file skipped: {user_formats_dir / 'broken.toml'}: not valid TOML: "
    )
    assert prepared.detection.format.name == "homegrown_desk"  # the other files still read


def test_a_users_file_naming_a_builtin_or_reading_its_exports_is_skipped_with_a_warning(
    user_formats_dir,
):
    """Copied by hand past the Import page's checks: skipped, the built-in format kept."""
    (user_formats_dir / "my_zendesk.toml").write_bytes((FORMATS_DIR / "zendesk.toml").read_bytes())
    (user_formats_dir / "custom_sn.toml").write_text(build_format(CUSTOM_SN)[1])
    with pytest.warns(DashboardWarning) as warned:
        names = [f.name for f in known_formats()]
    custom_sn, my_zendesk = [str(w.message) for w in warned]  # in file name order
    assert custom_sn.startswith(
        f"format file skipped: {user_formats_dir / 'custom_sn.toml'}: identifies files by "
        "headers the built-in ServiceNow incident list export (servicenow) format already reads"
    )
    assert my_zendesk == (
        f"format file skipped: {user_formats_dir / 'my_zendesk.toml'}: names the built-in "
        "format 'zendesk'"
    )
    assert names.count("zendesk") == 1
    assert "custom_sn" not in names
    with pytest.warns(DashboardWarning):
        assert format_by_name("zendesk").source_file == str(FORMATS_DIR / "zendesk.toml")


def test_saving_a_format_a_builtin_or_saved_one_already_is_refused_writing_nothing(
    user_formats_dir,
):
    with pytest.raises(FormatError, match="a format named 'zendesk' exists already"):
        save_format(dataclasses.replace(CHOICES, name="zendesk"))
    with pytest.raises(FormatError, match=r"the ServiceNow incident list export \(servicenow\)"):
        save_format(CUSTOM_SN)
    assert list(user_formats_dir.iterdir()) == []
    save_format(CHOICES)
    # the user's own formats count too: a second mapping of the same export is refused
    with pytest.raises(FormatError, match=r"Our homegrown desk \(homegrown_desk\) format"):
        save_format(dataclasses.replace(CHOICES, name="homegrown_again"))
    assert [p.name for p in user_formats_dir.iterdir()] == ["homegrown_desk.toml"]


# -- issue 13, edges: a name too long for a file, a folder that cannot be written --------------


def test_a_format_name_too_long_for_a_file_name_is_refused_naming_the_limit(tmp_path):
    """A 251-character name made NAME.toml 256 bytes, over the 255 every file system allows:
    the import landed, then saving failed with an OSError traceback."""
    too_long = dataclasses.replace(CHOICES, name="a" * 251)
    limit = r"is 251 characters long: at most 100 \(it names the format's file\)"
    with pytest.raises(FormatError, match=limit):
        new_format.check_names([too_long], tmp_path)
    with pytest.raises(FormatError, match=limit):
        save_format(too_long, tmp_path)
    with pytest.raises(FormatError, match=limit):
        build_format(too_long)  # what the Import page reads the upload with
    assert list(tmp_path.iterdir()) == []
    longest = dataclasses.replace(CHOICES, name="a" * new_format.MAX_NAME_CHARS)
    assert save_format(longest, tmp_path).name == "a" * 100 + ".toml"


def refuse_writes(monkeypatch) -> None:
    """Writing in the formats folder fails as in a read-only one (the way to test it as root,
    who may write anywhere)."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(new_format, "_write_draft", refuse)


@pytest.mark.parametrize(
    ("how", "reason"),
    [("refused write", "Permission denied"), ("not a folder", "Not a directory")],
)
def test_a_folder_that_cannot_be_written_is_refused_before_saving(
    tmp_path, monkeypatch, how, reason
):
    """Two ways a folder refuses writes that hold for root too (CI runs as root, who writes in
    a chmod 555 folder): the write refused, and a path that the OS says is no folder."""
    folder = tmp_path / "formats"
    if how == "not a folder":
        blocker = tmp_path / "a-file"
        blocker.write_text("a file where a folder should be")
        folder = blocker / "formats"
    else:
        folder.mkdir()
        refuse_writes(monkeypatch)
    message = (
        r"cannot save the mapping as a format file: the formats folder cannot be "
        rf"written \({reason}\)"
    )
    with pytest.raises(FormatError, match=message) as refused:
        new_format.check_names([CHOICES], folder)
    assert str(folder) not in str(refused.value)  # the page shows it: no server path
    with pytest.raises(FormatError, match=message):
        save_format(CHOICES, folder)
    new_format.check_names([], folder)  # nothing to save: nothing to refuse
    if how == "not a folder":
        assert blocker.read_text() == "a file where a folder should be"
    else:
        assert list(folder.iterdir()) == []
