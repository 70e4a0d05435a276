"""Streamlit helpers shared by every page: the one place (with app.py and app_pages/) that
imports Streamlit.

- the database engine and policy, one per process (st.cache_resource);
- figures from dashboard.views, cached per data version (the last import and the policy the
  stored figures were computed under), so a new import is never hidden behind a stale cache;
- the sidebar's filters, bound to the URL so a filtered view is a link, and kept across pages;
- tables and charts with their downloads (CSV with formula-shaped cells neutralised; PNG/SVG);
- who is asking: sign-in (st.login, when .streamlit/secrets.toml has [auth]) and the person's
  role and customers from the roles file (dashboard/access.py). Every figure and lookup goes
  through figures()/lookup(), which put the person's customer scope into the query filters
  whatever a page or a link asked for.

Text from the data is only ever shown through st.dataframe, st.text, st.code or markdown with
its markup escaped: nothing from an export is rendered as HTML.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import periods, readable, views
from dashboard.access import (
    AccessError,
    AccessRules,
    Person,
    access_path,
    load_access,
    local_person,
)
from dashboard.business_hours import supported_years
from dashboard.charts import severity_labels
from dashboard.downloads import chart_bytes, csv_bytes, file_name
from dashboard.errors import DashboardError
from dashboard.explain import case_history, explain_case, find_case
from dashboard.importing import load_sample_if_empty
from dashboard.policy import DEFAULT_POLICY_PATH, Policy, load_policy
from dashboard.queries import Filters
from dashboard.store import DATABASE_URL_ENV, database_url, open_database

_LOG = logging.getLogger(__name__)
POLICY_PATH_ENV = "SLA_POLICY_PATH"
EARLIEST_DAY, LATEST_DAY = dt.date(1970, 1, 1), dt.date(2099, 12, 31)  # custom period bounds
DEFAULT_PRESET = "last_12_months"
CONTEXT = "view"  # st.session_state key of the View the sidebar resolved on this run
PERSON = "person"  # st.session_state key of the Person sign_in() found on this run
REQUIRE_SIGN_IN_ENV = "SLA_REQUIRE_SIGN_IN"  # set on a server: no [auth] means no entry
T = TypeVar("T")  # what a cached function returns
IMAGE_KINDS = {"png": "image/png", "svg": "image/svg+xml"}


# -- resources ----------------------------------------------------------------------------------


# One engine per database URL for the process's life; an engine pushed out of the cache (a
# process that opened other databases: the tests) closes its connections rather than hold them.
@st.cache_resource(show_spinner="Opening the database...", max_entries=4,
                   on_release=lambda engine: engine.dispose())  # fmt: skip
def _engine(url: str, embedded_default: bool, policy_path: str | None) -> Engine:
    engine = open_database(url)  # created or upgraded once per process, never per query
    if embedded_default:  # the first start on the embedded default shows the bundled sample
        load_sample_if_empty(engine, _policy(policy_path))
    return engine


@st.cache_resource(show_spinner=False, max_entries=8)
def _policy(path: str | None, stamp: tuple = ()) -> Policy:
    del stamp  # only the cache key: an edited file is read again
    return load_policy(path)


def policy_path() -> str | None:
    return os.environ.get(POLICY_PATH_ENV) or None


def _stamp(path: str | None) -> tuple:
    try:
        status = Path(path or DEFAULT_POLICY_PATH).stat()
    except OSError:
        return ()
    return (status.st_mtime_ns, status.st_size)


def engine() -> Engine:
    return _engine(database_url(), not os.environ.get(DATABASE_URL_ENV), policy_path())


def policy() -> Policy:
    """The policy file in force, read again whenever it changes on disk."""
    path = policy_path()
    return _policy(path, _stamp(path))


def data_version() -> str:
    """Read on every run (one small query): an import by anyone, CLI included, shows at once."""
    return views.data_version(engine())


def stale_policy_notice() -> None:
    """When the policy file's rules differ from those the stored figures were computed under,
    the pages would show one policy's targets beside another's verdicts: say so, and offer to
    re-score the stored cases (what `sla-dashboard recompute` does)."""
    state = views.data_state(engine())
    policy_ = policy()
    if not state.stale_under(policy_):
        return
    st.warning(
        escaped(
            f"The stored figures were computed under other rules than "
            f"{Path(policy_.source).name} "
            f"(rules {state.fingerprint}, now {policy_.fingerprint}): verdicts and targets "
            "disagree until the stored cases are re-scored."
        ),
        icon=":material/warning:",
    )
    if not person().may_change_data:
        st.caption("An admin can re-score them.")
        return
    if st.button("Re-score the stored cases under this policy", key="recompute"):
        from dashboard.recompute import recompute_stored

        with st.spinner("Re-scoring..."):
            report = recompute_stored(engine(), policy_, user=person().email)
        clear_caches()
        st.session_state["recomputed"] = report.recomputed
        st.rerun()


# Streamlit hashes every argument into the cache key except those named with a leading
# underscore: the function itself is keyed by its qualified name, which says the same.
@st.cache_data(show_spinner="Computing...", max_entries=128)
def _figures(
    _function: Callable, name: str, version: str, url: str, policy_key: tuple, args: tuple
) -> object:
    del name, version, url, policy_key  # only the cache key: the figures depend on them
    return _function(engine(), policy(), *args)


def figures(function: Callable[..., T], *args) -> T:
    """function(engine, policy, *args), e.g. views.overview: cached until the next import or
    recompute, or until the policy file changes."""
    path = policy_path()  # the file and its stamp: an edited policy's names and targets show
    key = (path, _stamp(path))
    args = _scoped(function, args)
    return _figures(function, _name(function), data_version(), database_url(), key, args)


@st.cache_data(show_spinner=False, max_entries=16)
def _lookup(
    _function: Callable, name: str, version: str, url: str, args: tuple, scope: tuple | None
) -> object:
    del name, version, url
    return _function(engine(), *args, scope=scope)


def lookup(function: Callable[..., T], *args) -> T:
    """function(engine, *args, scope=...) for what needs no policy (filter lists, spans,
    history), always within the person's customer scope (part of the cache key)."""
    scope = person().scope
    return _lookup(function, _name(function), data_version(), database_url(), args, scope)


