"""One case, one source (dashboard/overlap.py): the ids an import would store under a second
source are found, counted once however many sources hold them, and named (issue 15)."""

from __future__ import annotations

import pandas as pd

from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.overlap import find_overlaps
from tests.helpers import vendor_policy

POLICY = vendor_policy()
HEADER = "case_id,customer,severity,created_at,first_response_at\n"


def stored(engine, tmp_path, source, *ids):
    path = tmp_path / f"{source}.csv"
    path.write_text(HEADER + "".join(f"{i},Acme,P1,2026-03-02T09:00Z,\n" for i in ids))
    import_prepared(engine, [prepare_file(path, POLICY)], POLICY, source=source, keep_both=True)


def test_an_id_held_by_two_other_sources_is_one_case(engine, tmp_path):
    stored(engine, tmp_path, "eu", "A", "B")
    stored(engine, tmp_path, "us", "B", "C")
    [overlap] = find_overlaps(engine, [("new.csv", "apac", pd.Series(["A", "B", "C", "D"]))])
    assert overlap.others == {"eu": 2, "us": 2}
    assert overlap.cases == 3  # A, B, C: B once
    assert overlap.examples == ("A", "B", "C")
    assert "3 of its case ids are already stored under another source (2 under 'eu', 2 under " \
        "'us'" in overlap.message()  # fmt: skip


def test_its_own_source_is_no_overlap_and_an_earlier_file_of_the_import_is(engine, tmp_path):
    stored(engine, tmp_path, "eu", "A")
    assert find_overlaps(engine, [("again.csv", "eu", pd.Series(["A"]))]) == []
    files = [("one.csv", "x", pd.Series(["Z"])), ("two.csv", "y", pd.Series(["Z"]))]
    [overlap] = find_overlaps(engine, files)
    assert (overlap.file, overlap.others) == ("two.csv", {"x": 1})
