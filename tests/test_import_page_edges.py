"""The Import page at the edges of issue 13 (AppTest, both databases): an upload name holding
a NUL. It gets a message, never a traceback, and nothing is written that should not be."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard.store import cases, imports
from tests.test_app import KNOWN, assert_clean, db, open_app, plain

pytestmark = pytest.mark.slow  # the page through AppTest
__all__ = ["db"]  # the fixture: the fixture database, opened by the app through its URL


def count(engine, table=cases) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def shown(app) -> list[str]:
    return [plain(m) for kind in ("error", "warning", "info", "success") for m in app.get(kind)]


# -- an upload name with a NUL -------------------------------------------------------------------


def test_an_upload_named_with_a_nul_is_read_and_logged_under_a_printable_name(db):
    """Streamlit refused such a name itself, before the page ran, on every rerun: a traceback
    and a page that no click could mend. The page now checks names (and suffixes) itself."""
    before = count(db)
    app = open_app("import")
    app.file_uploader[0].upload("a\x00b.csv", KNOWN.encode(), "text/csv").run()
    assert_clean(app)
    page = " ".join(m.value for m in app.markdown)
    assert "**a\\_b\\.csv**" in page  # shown as it is kept and logged
    assert "\x00" not in page
    app.button(key="import").click().run()
    assert_clean(app)
    assert "Imported: a_b.csv (2 new" in plain(app.success[0])
    assert count(db) == before + 2
    with db.connect() as connection:
        names = connection.execute(select(imports.c.file_name)).scalars().all()
    assert "a_b.csv" in names
    history = next(d.value for d in app.dataframe if "file_name" in d.value.columns)
    assert history["file_name"].tolist()[0] == "a_b.csv"


def test_a_nul_cannot_hide_a_suffix_the_page_does_not_read(db):
    app = open_app("import")
    app.file_uploader[0].upload("cases.csv\x00.exe", b"MZ", "application/octet-stream").run()
    assert not app.exception
    assert "cases.csv_.exe: not a file this page reads (expected csv, tsv, txt, xlsx)" in shown(app)
    assert not any(b.key == "import" for b in app.button)
    assert count(db, imports) == 1  # the fixture's own import