def _scoped(function: Callable, args: tuple) -> tuple:
    """The arguments with the person's customer scope put into every view and filter: what a
    page builds, or a link asks for, cannot widen it. A figure whose arguments carry no
    filters would read every customer: refused, so a new page cannot forget the scope."""
    scope = person().scope
    out, carried = [], False
    for arg in args:
        if isinstance(arg, views.View):
            arg = dataclasses.replace(arg, filters=dataclasses.replace(arg.filters, scope=scope))
            carried = True
        elif isinstance(arg, Filters):
            arg, carried = dataclasses.replace(arg, scope=scope), True
        out.append(arg)
    if not carried:
        raise DashboardError(f"{_name(function)} takes no filters: it cannot be shown by scope")
    return tuple(out)


def _name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def clear_caches() -> None:
    """After an import: every cached figure goes (the data version changes too)."""
    _figures.clear()
    _lookup.clear()


# -- who is asking -------------------------------------------------------------------------------


def sign_in() -> Person:
    """The person on this run; a visitor who is not signed in, or signed in without access,
    sees why and goes no further (st.stop). Without [auth] the dashboard is one person's."""
    if not _sign_in_configured():
        if os.environ.get(REQUIRE_SIGN_IN_ENV):
            st.error(
                f"{REQUIRE_SIGN_IN_ENV} is set but .streamlit/secrets.toml has no [auth] "
                "section: nobody can be let in. See the README, 'Deploying for a team'."
            )
            st.stop()
        # None for a browser on this machine (str otherwise; AppTest's stand-in runtime gives
        # neither). Spoofable towards "local" only through a proxy on this machine: the
        # binding to 127.0.0.1 in .streamlit/config.toml is the first guard, this the second.
        if isinstance(st.context.ip_address, str):
            st.error(
                "Sign-in is off, so this dashboard is open only to a browser on the machine "
                "it runs on. To share it, configure sign-in: see the README, 'Deploying for a "
                "team'."
            )
            st.stop()
        st.session_state[PERSON] = local_person()
        return st.session_state[PERSON]
    if not st.user.is_logged_in:
        st.session_state.pop(PERSON, None)
        st.title("SLA dashboard")
        st.write("Sign in to see the SLA figures of the customers you look after.")
        for provider, label in _providers():
            st.button(label, on_click=st.login, args=(provider,) if provider else (),
                      type="primary", key=f"login-{provider or 'default'}")  # fmt: skip
        st.stop()
    claims = dict(st.user)
    email = claims.get("email")
    st.session_state.pop(PERSON, None)
    try:
        rules = _access_rules()
    except AccessError as exc:  # its details name people and customers: the log, not the page
        _LOG.error("sign-in refused for everyone: %s", exc)
        st.title("SLA dashboard")
        st.error("The dashboard's roles file has a mistake, so nobody can be let in; an admin "
                 "can read which in the server's log.")  # fmt: skip
        st.button("Sign out", on_click=st.logout)
        st.stop()
    found = rules.admits(claims)
    if found is None:
        st.title("SLA dashboard")
        st.error(escaped(
            f"You are signed in as {email or 'someone without an e-mail address'}, who has "
            f"no access to this dashboard (or whose address the provider has not verified). "
            f"Ask an admin to add you to {rules.source}."
        ))  # fmt: skip
        st.button("Sign out", on_click=st.logout)
        st.stop()
    st.session_state[PERSON] = found
    return found


