"""The Import page at the edges of issue 13 (AppTest, both databases): an upload name holding
a NUL, a format name too long for a file, a byte that is not UTF-8 in a mapped column, a
formats folder that cannot be written. Each gets a message, never a traceback, and nothing is
written that should not be."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from dashboard.importer import new_format
from dashboard.store import cases, import_rejects, imports
from tests.test_app import KNOWN, UNKNOWN, assert_clean, db, map_by_hand, open_app, plain

pytestmark = pytest.mark.slow  # the page through AppTest
__all__ = ["db"]  # the fixture: the fixture database, opened by the app through its URL


def count(engine, table=cases) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def formats(tmp_path, monkeypatch):
    """The user's formats folder, of the test's own."""
    folder = tmp_path / "formats"
    folder.mkdir()
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
    history = next(d.value for d in app.dataframe if "File" in d.value.columns)
    assert history["File"].tolist()[0] == "a_b.csv"


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


# -- a byte that is not UTF-8 in a mapped column -------------------------------------------------

# UTF-8 with accents, but for one customer name pasted in from a latin-1 file
MIXED = (
    KNOWN.replace("Hooli", "Hôtel Étoile").encode()
    + b"X01,Soci\xe9t\xe9,Ent,P1,2026-03-10 09:00,,,open,portal\n"
)


def test_a_byte_that_is_not_utf8_rejects_its_row_naming_row_and_column(db):
    """A file that is UTF-8 but for one byte in a customer name (latin-1 pasted in): the row is
    rejected naming the column, the rest imported; the page showed a traceback instead."""
    before = count(db)
    app = open_app("import")
    app.file_uploader[0].upload("mixed.csv", MIXED, "text/csv").run()
    assert_clean(app)
    rejected = next(d.value for d in app.dataframe if "reason" in d.value.columns)
    row = rejected.set_index("case_id").loc["X01"]
    assert row["row"] == 5
    assert row["reason"].startswith("customer 'Soci\ufffdt\ufffd' holds bytes that are not UTF-8")
    assert json.loads(row["record"])["customer"] == "Soci\ufffdt\ufffd"
    notes = " ".join(t.value for t in app.text)
    assert "UTF-8 with 2 byte(s) that are not UTF-8" in notes  # how the file was read
    app.button(key="import").click().run()
    assert_clean(app)
    assert count(db) == before + 2
    with db.connect() as connection:
        reasons = (
            connection.execute(
                select(import_rejects.c.reason).where(import_rejects.c.case_id == "X01")
            )
            .scalars()
            .all()
        )
    assert [r.split(" (")[0] for r in reasons] == [
        "customer 'Soci\ufffdt\ufffd' holds bytes that are not UTF-8"
    ]


# -- a formats folder that cannot be written -----------------------------------------------------


def refuse_writes(monkeypatch, *, checked: bool = True) -> None:
    """Writing in the formats folder fails as in a read-only one (the way to test it as root,
    who may write anywhere). checked=False: it fails only after the check before the import
    (made read-only, or full, meanwhile)."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(new_format, "_write_draft", refuse)
    if not checked:
        monkeypatch.setattr(new_format, "check_writable", lambda folder: None)


def test_a_formats_folder_that_cannot_be_written_stops_the_import_before_it_starts(
    db, formats, monkeypatch
):
    """A mapping is saved only with a successful import, and the import only if its mapping
    can be saved: nothing is written, and the message says what to do."""
    refuse_writes(monkeypatch)
    before = count(db)
    app = open_app("import")
    app.file_uploader[0].upload("helpdesk.csv", UNKNOWN.encode(), "text/csv").run()
    map_by_hand(app)
    app.checkbox(key="save_formats").check()
    app.button(key="import").click().run()
    assert not app.exception
    [message] = [plain(e) for e in app.error]
    assert message.startswith(
        "Nothing was imported: cannot save the mapping as a format file: the formats folder "
        "cannot be written (Permission denied); import without saving the mapping, or set "
        "SLA_FORMATS_DIR to a folder the dashboard may write"
    )
    assert str(formats) not in message
    assert count(db) == before
    assert list(formats.iterdir()) == []
    app.checkbox(key="save_formats").uncheck()  # as the message says
    app.button(key="import").click().run()
    assert_clean(app)
    assert count(db) == before + 2


def test_a_mapping_that_cannot_be_saved_after_the_import_is_said_and_the_import_stands(
    db, formats, monkeypatch
):
    refuse_writes(monkeypatch, checked=False)
    before = count(db)
    app = open_app("import")
    app.file_uploader[0].upload("helpdesk.csv", UNKNOWN.encode(), "text/csv").run()
    map_by_hand(app)
    app.checkbox(key="save_formats").check()
    app.button(key="import").click().run()
    assert_clean(app)
    assert count(db) == before + 2
    [warning] = [plain(w) for w in app.warning]
    assert warning.startswith(
        "The mapping 'custom_helpdesk' was not saved: cannot save the mapping as a format file"
    )
    assert "Imported: helpdesk.csv (2 new" in plain(app.success[0])
    assert list(formats.iterdir()) == []


def test_a_file_with_no_utf8_at_all_is_read_in_its_code_page_and_says_so(db):
    """The documented fallback: one latin-1 byte and no UTF-8 is a Windows code page."""
    latin1 = KNOWN.replace("Hooli", "Société").encode("cp1252")
    app = open_app("import")
    app.file_uploader[0].upload("latin1.csv", latin1, "text/csv").run()
    assert_clean(app)
    assert "CSV, Windows-1252, comma-separated" in " ".join(t.value for t in app.text)
    preview = next(d.value for d in app.dataframe if "customer" in d.value.columns)
    assert set(preview["customer"]) == {"Société"}
