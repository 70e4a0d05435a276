"""dashboard/time_lists.py: every case's response and resolution time, kept in lists per
summary key, gives exactly the times of the cases themselves, on SQLite and PostgreSQL, for
any filter, period and as-of instant, after every kind of write."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from dashboard import sources
from dashboard import time_lists as time_lists_module
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import parse_policy
from dashboard.queries import Filters
from dashboard.recompute import recompute_stored
from dashboard.store import case_counts, cases, time_lists
from tests.helpers import policy_dict, vendor_policy

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_cases.csv"
POLICY = vendor_policy()
EVERY_DAY = {"date_from": dt.date(2000, 1, 1), "date_to": dt.date(2100, 1, 1)}


@pytest.fixture
def sample(engine):
    import_prepared(engine, [prepare_file(SAMPLE, POLICY)], POLICY, source="portal")
    return engine


def _customers(engine) -> list[str]:
    with engine.connect() as connection:
        return connection.execute(select(cases.c.customer).distinct()).scalars().all()


def _spans(engine) -> list[dict]:
    with engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(cases.c.created_local_date), func.max(cases.c.created_local_date))
        ).one()
    middle = first + (last - first) / 2
    return [EVERY_DAY, {"date_from": first, "date_to": middle},
            {"date_from": middle, "date_to": middle}]  # fmt: skip


def _filters(engine) -> list[Filters]:
    customer = sorted(c for c in _customers(engine) if c)[0]
    chosen = [
        {},
        {"customers": (customer,)},
        {"severities": (1, 2)},
        {"channels": ("email",)},
        {"sources": ("nowhere",)},
        {"scope": (customer,)},
    ]
    return [Filters(**span, **more) for span in _spans(engine) for more in chosen]


def _by_case(engine, filters: Filters, column, *, resolved_by: dt.datetime | None = None):
    """The times read one case at a time, straight from the cases table: what the lists must
    hold, per severity, as counted multisets."""
    c = cases.c
    query = select(c.severity, column).where(
        c.created_local_date.between(filters.date_from, filters.date_to), column.is_not(None)
    )
    params = filters.params()
    if not params["all_customers"]:
        query = query.where(c.customer.in_(filters.customers))
    if not params["all_scope"]:
        query = query.where(c.customer.in_(filters.scope))
    if not params["all_severities"]:
        query = query.where(c.severity.in_(filters.severities))
    if not params["all_channels"]:
        query = query.where(c.channel.in_(filters.channels))
    if not params["all_sources"]:
        query = query.where(c.source.in_(filters.sources))
    if resolved_by is not None:
        query = query.where(c.resolved_at <= resolved_by)
    with engine.connect() as connection:
        return Counter(map(tuple, connection.execute(query).all()))


def _counted(times: dict, column: str) -> Counter:
    return Counter(zip(times["severity"].tolist(), times[column].tolist(), strict=True))


def test_the_lists_give_every_answered_cases_response_time_once_for_any_filter(sample):
    for filters in _filters(sample):
        got = time_lists_module.response_times(sample, filters)
        assert got["severity"].dtype == got[time_lists_module.RESPONSE].dtype == np.int64
        want = _by_case(sample, filters, cases.c.response_business_seconds)
        assert _counted(got, time_lists_module.RESPONSE) == want, filters
    assert sum(_by_case(sample, Filters(**EVERY_DAY), cases.c.response_business_seconds).values())


def test_resolution_times_leave_out_the_cases_resolved_after_as_of(sample):
    with sample.connect() as connection:
        resolved = sorted(connection.execute(
            select(cases.c.resolved_at).where(cases.c.resolved_at.is_not(None))
        ).scalars())  # fmt: skip
    # before every resolution, in the middle, on a resolution to the second, after them all
    instants = [resolved[0] - dt.timedelta(days=1), resolved[len(resolved) // 2],
                resolved[len(resolved) // 2] - dt.timedelta(seconds=1),
                resolved[-1] + dt.timedelta(days=1)]  # fmt: skip
    for as_of in instants:
        for filters in _filters(sample):
            got = time_lists_module.resolution_times(sample, filters, as_of)
            want = _by_case(sample, filters, cases.c.resolution_business_seconds,
                            resolved_by=as_of)  # fmt: skip
            assert _counted(got, time_lists_module.RESOLUTION) == want, (as_of, filters)
    everything = time_lists_module.resolution_times(sample, Filters(**EVERY_DAY), instants[-1])
    assert everything["severity"].size == len(resolved)
    nothing = time_lists_module.resolution_times(sample, Filters(**EVERY_DAY), instants[0])
    assert nothing["severity"].size == 0


def _stored_lists(engine) -> Counter:
    """Every list, unpacked: (key, kind, time) as a multiset, each list as long as
    case_counts says."""
    with engine.connect() as connection:
        lengths = {tuple(row[:-2]): row[-2:] for row in connection.execute(select(
            *[case_counts.c[k] for k in time_lists.c.keys()[:8]],
            case_counts.c.answered, case_counts.c.resolved))}  # fmt: skip
        out: Counter = Counter()
        for row in connection.execute(select(time_lists)):
            key, kinds = tuple(row[:8]), row[8:]
            for kind, blob, length in zip(("response", "resolution"), kinds, lengths[key],
                                          strict=True):  # fmt: skip
                times = time_lists_module.unpack([blob]).tolist()
                assert len(times) == length
                out.update((*key, kind, t) for t in times)
        return out


def _cases_times(engine) -> Counter:
    """What _stored_lists must hold, read case by case."""
    c = cases.c
    key = [c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
           c.response_status, c.source]  # fmt: skip
    out: Counter = Counter()
    with engine.connect() as connection:
        for kind, column in (("response", c.response_business_seconds),
                             ("resolution", c.resolution_business_seconds)):  # fmt: skip
            rows = connection.execute(select(*key, column).where(column.is_not(None)))
            out.update((*row[:-1], kind, row[-1]) for row in rows)
    return out


def test_each_list_holds_the_times_of_its_keys_cases(sample):
    stored = _stored_lists(sample)
    assert stored == _cases_times(sample)
    kinds = Counter(k[8] for k in stored.elements())
    assert kinds["response"] > 1000
    assert kinds["resolution"] > 1000


def test_a_recompute_and_a_removed_source_rebuild_the_lists(sample):
    every = Filters(**EVERY_DAY)
    before = _counted(time_lists_module.response_times(sample, every), time_lists_module.RESPONSE)
    elsewhere = parse_policy(policy_dict(timezone="America/New_York"))  # other hours: other times
    recompute_stored(sample, elsewhere, everything=True)
    after = _counted(time_lists_module.response_times(sample, every), time_lists_module.RESPONSE)
    assert after != before
    assert after == _by_case(sample, every, cases.c.response_business_seconds)
    for filters in _filters(sample):
        got = time_lists_module.resolution_times(sample, filters, dt.datetime.now(dt.UTC))
        want = _by_case(sample, filters, cases.c.resolution_business_seconds)
        assert _counted(got, time_lists_module.RESOLUTION) == want
    sources.remove_source(sample, "portal", "tester")
    assert time_lists_module.response_times(sample, every)["severity"].size == 0
    assert _stored_lists(sample) == Counter()


def test_a_second_import_adds_its_times_beside_the_firsts(sample, tmp_path):
    every = Filters(**EVERY_DAY)
    first = _counted(time_lists_module.response_times(sample, every), time_lists_module.RESPONSE)
    import_prepared(sample, [prepare_file(SAMPLE, POLICY)], POLICY, source="email",
                    keep_both=True)  # fmt: skip
    both = _counted(time_lists_module.response_times(sample, every), time_lists_module.RESPONSE)
    assert both == first + first
    only = Filters(**EVERY_DAY, sources=("email",))
    assert (
        _counted(time_lists_module.response_times(sample, only), time_lists_module.RESPONSE)
        == first
    )


def test_without_takes_out_each_removed_value_once_per_copy():
    values = np.array([5, 1, 5, 3, 5, 2], dtype=np.int64)
    assert time_lists_module.without(values, np.array([5, 5, 1])).tolist() == [2, 3, 5]
    assert time_lists_module.without(values, np.array([], dtype=np.int64)).tolist() == [
        1,
        2,
        3,
        5,
        5,
        5,
    ]
    rng = np.random.default_rng(16)
    for _ in range(200):
        values = rng.integers(0, 20, size=rng.integers(0, 60))
        removed = rng.permutation(values)[: rng.integers(0, values.size + 1)]
        want = Counter(values.tolist()) - Counter(removed.tolist())
        assert Counter(time_lists_module.without(values, removed).tolist()) == want


@pytest.mark.parametrize("removed", [[4], [1, 1, 1], [0]])
def test_a_removed_value_that_is_in_no_list_is_a_bug_said_out_loud(removed):
    with pytest.raises(time_lists_module.TimeListError):
        time_lists_module.without(np.array([1, 1, 2]), np.array(removed))


def test_packed_lists_read_back_as_the_same_integers():
    times = np.array([0, 1, 2**40, 86_400 * 365], dtype=np.int64)
    packed = [time_lists_module.pack(times[:2]), time_lists_module.pack(times[2:])]
    assert time_lists_module.unpack(packed).tolist() == times.tolist()
    assert time_lists_module.unpack([]).tolist() == []


def test_cases_with_one_time_only_keep_it_in_its_own_list(sample):
    """The times are read in one pass, -1 standing for a missing one: cases answered but
    unresolved and resolved but without a response time each add to one list only."""
    c = cases.c
    with sample.connect() as connection:
        one_sided = connection.execute(
            select(
                func.count().filter(c.resolution_business_seconds.is_(None)),
                func.count().filter(c.response_business_seconds.is_(None)),
            ).where(
                (c.response_business_seconds.is_(None)) != (c.resolution_business_seconds.is_(None))
            )
        ).one()
    assert min(one_sided) > 0  # the sample has both kinds
    assert _stored_lists(sample) == _cases_times(sample)


def test_a_negative_stored_time_is_a_bug_said_out_loud(sample):
    """No stored business time is negative; were one, it would read as missing and leave its
    list short of case_counts' count: refused, never a list silently short of a case."""
    from dashboard.store import writing
    from dashboard.summaries import refresh_summaries

    with writing(sample) as connection:
        connection.execute(
            cases.update()
            .where(cases.c.case_id == select(func.min(cases.c.case_id)).scalar_subquery())
            .values(response_business_seconds=-5)
        )
        with pytest.raises(time_lists_module.TimeListError, match="refresh_time_lists_times"):
            refresh_summaries(connection)