def who() -> None:
    """At the foot of the sidebar on every page: who is signed in, or that nobody need be."""
    bar = st.sidebar
    bar.divider()
    if not _sign_in_configured():
        bar.caption(
            ":material/lock_open: **Sign-in is off**: anyone who can open this address sees "
            "every customer and may import. Fine for one person on their own machine; for a "
            "team, see the README, *Deploying for a team*."
        )
        return
    # The address as code: plain text, where markdown would make it a mailto link.
    found = person()
    customers = f": {escaped(', '.join(found.customers))}" if found.customers else ""
    bar.caption(f"Signed in as `{found.email.replace('`', '')}` ({found.role}{customers})")
    bar.button("Sign out", on_click=st.logout, icon=":material/logout:", key="logout")


def person() -> Person:
    """The person sign_in() found on this run (app.py calls it before any page). None found
    (a page run on its own): refused, never a default that sees everything."""
    found = st.session_state.get(PERSON)
    if not isinstance(found, Person):
        raise DashboardError("nobody is signed in on this run")
    return found


def require_admin(what: str) -> bool:
    """For a page or button that changes data: True for an admin, else a note and False."""
    if person().may_change_data:
        return True
    info(f"Only an admin may {what}; you are signed in as {person().label}.")
    return False


def _sign_in_configured() -> bool:
    """An [auth] section in .streamlit/secrets.toml. Secrets that exist but cannot be read
    (a file that is not valid TOML, a folder of secrets) or that were named by hand and are
    missing are refused rather than taken for "no sign-in": a typo must not open the doors."""
    if st.secrets.load_if_toml_exists():
        return "auth" in st.secrets
    from streamlit import config

    named = config.is_manually_set("secrets.files")  # --secrets.files or a config file
    paths = [Path(p) for p in config.get_option("secrets.files")]
    unreadable = [p for p in paths if p.exists() or named]
    if unreadable:
        raise DashboardError(
            f"{unreadable[0].name}: the secrets cannot be read (missing, or not valid TOML): "
            "fix them; the dashboard does not start without the sign-in they may configure"
        )
    return False


