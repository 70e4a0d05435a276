"""The Import page at the edges of issue 13 (AppTest, both databases): an upload name holding
a NUL, a format name too long for a file. Each gets a message, never a traceback, and nothing
is written that should not be."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard.importer import new_format
from dashboard.store import cases, imports
from tests.test_app import KNOWN, UNKNOWN, assert_clean, db, map_by_hand, open_app, plain

pytestmark = pytest.mark.slow  # the page through AppTest
__all__ = ["db"]  # the fixture: the fixture database, opened by the app through its URL


def count(engine, table=cases) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def formats(tmp_path, monkeypatch):
    """A formats folder of the test's own (today new_format.FORMATS_DIR; SLA_FORMATS_DIR once
    saved formats live outside the package)."""
    folder = tmp_path / "formats"
    folder.mkdir()
    monkeypatch.setattr(new_format, "FORMATS_DIR", folder, raising=False)
    monkeypatch.setenv("SLA_FORMATS_DIR", str(folder))
    return folder


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


# -- a format name too long for a file -----------------------------------------------------------


def test_a_format_name_over_the_limit_is_refused_on_the_page(db, formats):
    before = count(db)
    app = open_app("import")
    app.file_uploader[0].upload("helpdesk.csv", UNKNOWN.encode(), "text/csv").run()
    map_by_hand(app)
    name = next(t for t in app.text_input if t.key and t.key.startswith("name-"))
    name.set_value("a" * 251).run()
    assert not app.exception
    assert any("is 251 characters long: at most 100 (it names the format's file)" in m
               for m in shown(app)), shown(app)  # fmt: skip
    assert not any(b.key == "import" for b in app.button)  # nothing to import until it is fixed
    app.text_input(key=name.key).set_value("a" * 100).run()
    app.checkbox(key="save_formats").check()
    app.button(key="import").click().run()
    assert_clean(app)
    assert count(db) == before + 2
    assert [p.name for p in formats.glob("*.toml")] == ["a" * 100 + ".toml"]
