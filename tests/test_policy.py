"""The policy file: defaults to the vendor's policy; bad files are refused naming key and value."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.errors import PolicyError
from dashboard.policy import DEFAULT_POLICY_PATH, Closure, load_policy, parse_policy
from tests.helpers import policy_dict


def test_the_bundled_policy_is_the_vendors():
    policy = load_policy()
    assert [(s.level, s.name, s.response_hours) for s in policy.severities] == [
        (1, "Urgent", 4),
        (2, "High", 8),
        (3, "Medium", 12),
        (4, "Low", 24),
    ]
    assert policy.severity(1).impact.startswith("Full outage of Flux in production")
    assert policy.attainment_goal == 0.95
    calendar = policy.calendar
    assert calendar.timezone == "Europe/London"
    assert calendar.workdays == (0, 1, 2, 3, 4)
    assert (calendar.open_seconds, calendar.close_seconds) == (9 * 3600, 18 * 3600)
    assert (calendar.holidays.country, calendar.holidays.subdivision) == ("GB", "ENG")
    assert policy.warnings == ()
    assert policy.source == str(DEFAULT_POLICY_PATH)


def test_a_second_calendar_loads(tmp_path):
    path = tmp_path / "ny.toml"
    path.write_text(
        """
        [calendar]
        timezone = "America/New_York"
        workdays = ["Monday", "tue", "Wed", "Thu", "Fri"]
        open = "08:00"
        close = "17:00"
        holidays = { country = "US", subdivision = "NY" }
        closures = ["2026-11-27", { date = 2026-12-24, name = "Holiday shutdown" }]

        [[severity]]
        level = 1
        name = "Critical"
        response_hours = 1.5
        """
    )
    policy = load_policy(path)
    assert policy.calendar.closures == (
        Closure(dt.date(2026, 11, 27), "Company closure"),
        Closure(dt.date(2026, 12, 24), "Holiday shutdown"),
    )
    assert policy.severity(1).response_seconds == 5400
    assert policy.warnings == ()


def test_fingerprint_follows_the_rules_not_the_wording():
    base = parse_policy(policy_dict())
    reworded = policy_dict()
    reworded["severity"][0]["impact"] = "Something else entirely"
    retargeted = policy_dict()
    retargeted["severity"][0]["response_hours"] = 2
    assert parse_policy(reworded).fingerprint == base.fingerprint
    assert parse_policy(retargeted).fingerprint != base.fingerprint
    assert parse_policy(policy_dict(closures=["2026-12-24"])).fingerprint != base.fingerprint


CALENDAR_ERRORS = [
    ({"timezone": "Europe/Londn"}, r"calendar\.timezone: unknown time zone .*got 'Europe/Londn'"),
    ({"timezone": "../etc/passwd"}, r"calendar\.timezone: unknown time zone"),
    # the machine's own setting and tz database placeholders are not a policy's zone
    ({"timezone": "localtime"}, r"calendar\.timezone: unknown time zone .*got 'localtime'"),
    ({"timezone": "Factory"}, r"calendar\.timezone: unknown time zone .*got 'Factory'"),
    ({"workdays": ["Mon", "Funday"]}, r"calendar\.workdays: unknown day .*got 'Funday'"),
    ({"workdays": ["Mon", "Mon"]}, r"calendar\.workdays: listed twice .*got 'Mon'"),
    ({"workdays": []}, r"calendar\.workdays: must be a non-empty list"),
    ({"open": "18:00"}, r"calendar\.open: must be earlier than calendar\.close \('18:00'\)"),
    ({"open": "19:00"}, r"calendar\.open: must be earlier than calendar\.close"),
    ({"open": "9am"}, r"calendar\.open: must be a time of day 'HH:MM'.*got '9am'"),
    ({"close": "24:30"}, r"calendar\.close: must be a time of day.*got '24:30'"),
    ({"close": "17:75"}, r"calendar\.close: must be a time of day.*got '17:75'"),
    ({"holidays": {"country": "XX"}}, r"calendar\.holidays\.country: not a country .*got 'XX'"),
    (
        {"holidays": {"country": "GB", "subdivision": "XYZ"}},
        r"calendar\.holidays\.subdivision: not a subdivision of GB \(expected one of ENG, NIR, "
        r"SCT, WLS\) \(got 'XYZ'\)",
    ),
    (
        {"holidays": {"country": "GB"}},
        r"calendar\.holidays\.subdivision: required for GB: without it the holiday list lacks "
        r"Easter Monday and the August bank holiday; use one of ENG, NIR, SCT, WLS",
    ),
    (
        {"holidays": {"country": "GB", "subdivision": " "}},  # holidays reads "" as none
        r"calendar\.holidays\.subdivision: required for GB",
    ),
    ({"holidays": {"country": "GB", "region": "ENG"}}, r"calendar\.holidays\.region: unknown key"),
    (
        {"closures": [{"date": "2026-12-24", "name": 5}]},
        r"calendar\.closures #1\.name: must be a non-empty string \(got 5\)",
    ),
    ({"closures": ["2026-02-30"]}, r"calendar\.closures #1: not a date 'YYYY-MM-DD' .*2026-02-30"),
    ({"closures": ["2026-12-24", "24/12/2026"]}, r"calendar\.closures #2: not a date.*24/12/2026"),
    ({"closures": ["2026-12-24", "2026-12-24"]}, r"calendar\.closures #2: listed twice"),
    ({"closures": "2026-12-24"}, r"calendar\.closures: must be a list"),
    ({"opne": "09:00"}, r"calendar\.opne: unknown key \(expected one of: close, closures"),
]


@pytest.mark.parametrize(("override", "message"), CALENDAR_ERRORS)
def test_bad_calendar_is_refused_naming_key_and_value(override, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy(policy_dict(**override), source="policy.toml")


def _with_severities(*severities):
    raw = policy_dict()
    raw["severity"] = list(severities)
    return raw


SEVERITY_ERRORS = [
    (
        _with_severities(
            {"level": 1, "name": "Urgent", "response_hours": 4},
            {"level": 1, "name": "High", "response_hours": 8},
        ),
        r"severity #2\.level: duplicate level \(got 1\)",
    ),
    (
        _with_severities(
            {"level": 1, "name": "Urgent", "response_hours": 4},
            {"level": 3, "name": "Medium", "response_hours": 12},
        ),
        r"severity: levels must run 1\.\.N without gaps; level 2 is missing",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent", "response_hours": 0}),
        r"severity #1\.response_hours: must be a positive number of business hours \(got 0\)",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent", "response_hours": -4}),
        r"severity #1\.response_hours: must be a positive number .*got -4",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent", "response_hours": "4"}),
        r"severity #1\.response_hours: must be a positive number .*got '4'",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent", "response_hours": 1.0001}),
        r"severity #1\.response_hours: must be a whole number of seconds",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent", "response_hours": float("inf")}),
        r"severity #1\.response_hours: must be at most 1000 business hours \(got inf\)",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent", "response_hours": 100_000}),
        r"severity #1\.response_hours: must be at most 1000 business hours",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent", "response_hours": float("nan")}),
        r"severity #1\.response_hours: must be a positive number",
    ),
    (
        _with_severities({"level": 1, "name": "Urgent"}),
        r"severity #1\.response_hours: missing \(required\)",
    ),
    (
        _with_severities({"level": 0, "name": "Urgent", "response_hours": 4}),
        r"severity #1\.level: must be a whole number from 1 \(got 0\)",
    ),
    (
        _with_severities({"level": True, "name": "Urgent", "response_hours": 4}),
        r"severity #1\.level: must be a whole number from 1 \(got True\)",
    ),
    (
        _with_severities(
            {"level": 1, "name": "Urgent", "response_hours": 4},
            {"level": 2, "name": "urgent", "response_hours": 8},
        ),
        r"severity #2\.name: already the name of level 1",
    ),
    (
        _with_severities({"level": 1, "name": "2", "response_hours": 4}),
        r"severity #1\.name: must be a non-empty word",
    ),
    (_with_severities(), r"severity: must define at least one \[\[severity\]\] \(got \[\]\)"),
]


@pytest.mark.parametrize(("raw", "message"), SEVERITY_ERRORS)
def test_bad_severities_are_refused_naming_key_and_value(raw, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy(raw, source="policy.toml")


def test_missing_severity_table_is_refused():
    raw = policy_dict()
    del raw["severity"]
    with pytest.raises(
        PolicyError, match=r"severity: missing: define at least one \[\[severity\]\]"
    ):
        parse_policy(raw)


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[calendar]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(PolicyError, match=rf"^{path}: calendar\.timezone: unknown time zone"):
        load_policy(path)


def test_unreadable_files_are_refused(tmp_path):
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[calendar\n")
    with pytest.raises(PolicyError, match=rf"{bad}: not valid TOML"):
        load_policy(bad)


def test_a_country_with_regions_but_no_subdivision_warns_loudly():
    policy = parse_policy(policy_dict(holidays={"country": "US"}), source="p.toml")
    assert len(policy.warnings) == 1
    assert "no subdivision for US: only holidays common to all of US apply" in policy.warnings[0]


def test_no_holiday_list_at_all_warns():
    raw = policy_dict()
    del raw["calendar"]["holidays"]
    policy = parse_policy(raw, source="p.toml")
    assert policy.calendar.holidays is None
    assert "no public holidays are excluded" in policy.warnings[0]


def test_close_may_be_midnight_and_times_may_be_toml_times():
    policy = parse_policy(policy_dict(open=dt.time(0, 0), close="24:00"))
    assert (policy.calendar.open_seconds, policy.calendar.close_seconds) == (0, 86400)


@pytest.mark.parametrize("goal", [0, 1.5, -0.1, "95%", True])
def test_the_attainment_goal_is_a_share(goal):
    raw = {**policy_dict(), "attainment_goal": goal}
    with pytest.raises(PolicyError, match="attainment_goal: must be a share between 0 and 1"):
        parse_policy(raw, source="policy.toml")


def test_the_attainment_goal_is_optional_and_changes_no_verdict():
    assert parse_policy(policy_dict()).attainment_goal is None
    with_goal = parse_policy({**policy_dict(), "attainment_goal": 0.9})
    assert with_goal.attainment_goal == 0.9
    assert with_goal.fingerprint == parse_policy(policy_dict()).fingerprint


def test_the_scope_wording_is_read_and_checked():
    from dashboard.policy import load_policy

    scope = load_policy().scope
    assert scope.in_scope == "The Flux controllers and the Flux Operator."
    assert set(scope.out_of_scope) == {"third_party", "not_flux", "infrastructure_access"}
    raw = policy_dict()
    raw["scope"] = {"out_of_scope": {"too_busy": "We were busy."}}
    with pytest.raises(PolicyError, match=r"scope\.out_of_scope\.too_busy: unknown key"):
        parse_policy(raw, source="p.toml")
    raw["scope"] = {"out_of_scope": {"not_flux": ""}}
    with pytest.raises(PolicyError, match=r"scope\.out_of_scope\.not_flux: must be a non-empty"):
        parse_policy(raw, source="p.toml")
    raw["scope"] = {"in_scope": 3}
    with pytest.raises(PolicyError, match=r"scope\.in_scope: must be a string \(got 3\)"):
        parse_policy(raw, source="p.toml")
    # wording only: it changes no figure, so not the fingerprint
    plain = parse_policy(policy_dict(), source="p.toml")
    raw["scope"] = {"in_scope": "Everything."}
    assert parse_policy(raw, source="p.toml").fingerprint == plain.fingerprint


# -- case histories: [scoring], [pauses], resolution_hours (issue 12) ---------------------------


def test_history_rules_default_to_what_a_per_case_export_has():
    policy = load_policy()
    assert policy.severity_rule == "final"
    assert policy.pause_statuses == ()
    assert not policy.has_resolution_targets


def test_history_rules_count_in_the_fingerprint_only_when_set():
    base = parse_policy(policy_dict())
    assert parse_policy({**policy_dict(), "scoring": {"severity": "final"}}).fingerprint == (
        base.fingerprint
    )
    assert parse_policy({**policy_dict(), "pauses": {"statuses": []}}).fingerprint == (
        base.fingerprint
    )
    for changed in (
        {"scoring": {"severity": "escalation"}},
        {"pauses": {"statuses": ["Awaiting User Info"]}},
    ):
        assert parse_policy({**policy_dict(), **changed}).fingerprint != base.fingerprint
    with_target = policy_dict()
    with_target["severity"][0]["resolution_hours"] = 40
    policy = parse_policy(with_target)
    assert policy.severity(1).resolution_seconds == 40 * 3600
    assert policy.has_resolution_targets
    assert policy.fingerprint != base.fingerprint


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"scoring": {"severity": "worst"}},
            "scoring.severity: must be one of initial, final, highest, escalation (got 'worst')",
        ),
        ({"scoring": {"level": "final"}}, "scoring.level: unknown key"),
        ({"pauses": {"statuses": "Waiting"}}, "pauses.statuses: must be a list of statuses"),
        ({"pauses": {"statuses": [""]}}, "pauses.statuses: must be a list of statuses"),
        ({"pauses": ["Waiting"]}, "pauses: must be a table"),
    ],
)
def test_bad_history_rules_are_refused_naming_key_and_value(change, message):
    with pytest.raises(PolicyError) as refused:
        parse_policy({**policy_dict(), **change}, source="policy.toml")
    assert message in str(refused.value)


@pytest.mark.parametrize("hours", [0, -4, "40", True, 0.0001])
def test_a_bad_resolution_target_is_refused(hours):
    raw = policy_dict()
    raw["severity"][0]["resolution_hours"] = hours
    with pytest.raises(PolicyError, match=r"severity #1\.resolution_hours: must be a positive"):
        parse_policy(raw, source="policy.toml")


def test_the_history_rules_read_in_words():
    assert load_policy().history_rules == (
        "When a case's severity changed, scored under a case's last recorded severity; no "
        "pauses: resolution time runs from creation to resolution."
    )
    raw = {**policy_dict(), "scoring": {"severity": "escalation"},
           "pauses": {"statuses": ["Awaiting User Info"]}}  # fmt: skip
    assert parse_policy(raw).history_rules == (
        "When a case's severity changed, scored under each severity's target from the moment "
        "the case got it, the earliest deadline; the resolution clock stops in "
        "'Awaiting User Info'."
    )


# -- closures: the what-if editor's repeat check (issue 13) ---------------------------------------


@pytest.mark.parametrize(
    ("closures", "message"),
    [
        # the repeat is named at its own position, whatever lies between, however it is written
        (["2026-12-24", "2026-12-31", "2026-12-24"], r"closures #3: listed twice .*'2026-12-24'"),
        (
            ["2026-12-24", {"date": "2026-12-24", "name": "Again"}],
            r"closures #2: listed twice in closures \(got '2026-12-24'\)",
        ),
        ([dt.date(2026, 12, 24), "2026-12-24"], r"closures #2: listed twice .*'2026-12-24'"),
        # the first repeat is the one named
        (["2026-12-31", "2026-12-24", "2026-12-24", "2026-12-31"], r"closures #3: listed twice"),
    ],
)
def test_a_closure_listed_twice_is_named_at_its_repeat(closures, message):
    with pytest.raises(PolicyError, match=message):
        parse_policy(policy_dict(closures=closures), source="policy.toml")


def test_closures_come_out_in_calendar_order_whatever_order_they_are_listed_in():
    policy = parse_policy(policy_dict(closures=["2026-12-31", "2026-12-24", "2026-11-27"]))
    assert [c.day for c in policy.calendar.closures] == [
        dt.date(2026, 11, 27), dt.date(2026, 12, 24), dt.date(2026, 12, 31),
    ]  # fmt: skip


def _counting(name: str):
    """A date comparison that counts itself."""

    def compare(self, other):
        CountedDay.comparisons += 1
        return getattr(dt.date, name)(self, other)

    return compare


class CountedDay(dt.date):
    """A date that counts every comparison made with it."""

    comparisons = 0
    __eq__, __ne__ = _counting("__eq__"), _counting("__ne__")
    __lt__, __le__, __gt__, __ge__ = map(_counting, ("__lt__", "__le__", "__gt__", "__ge__"))
    __hash__ = dt.date.__hash__


def test_the_closures_check_is_linear_in_the_closures(monkeypatch):
    """Issue 13: each closure was compared with every one listed before it, so the what-if
    editor with 100,000 closures made 5 billion comparisons. Counted, not timed: listed in
    calendar order (as a policy lists them), 2,000 closures now cost about one comparison
    each (sorting an ordered list), where the scan cost n(n-1)/2 = 1,999,000.
    benchmarks/bench_policy.py prints the seconds at 1k, 10k and 100k closures."""
    count = 2_000
    first = dt.date(2020, 1, 1).toordinal()
    days = [CountedDay.fromordinal(first + i) for i in range(count)]
    monkeypatch.setattr(CountedDay, "comparisons", 0)
    policy = parse_policy(policy_dict(closures=days))
    assert [c.day for c in policy.calendar.closures] == days
    assert CountedDay.comparisons < 2 * count


def test_the_country_codes_are_those_holidays_lists():
    """The policy check reads holidays' registry instead of importing every country (issue
    16): it must accept exactly the codes list_supported_countries() does."""
    import holidays

    from dashboard import policy

    assert policy._country_codes() == set(holidays.list_supported_countries())