def _providers() -> list[tuple[str | None, str]]:
    """The sign-in buttons: one per named provider ([auth.NAME]), or one for [auth] itself."""
    section = st.secrets["auth"]
    # A provider's table has its client; others ([auth.client_kwargs]) are settings.
    named = [key for key, value in section.items() if hasattr(value, "keys")
             and ("client_id" in value or "server_metadata_url" in value)]  # fmt: skip
    if not named:
        return [(None, "Sign in")]
    return [(name, f"Sign in with {name.replace('_', ' ').title()}") for name in named]


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_access(path: str, stamp: tuple) -> AccessRules:
    del stamp  # only the cache key: an edited roles file is read again
    return load_access(path)


def _access_rules() -> AccessRules:
    path = access_path()
    return _load_access(str(path), _stamp(str(path)))


# -- the sidebar --------------------------------------------------------------------------------


def sidebar() -> views.View:
    """Draw the filters (bound to the URL) and return the view they choose."""
    policy_ = policy()
    options = lookup(views.filter_options)
    span = lookup(views.data_span)
    labels = severity_labels({s.level: s.name for s in policy_.severities})
    bar = st.sidebar
    bar.header("Filters")
    # Before the widget: once drawn, a bound widget has replaced a value it does not offer.
    unknown_in_link({"period": [periods.PRESETS[p] for p in periods.PRESETS]},
                    what="is not a period this dashboard offers")  # fmt: skip
    preset = bar.selectbox(
        "Period (cases created)",
        list(periods.PRESETS),
        index=list(periods.PRESETS).index(DEFAULT_PRESET),
        format_func=periods.PRESETS.get,
        key="period",
        bind="query-params",
    )
    as_of = _as_of(policy_)
    today = as_of.astimezone(policy_.calendar.zone).date()
    custom = None
    if preset == "custom":
        start = span.first if span else today
        first = bar.date_input("From", value=start, key="from", bind="query-params",
                               min_value=EARLIEST_DAY, max_value=LATEST_DAY)  # fmt: skip
        last = bar.date_input("To", value=today, key="to", bind="query-params",
                              min_value=EARLIEST_DAY, max_value=LATEST_DAY)  # fmt: skip
        custom = (first, last)
    period = periods.resolve(preset, today=today, span=span, custom=custom)
    bar.caption(f"{period.label()} ({policy_.calendar.timezone})")
    severity_options = [labels[level] for level in policy_.levels]
    unknown_in_link(
        {"customer": list(options.customers), "severity": severity_options,
         "channel": list(options.channels), "plan": list(options.plans),
         "source": list(options.sources)}
    )  # fmt: skip
    customers = bar.multiselect("Customers", list(options.customers), key="customer",
                                bind="query-params", placeholder="All customers")  # fmt: skip
    severities = bar.multiselect(
        "Severities",
        [str(level) for level in policy_.levels],
        format_func=lambda level: labels[int(level)],
        key="severity",
        bind="query-params",
        placeholder="All severities",
    )
    channels = bar.multiselect("Channels", list(options.channels), key="channel",
                               bind="query-params", placeholder="All channels")  # fmt: skip
    plans = bar.multiselect("Plans", list(options.plans), key="plan", bind="query-params",
                            placeholder="All plans")  # fmt: skip
    # Offered once there is a choice: most teams import from one helpdesk
    chosen_sources = (
        bar.multiselect(
            "Sources",
            list(options.sources),
            key="source",
            bind="query-params",
            placeholder="All sources",
        )
        if len(options.sources) > 1 or st.query_params.get_all("source")
        else []
    )
    filters = Filters(
        scope=person().scope,
        customers=tuple(customers),
        severities=tuple(int(s) for s in severities),
        channels=tuple(channels),
        plans=tuple(plans),
        sources=tuple(chosen_sources),
    )
    view = views.View(filters=filters, period=period, as_of=as_of,
                      compared_with=periods.previous_for(preset, period))  # fmt: skip
    st.session_state[CONTEXT] = view
    return view


