"""Uploads are checked, kept under a name that cannot point elsewhere, and removed again."""

from __future__ import annotations

import gc
import hashlib
import os
from pathlib import Path

import pytest

from dashboard.importer.uploads import (
    FALLBACK_NAME,
    MAX_NAME_BYTES,
    FolderReleases,
    UploadError,
    UploadFolder,
    named,
    new_upload_folder,
    printable_name,
    refusal,
    remove_all_but,
    remove_folder,
    save_upload,
    stored_name,
)

LONG = "x" * 400

# -- refusal ---------------------------------------------------------------------------------------


def test_a_readable_suffix_within_the_limit_is_accepted():
    assert refusal("cases.CSV", 10, 100) is None
    assert refusal("report.xlsx", 100, 100) is None  # at the limit exactly


@pytest.mark.parametrize("name", ["payload.exe", "cases", "cases.csv.zip", "..", ""])
def test_another_suffix_is_refused_naming_the_file(name):
    assert refusal(name, 10, 100) == (
        f"{name}: not a file this page reads (expected csv, tsv, txt, xlsx)"
    )


def test_a_file_over_the_limit_is_sent_to_the_command_line():
    message = refusal("big.csv", 3 * 2**20, 2**20)
    assert message == (
        "big.csv: 3 MB is over the upload limit of 1 MB; import it with `sla-dashboard import`"
    )


# -- the name it is kept under ---------------------------------------------------------------------

NAMES = [
    # as the user named it
    ("cases.csv", "cases.csv"),
    ("Jira export (3).xlsx", "Jira export (3).xlsx"),
    ("Zoë café.csv", "Zoë café.csv"),
    ("cases.tar.csv", "cases.tar.csv"),
    (".csv", ".csv"),
    # a folder upload, or a script pointing elsewhere: the last part only
    ("photos/2024/cases.csv", "cases.csv"),
    ("../../etc/cron.d/job.csv", "job.csv"),
    ("/etc/passwd.csv", "passwd.csv"),
    ("cases.csv/..", FALLBACK_NAME),
    ("..", FALLBACK_NAME),
    (".", FALLBACK_NAME),
    ("", FALLBACK_NAME),
    ("/", FALLBACK_NAME),
    # control characters (NUL cannot be in a path; the others would reach logs and terminals)
    ("a\x00b.csv", "a_b.csv"),
    ("a\nb\r.csv", "a_b_.csv"),
    ("\x1b[2Jcases.csv", "_[2Jcases.csv"),
    ("tab\t.csv\x7f", "tab_.csv_"),
    ("lone\udc80surrogate.csv", "lone_surrogate.csv"),
]


@pytest.mark.parametrize(("name", "kept"), NAMES)
def test_the_name_kept(name, kept):
    assert stored_name(name) == kept


def test_a_very_long_name_is_shortened_keeping_its_suffix():
    kept = stored_name(LONG + ".xlsx")
    assert kept == "x" * (MAX_NAME_BYTES - 5) + ".xlsx"
    assert len(kept.encode()) == MAX_NAME_BYTES


def test_a_long_name_is_cut_between_characters_not_inside_one():
    kept = stored_name("é" * 200 + ".csv")  # two bytes each
    assert kept.endswith(".csv")
    assert len(kept.encode()) <= MAX_NAME_BYTES
    assert set(kept.removesuffix(".csv")) == {"é"}


def test_a_very_long_suffix_is_cut_like_the_rest():
    kept = stored_name("cases." + LONG)
    assert kept == ("cases." + LONG)[:MAX_NAME_BYTES]


# -- saving and removing ---------------------------------------------------------------------------


@pytest.fixture
def folder():
    made = new_upload_folder()
    yield made
    remove_folder(made)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def test_a_new_folder_is_private(folder):
    assert folder.is_dir()
    assert folder.name.startswith("sla-upload-")
    assert folder.stat().st_mode & 0o777 == 0o700


def test_an_upload_is_kept_whole_with_its_digest(folder):
    data = b"case_id,severity\nC-1,P1\n"
    saved = save_upload(folder, "id-1", "cases.csv", data)
    assert saved.path.read_bytes() == data
    assert saved.path.name == "cases.csv"
    assert saved.digest == hashlib.sha256(data).hexdigest()
    assert (saved.upload_id, saved.name, saved.size) == ("id-1", "cases.csv", len(data))
    assert _inside(saved.path, folder)
    # nothing else is left beside it (no temporary file)
    assert list(saved.path.parent.iterdir()) == [saved.path]


