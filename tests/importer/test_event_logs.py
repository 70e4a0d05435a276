"""Event-log formats (kind = "events"): reading, rejecting, storing, explaining and deriving
again. The derivation rules themselves are checked against a slow reference in
tests/test_event_histories.py; these are the paths around them."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard.cli import main
from dashboard.errors import DashboardError
from dashboard.explain import case_history, explain_case, find_case
from dashboard.importer.formats import FormatError, parse_format
from dashboard.importer.prepare import choose_format, prepare_file
from dashboard.importing import import_prepared, stale_cases
from dashboard.policy import load_policy, parse_policy
from dashboard.recompute import recompute_stored
from dashboard.store import case_events, cases
from tests.helpers import at, utc

ROOT = Path(__file__).resolve().parent.parent.parent
HELPDESK = ROOT / "tests" / "fixtures" / "helpdesk_process_mining.csv"
HELPDESK_MAP = ROOT / "data" / "mappings" / "process_mining_helpdesk.toml"
SN_HEADER = (
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,"
    "contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,"
    "assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,"
    "vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at"
)


def sn_row(number, state, mod, updated, *, priority="3 - Moderate", made_sla="true",
           opened="1/3/2016 09:00", resolved="?", closed="?") -> str:  # fmt: skip
    """One audit-trail row; the columns the rules do not read are as the real log writes."""
    return (
        f"{number},{state},true,0,0,{mod},{made_sla},Caller 1,Opened by 1,{opened},"
        f"Created by 1,{opened},Updated by 1,{updated},Phone,Location 1,Category 1,"
        f"Subcategory 1,Symptom 1,?,2 - Medium,2 - Medium,{priority},Group 1,?,true,false,"
        f"Do Not Notify,?,?,?,?,code 5,Resolved by 1,{resolved},{closed}"
    )


def write(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([SN_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def stored(engine, *columns):
    with engine.connect() as connection:
        return connection.execute(select(*columns).order_by(cases.c.case_id)).all()


# -- the ServiceNow audit trail ---------------------------------------------------------------


def test_the_servicenow_audit_trail_is_detected_and_read_with_no_options(tmp_path):
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "Active", 1, "1/3/2016 10:30"),
        sn_row("INC1", "New", 0, "1/3/2016 09:05"),  # out of order in the file
    ])  # fmt: skip
    prepared = prepare_file(path, load_policy())
    assert prepared.detection.format.name == "servicenow_events"
    assert prepared.validated.read == 2
    assert not prepared.validated.rejects
    [case] = prepared.validated.cases.frame.itertuples()
    assert case.event_count == 2
    assert prepared.validated.cases.created_at[0] == at("2016-03-01 09:00")
    # "?" is empty, not a date nor a severity; minutes without seconds are read
    assert prepared.validated.cases.first_response_at[0] == at("2016-03-01 10:30")
    assert not prepared.validated.cases.has_resolved_at[0]
    assert any("event log: 2 row(s) of 1 case(s)" in note for note in prepared.notes)


def test_an_unreadable_event_rejects_its_whole_case_naming_the_row(tmp_path):
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:05"),
        sn_row("INC1", "Active", 1, "31/2/2016 10:30"),  # no such day
        sn_row("INC2", "New", 0, "1/3/2016 09:05"),
    ])  # fmt: skip
    prepared = prepare_file(path, load_policy())
    assert list(prepared.validated.cases.frame["case_id"]) == ["INC2"]
    reasons = {r.row: r.reason for r in prepared.validated.rejects}
    assert "31/2/2016 10:30" in reasons[3]
    assert reasons[2] == "case INC1: another event of the case (row 3) was rejected"
    assert set(prepared.events["case_id"]) == {"INC2"}


def test_a_case_no_event_of_which_gives_a_severity_is_rejected(tmp_path):
    path = write(tmp_path, "log.csv", [sn_row("INC1", "New", 0, "1/3/2016 09:05", priority="?")])
    prepared = prepare_file(path, load_policy())
    [reject] = prepared.validated.rejects
    assert reject.reason == "case INC1: no event of the case gives a severity"


def test_a_later_export_adds_its_new_events_and_the_case_is_derived_again(engine, tmp_path):
    policy = load_policy()
    first = write(tmp_path, "march.csv", [sn_row("INC1", "New", 0, "1/3/2016 09:05")])
    later = write(tmp_path, "april.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:05"),  # exported again: the same event
        sn_row("INC1", "Active", 1, "1/3/2016 15:00"),
        sn_row("INC1", "Resolved", 2, "2/3/2016 10:00", resolved="2/3/2016 10:00"),
    ])  # fmt: skip
    import_prepared(engine, [prepare_file(first, policy)], policy, source="sn")
    [(responded, count)] = stored(engine, cases.c.first_response_at, cases.c.event_count)
    assert responded is None
    assert count == 1
    [report] = import_prepared(engine, [prepare_file(later, policy)], policy, source="sn")
    assert report.updated == 1
    [(responded, resolved, count, seconds)] = stored(
        engine, cases.c.first_response_at, cases.c.resolved_at, cases.c.event_count,
        cases.c.resolution_business_seconds,
    )  # fmt: skip
    assert responded == dt.datetime.fromtimestamp(at("2016-03-01 15:00"), dt.UTC)
    assert resolved == dt.datetime.fromtimestamp(at("2016-03-02 10:00"), dt.UTC)
    assert count == 3
    assert seconds == 10 * 3600  # 09:00-18:00 and 09:00-10:00
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(case_events)).scalar() == 3


def test_recompute_derives_the_cases_again_under_a_new_severity_rule(engine, tmp_path):
    policy = load_policy()
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:00", priority="4 - Low"),
        sn_row("INC1", "New", 1, "1/3/2016 10:00", priority="1 - Critical"),
        sn_row("INC1", "Active", 2, "1/3/2016 16:00", priority="1 - Critical"),
    ])  # fmt: skip
    import_prepared(engine, [prepare_file(path, policy)], policy, source="sn")
    assert stored(engine, cases.c.severity, cases.c.response_status) == [(1, "breached")]
    raw = _raw_policy()
    raw["scoring"] = {"severity": "initial"}
    initial = parse_policy(raw, source="initial.toml")
    assert stale_cases(engine, initial) == 1
    recompute_stored(engine, initial)
    assert stored(engine, cases.c.severity, cases.c.response_status) == [(4, "met")]
    raw["scoring"] = {"severity": "escalation"}  # 1 - Critical from 10:00: 4h to 14:00
    escalation = parse_policy(raw, source="escalation.toml")
    recompute_stored(engine, escalation)
    assert stored(engine, cases.c.severity, cases.c.target_seconds, cases.c.response_status) == [
        (1, 5 * 3600, "breached")
    ]


def test_explain_shows_the_history_in_line_and_the_resolution(engine, tmp_path):
    raw = _raw_policy()
    raw["pauses"] = {"statuses": ["Awaiting User Info"]}
    policy = parse_policy(raw, source="pauses.toml")
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:00"),
        sn_row("INC1", "Active", 1, "1/3/2016 11:00"),
        sn_row("INC1", "Awaiting User Info", 2, "1/3/2016 12:00"),
        sn_row("INC1", "Active", 3, "2/3/2016 12:00"),
        sn_row("INC1", "Resolved", 4, "2/3/2016 13:00", resolved="2/3/2016 13:00"),
    ])  # fmt: skip
    import_prepared(engine, [prepare_file(path, policy)], policy, source="sn")
    case = find_case(engine, "INC1")
    explained = explain_case(case, policy, at("2016-03-10 12:00"), case_history(engine, case))
    text = "\n".join(explained.lines)
    assert "event     Tue 01 Mar 2016 11:00  status Active, first response" in text
    assert text.index("status Active, first response") < text.index("answered")
    assert "status Awaiting User Info, resolution clock paused" in text
    assert "resolution time 4h 00m business hours, 9h 00m paused" in text
    assert explained.resolution_seconds == 4 * 3600
    assert explained.paused_seconds == 9 * 3600
    assert [e["note"] for e in explained.as_json()["events"]][-1] == "status Resolved"


# -- a process-mining log with its own mapping -------------------------------------------------


def test_a_process_mining_log_is_read_with_a_mapping_naming_its_activities(engine):
    policy = load_policy()
    prepared = prepare_file(HELPDESK, policy, forced=choose_format(None, HELPDESK_MAP))
    import_prepared(engine, [prepared], policy, source="helpdesk")
    rows = stored(
        engine, cases.c.case_id, cases.c.severity, cases.c.response_business_seconds,
        cases.c.resolution_business_seconds, cases.c.paused_business_seconds,
        cases.c.reopen_count, cases.c.event_count,
    )  # fmt: skip
    assert rows == [
        # 09:00 -> taken 10:30; waiting 11:00 -> resolved 11:00 next day (9h) out of 11h
        ("Case 1", 3, 5400, 2 * 3600, 9 * 3600, 0, 5),
        # Thu 17:00 -> Fri 09:30; resolved then reopened: open again
        ("Case 2", 1, 5400, None, None, 1, 4),
        ("Case 3", 2, None, None, None, 0, 1),
    ]


def test_the_process_mining_mapping_reads_through_the_cli(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'pm.sqlite'}"
    assert main(["import", "--db", db, "--map", str(HELPDESK_MAP), str(HELPDESK)]) == 0
    out = capsys.readouterr().out
    assert "10 read, 3 inserted" in out
    assert "first response: the first event with activity take in charge ticket" in out


def test_a_log_whose_format_names_no_response_rule_is_unscored_also_when_derived_again(
    engine, tmp_path
):
    """The note said "cases are stored unscored" while they were judged unanswered (breached
    or pending): a log that records no responses says nothing about them."""
    policy = load_policy()
    text = HELPDESK_MAP.read_text(encoding="utf-8")
    no_responses = tmp_path / "no_responses.toml"
    no_responses.write_text(text.replace('responded_activities = ["Take in charge ticket"]', ""))
    fmt = choose_format(None, no_responses)
    assert not fmt.events.records_responses

    def verdicts():
        return stored(engine, cases.c.case_id, cases.c.response_recorded, cases.c.response_status,
                      cases.c.resolution_business_seconds)  # fmt: skip

    prepared = prepare_file(HELPDESK, policy, forced=fmt)
    assert "first response: this log names no response event; cases are stored unscored" in (
        prepared.notes
    )
    assert prepared.figures.status_names.tolist() == ["unscored"] * 3
    import_prepared(engine, [prepared], policy, source="helpdesk")
    unscored = [("Case 1", False, "unscored", 7200), ("Case 2", False, "unscored", None),
                ("Case 3", False, "unscored", None)]  # fmt: skip
    assert verdicts() == unscored
    # the same log again: its cases are derived again from the merged history
    import_prepared(engine, [prepare_file(HELPDESK, policy, forced=fmt)], policy,
                    source="helpdesk")  # fmt: skip
    assert verdicts() == unscored
    recompute_stored(engine, policy, everything=True)
    assert verdicts() == unscored


# -- the format file ---------------------------------------------------------------------------

EVENTS = {
    "name": "acme_log",
    "kind": "events",
    "detect": {"headers": ["Case", "Activity", "When"]},
    "columns": {"case_id": "Case", "severity": "Prio"},
    "events": {"timestamp": "When", "activity": "Activity", "responded_activities": ["Reply"]},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "log"}, "kind: must be one of cases, events (got 'log')"),
        ({"events": {"activity": "A"}}, "events.timestamp: missing: the column saying when"),
        (
            {"events": {"timestamp": "When", "responded_activities": ["Reply"]}},
            "events.activity: needed: the rules name activities",
        ),
        (
            {"events": {"timestamp": "When", "activity": "A", "paused_activities": ["Wait"]}},
            "give both paused_activities and resumed_activities",
        ),
        ({"events": {"timestamp": "When", "colour": 1}}, "events.colour: unknown key"),
        ({"null_values": "?"}, "null_values: must be a list of values meaning empty"),
    ],
)
def test_a_bad_event_log_mapping_is_refused_naming_key_and_value(change, message):
    raw = copy.deepcopy(EVENTS)
    raw.update(change)
    with pytest.raises(FormatError) as refused:
        parse_format(raw, source="acme.toml")
    assert message in str(refused.value)


def test_an_events_table_belongs_to_an_event_log_mapping_only():
    raw = copy.deepcopy(EVENTS)
    raw["kind"] = "cases"
    raw["columns"]["created_at"] = "When"
    with pytest.raises(FormatError, match='events: only for kind = "events"'):
        parse_format(raw, source="acme.toml")


def _raw_policy() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "data" / "policy.toml").read_text(encoding="utf-8"))


def test_a_process_mining_log_without_a_mapping_is_refused_saying_how_to_read_it(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'pm.sqlite'}"
    assert main(["import", "--db", db, str(HELPDESK)]) == 2
    err = capsys.readouterr().err
    assert "a process-mining event log (row 1 has 'Case ID', 'Activity'" in err
    assert "copy data/mappings/process_mining_helpdesk.toml" in err
    assert len(err.strip().splitlines()) == 1


def test_the_import_page_says_an_upload_is_an_event_log_and_what_it_makes(tmp_path):
    from dashboard.importer.upload_results import Understood

    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:05"),
        sn_row("INC1", "Active", 1, "1/3/2016 10:30"),
        sn_row("INC2", "New", 0, "1/3/2016 09:05"),
        sn_row("INC3", "New", 0, "31/2/2016 09:05"),
    ])  # fmt: skip
    understood = Understood(prepare_file(path, load_policy()))
    assert understood.summary == (
        "an event log: 4 rows of 3 cases, each derived from its history · 2 cases accepted · "
        "1 rows rejected"
    )
    assert list(understood.preview()["event_count"]) == [2, 1]


# -- found in review -----------------------------------------------------------------------------


def test_a_log_read_again_under_changed_rules_is_read_anew_not_stored_twice(engine, tmp_path):
    """An event's key is what the file says, not what the rules make of it."""
    policy = load_policy()
    changed = tmp_path / "changed.toml"
    changed.write_text(
        HELPDESK_MAP.read_text(encoding="utf-8").replace(
            'responded_activities = ["Take in charge ticket"]',
            'responded_activities = ["Resolve ticket"]',
        ),
        encoding="utf-8",
    )
    for mapping in (HELPDESK_MAP, changed):
        prepared = prepare_file(HELPDESK, policy, forced=choose_format(None, mapping))
        import_prepared(engine, [prepared], policy, source="helpdesk")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(case_events)).scalar() == 10
    rows = stored(engine, cases.c.case_id, cases.c.first_response_at, cases.c.event_count)
    assert rows[0] == (
        "Case 1",
        dt.datetime.fromtimestamp(at("2016-03-02 11:00"), dt.UTC),
        5,
    )  # the resolution now answers it, as a first import under these rules would say