def unknown_in_link(
    options: dict[str, list[str]], *, where=None, what: str = "the data does not have"
) -> None:
    """Say which of a link's values the data does not have (a bound widget drops them without
    a word, and the page would silently show something else)."""
    where = where or st.sidebar
    for key, allowed in options.items():
        wanted = st.query_params.get_all(key)
        missing = [v for v in wanted if v and v not in allowed]
        if missing:
            where.warning(escaped(f"The link asks for {key} {', '.join(map(repr, missing))}, "
                                  f"which {what}: ignored."))  # fmt: skip


def _as_of(policy_: Policy) -> dt.datetime:
    """The instant figures are judged at: now (to the minute, so caches hold for a minute), or
    the one the URL names (?as_of=2026-03-31T18:00, local time of the policy's zone)."""
    with st.sidebar.expander("Judged as of"):
        text = st.text_input(
            "As of (blank: now)",
            key="as_of",
            bind="query-params",
            placeholder="2026-03-31 18:00",
            help="Local time in the policy's zone, or an ISO instant with an offset.",
        )
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    if not text.strip():
        return now
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        st.sidebar.error(escaped(f"As of: {text!r} is not a date and time such as "
                                 "2026-03-31 18:00; showing figures as of now."))  # fmt: skip
        return now
    lo, hi = supported_years(policy_.calendar)
    if not lo + 1 <= moment.year <= hi - 1:  # a margin: the zone's offset must not cross it
        years = f"{lo + 1}-{hi - 1}"
        st.sidebar.error(escaped(f"As of: {text!r} is outside the years the holiday list "
                                 f"covers ({years}); showing figures as of now."))  # fmt: skip
        return now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=policy_.calendar.zone)
    return moment.astimezone(dt.UTC)


def local(instant: dt.datetime) -> str:
    """An instant as people there read it: 'Fri 13 Mar 2026 12:00 Europe/London'."""
    return readable.instant(instant, policy().calendar.zone, with_zone=True)


def current_view() -> views.View:
    """The view app.py's sidebar resolved on this run."""
    return st.session_state[CONTEXT]


def severity_names() -> dict[int, str]:
    return severity_labels({s.level: s.name for s in policy().severities})


# -- tables and charts with their downloads ------------------------------------------------------


def table(
    frame: pd.DataFrame,
    name: str,
    *,
    column_config: dict | None = None,
    height: int | str = "auto",
    key: str | None = None,
) -> None:
    """A table and its CSV download (formula-shaped cells neutralised). `height` caps long
    tables (they scroll); short ones are drawn at their own height."""
    height = height if len(frame) > 10 else "auto"
    frame = local_times(frame)
    st.dataframe(frame, hide_index=True, column_config=column_config, height=height)
    st.download_button(
        "Download CSV",
        data=lambda: csv_bytes(frame),
        file_name=file_name(name, suffix="csv"),
        mime="text/csv",
        key=f"csv-{key or name}",
        on_click="ignore",
        icon=":material/download:",
    )


CASE_CHOICE = " · "  # between a case id and its source in a case picker


def case_choices(cases: pd.DataFrame) -> list[str]:
    """A picker's choices, one per case: 'INC-1 · servicenow' (column-wise: a row at a time
    through itertuples cost 0.2 s for 5,000 breaches, its timestamps boxed one by one)."""
    return (cases["case_id"].astype(str) + CASE_CHOICE + cases["source"].astype(str)).tolist()


def chosen_case(choice: str) -> tuple[str, str]:
    """A case_choices choice as (case id, source); a case id may itself hold the separator."""
    case_id, source = choice.rsplit(CASE_CHOICE, 1)
    return case_id, source