@pytest.mark.parametrize(("name", "kept"), NAMES)
def test_a_hostile_name_is_kept_inside_the_folder(folder, name, kept):
    saved = save_upload(folder, "id-1", name, b"x")
    assert saved.path.name == kept
    assert _inside(saved.path, folder)
    assert saved.path.read_bytes() == b"x"
    # messages still name it as the user did, but for characters no message should hold
    assert saved.name == printable_name(name)
    assert saved.name.isprintable()


def test_a_very_long_name_can_be_kept(folder):
    saved = save_upload(folder, "id-1", LONG + ".csv", b"x")
    assert saved.path.read_bytes() == b"x"


@pytest.mark.parametrize("upload_id", ["../../escape", "/tmp/elsewhere", "..", "", "a\x00b"])
def test_a_hostile_upload_id_cannot_name_a_path(folder, upload_id):
    saved = save_upload(folder, upload_id, "cases.csv", b"x")
    assert saved.path.parent.parent == folder
    assert _inside(saved.path, folder)


def test_two_uploads_with_one_name_are_kept_apart(folder):
    first = save_upload(folder, "id-1", "cases.csv", b"first")
    second = save_upload(folder, "id-2", "cases.csv", b"second")
    assert first.path != second.path
    assert (first.path.read_bytes(), second.path.read_bytes()) == (b"first", b"second")


def test_saving_again_replaces_the_file_whole(folder):
    save_upload(folder, "id-1", "cases.csv", b"a longer first version")
    saved = save_upload(folder, "id-1", "cases.csv", b"short")
    assert saved.path.read_bytes() == b"short"


def test_an_upload_that_cannot_be_written_is_refused_naming_it(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(UploadError, match=r"^cases\.csv: cannot keep it on the server"):
        save_upload(not_a_folder, "id-1", "cases.csv", b"x")


def test_removing_all_but_the_current_uploads(folder):
    kept = save_upload(folder, "id-1", "a.csv", b"a")
    gone = save_upload(folder, "id-2", "b.csv", b"b")
    remove_all_but(folder, ["id-1"])
    assert kept.path.exists()
    assert not gone.path.exists()
    assert not gone.path.parent.exists()
    remove_all_but(folder, [])
    assert list(folder.iterdir()) == []


def test_removing_from_a_folder_already_gone_is_quiet(tmp_path):
    remove_all_but(tmp_path / "gone", ["id-1"])
    remove_folder(tmp_path / "gone")


def test_removing_the_folder_removes_every_upload(folder):
    save_upload(folder, "id-1", "a.csv", b"a")
    remove_folder(folder)
    assert not folder.exists()


# -- messages --------------------------------------------------------------------------------------


def test_a_message_names_the_upload_not_the_server_folder():
    path = Path("/tmp/sla-upload-abc/0123/cases.csv")
    assert named(ValueError(f"{path}: row 3 is broken"), path, "cases.csv") == (
        "cases.csv: row 3 is broken"
    )
    assert named("no format knows its headers", path, "cases.csv") == (
        "cases.csv: no format knows its headers"
    )
    assert named(f"cannot read {path} at all", path, "odd.csv") == (
        "odd.csv: cannot read odd.csv at all"
    )


# -- a session's folder (issue 13: uploads held by a session are released when it ends) ---------


def test_a_session_folder_goes_when_nothing_holds_it():
    held = UploadFolder()
    path = Path(held)
    save_upload(path, "id-1", "cases.csv", b"case_id\nC-1\n")
    assert os.fspath(held) == str(path)
    assert path.stat().st_mode & 0o777 == 0o700
    del held
    gc.collect()
    assert not path.exists()


def test_a_session_folder_removed_early_is_removed_once():
    held = UploadFolder()
    held.remove()
    assert held.removed
    assert not held.path.exists()
    held.remove()  # quiet


def test_releases_remove_the_folders_held_and_keep_none_alive():
    releases = FolderReleases()
    kept, dropped = UploadFolder(), UploadFolder()
    dropped_path = dropped.path
    releases.hold(kept)
    releases.hold(dropped)
    del dropped
    gc.collect()
    assert not dropped_path.exists()  # held weakly: gone with its session as ever
    releases.release()
    assert kept.removed
    assert not kept.path.exists()