def test_a_case_with_no_creation_is_refused_whatever_else_the_file_holds(engine, tmp_path):
    policy = load_policy()
    first = write(tmp_path, "first.csv", [sn_row("INC3", "New", 0, "1/3/2016 09:05")])
    second = write(tmp_path, "second.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:05", opened="?"),
        sn_row("INC3", "Active", 1, "1/3/2016 10:05"),
    ])  # fmt: skip
    import_prepared(engine, [prepare_file(first, policy)], policy, source="sn")
    prepared = prepare_file(second, policy)
    [reject] = prepared.validated.rejects
    assert reject.reason == "case INC1: no event of the case gives created_at"
    [report] = import_prepared(engine, [prepared], policy, source="sn")
    assert (report.read, report.updated, report.rejected) == (2, 1, 1)
    assert [row[0] for row in stored(engine, cases.c.case_id)] == ["INC3"]
    alone = write(tmp_path, "alone.csv", [sn_row("INC1", "New", 0, "1/3/2016 09:05", opened="?")])
    [reject] = prepare_file(alone, policy).validated.rejects
    assert reject.reason == "case INC1: no event of the case gives created_at"


def test_an_event_without_a_status_after_resolved_is_no_reopen(tmp_path):
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:05"),
        sn_row("INC1", "Resolved", 1, "1/3/2016 10:00", resolved="1/3/2016 10:00"),
        sn_row("INC1", "?", 2, "1/3/2016 11:00", resolved="1/3/2016 10:00"),
        sn_row("INC1", "Closed", 3, "2/3/2016 10:00", resolved="1/3/2016 10:00"),
    ])  # fmt: skip
    prepared = prepare_file(path, load_policy())
    assert prepared.validated.cases.frame["reopen_count"].tolist() == [0]