def case_ledger(case_id: str, source: str | None, policy_: Policy, view: views.View) -> None:
    """One case's business-time ledger: every stretch counted or skipped, and why (the case
    within the person's customers only)."""
    try:
        scope = person().scope  # "any case id" reaches only the person's customers
        case = find_case(engine(), case_id, source=source, hint="pick it from the table",
                         scope=scope)  # fmt: skip
        events = case_history(engine(), case, scope=scope)
        explained = explain_case(case, policy_, int(view.as_of.timestamp()), events)
    except DashboardError as exc:
        error(str(exc))
        return
    status = explained.status
    deadline = local(explained.deadline_at)
    st.markdown(f"**{escaped(case_id)}**: {status}, deadline {deadline}")
    # the summary (at most ~40 lines, even for a year-old case); every stretch is in the table
    st.code("\n".join(explained.summary or explained.lines), language=None)
    if explained.stretches:
        stretches = pd.DataFrame(
            {
                "Stretch": [s.kind for s in explained.stretches],
                # instants, shown in the calendar's zone like every table's
                "From": pd.to_datetime([s.start for s in explained.stretches], unit="s", utc=True),
                "To": pd.to_datetime([s.end for s in explained.stretches], unit="s", utc=True),
                "Time": [readable.duration(s.seconds) for s in explained.stretches],
                "Why not counted": ["; ".join(s.reasons) for s in explained.stretches],
            }
        )
        table(stretches, f"ledger-{case_id}")


def narrow(*columns: str) -> dict:
    """Column settings drawing these (short counts) narrow: a wide table then fits a
    1,500 px window without being cut on the right."""
    return {column: st.column_config.Column(width="small") for column in columns}


def local_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Instants shown (and downloaded) in the calendar's zone, with their offset: the times
    support teams and customers speak of. Stored and computed, they stay UTC."""
    zone = policy().calendar.zone
    instants = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    if not instants:
        return frame
    return frame.assign(**{c: frame[c].dt.tz_convert(zone) for c in instants})


def chart(figure: alt.TopLevelMixin, name: str) -> None:
    """An Altair chart and its PNG and SVG downloads (rendered only when asked for)."""
    st.altair_chart(figure, width="stretch")
    for column, (kind, mime) in zip(st.columns(2), IMAGE_KINDS.items(), strict=True):
        column.download_button(
            kind.upper(),
            data=lambda kind=kind: chart_bytes(figure, kind),
            file_name=file_name(name, suffix=kind),
            mime=mime,
            key=f"{kind}-{name}",
            on_click="ignore",
            icon=":material/image:",
        )


def guarded(page: Callable[[], None]) -> None:
    """Run a page; a DashboardError (bad file, bad policy, unreachable database) is shown as a
    message, never as a traceback."""
    try:
        page()
    except DashboardError as exc:
        error(str(exc))


# Messages quote files, rows and values from the data: shown as written, never as markdown
# (a value such as ![x](http://...) would otherwise fetch an image).
def error(text: str) -> None:
    st.error(escaped(text))


def warning(text: str) -> None:
    st.warning(escaped(text))


def info(text: str) -> None:
    st.info(escaped(text))


def success(text: str) -> None:
    st.success(escaped(text))


def escaped(text: object) -> str:
    """Data text made safe for st.markdown: markdown and HTML characters shown as written, and
    text that reads like a web address never a link."""
    out = str(text)
    for char in "\\`*_{}[]()#+-.!|<>&~$":
        out = out.replace(char, "\\" + char)
    return _AUTOLINK.sub(lambda found: found.group(0) + WORD_JOINER, out)


# Streamlit's markdown (GitHub's dialect) makes a link of any text that starts like a web
# address (https://..., www....), escaped or not: it finds them in the text once escapes are
# read. A customer named "https://evil.example/x" was a link on the Customers page (issue 13).
# An invisible word joiner after "www" and the ":" of "://" keeps such text text, shown as
# written. E-mail addresses are left alone: they become mailto: links at worst (no web page),
# and an address copied off a page (a signed-in person's, into access.toml) must be the address.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)www(?=\\\.)|:(?=//)")


def delta(now: float | None, before: float | None, *, scale: float = 1.0) -> float | None:
    """now - before for st.metric, or None when either is missing (None or NaN: a period
    with nothing judged has no rate to compare)."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return (float(now) - float(before)) * scale


def with_period(view: views.View) -> str:
    return f"{view.period.label()}, compared with {view.previous.label()}"