def test_recompute_refuses_a_policy_without_a_level_a_history_holds(engine, tmp_path):
    policy = load_policy()
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:00", priority="4 - Low"),
        sn_row("INC1", "Active", 1, "1/3/2016 10:00", priority="1 - Critical"),
    ])  # fmt: skip
    import_prepared(engine, [prepare_file(path, policy)], policy, source="sn")
    raw = _raw_policy()
    raw["severity"] = raw["severity"][:3]  # no level 4, which INC1 opened with
    three = parse_policy(raw, source="three.toml")
    with pytest.raises(DashboardError, match=r"three\.toml: the policy has no level 4, but 1 "):
        recompute_stored(engine, three)


def test_the_event_log_note_counts_cases_whose_every_row_was_rejected(tmp_path):
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:05"),
        sn_row("INC2", "New", 0, "31/2/2016 09:05"),
    ])  # fmt: skip
    prepared = prepare_file(path, load_policy())
    assert any("event log: 2 row(s) of 2 case(s)" in note for note in prepared.notes)


def test_what_if_derives_histories_again_under_the_other_policy(engine, tmp_path):
    """Pauses and the severity rule are the other policy's, as recompute would make them."""
    from dashboard import whatif
    from dashboard.analytics import Scope
    from dashboard.queries import Filters

    policy = load_policy()
    path = write(tmp_path, "log.csv", [
        sn_row("INC1", "New", 0, "1/3/2016 09:00", priority="4 - Low"),
        sn_row("INC1", "Active", 1, "1/3/2016 10:00", priority="1 - Critical"),
        sn_row("INC1", "Awaiting User Info", 2, "1/3/2016 11:00", priority="1 - Critical"),
        sn_row("INC1", "Active", 3, "1/3/2016 14:00", priority="1 - Critical"),
        sn_row("INC1", "Resolved", 4, "1/3/2016 16:00", priority="1 - Critical",
               resolved="1/3/2016 16:00"),
    ])  # fmt: skip
    import_prepared(engine, [prepare_file(path, policy)], policy, source="sn")
    scope = Scope(Filters(dt.date(2016, 3, 1), dt.date(2016, 3, 31)),
                  dt.datetime(2016, 4, 1, tzinfo=dt.UTC))  # fmt: skip
    raw = _raw_policy()
    raw["pauses"] = {"statuses": ["Awaiting User Info"]}
    raw["scoring"] = {"severity": "initial"}
    other = parse_policy(raw, source="other.toml")
    compared = whatif.compare(engine, scope, policy, other)
    assert compared.stored.severity(1).resolution.median_hours == 7  # 09:00-16:00
    assert compared.other.severity(1).resolution.resolved == 0  # scored as opened: level 4
    assert compared.other.severity(4).resolution.median_hours == 4  # less 3 h awaiting
    assert stored(engine, cases.c.severity, cases.c.paused_business_seconds) == [(1, 0)]


def test_events_in_the_hour_the_clocks_go_back_are_placed_by_their_sequence(tmp_path):
    """30 Oct 2016, London: 01:00-02:00 happens twice. The update numbered after a 01:40
    (BST) one but written 01:10 was at 01:10 GMT, an hour after 01:10 BST."""
    path = write(tmp_path, "log.csv", [
        sn_row("INC2", "New", 0, "30/10/2016 01:40", opened="30/10/2016 01:30"),
        sn_row("INC2", "Active", 1, "30/10/2016 01:10", opened="30/10/2016 01:30"),
    ])  # fmt: skip
    prepared = prepare_file(path, load_policy())
    cases_read = prepared.validated.cases
    assert cases_read.first_response_at[0] == utc("2016-10-30T01:10:00Z")  # GMT = UTC
    assert prepared.figures.status_names.tolist() == ["met"]
