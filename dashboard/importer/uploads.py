"""What the Import page accepts, and where it keeps an upload until it is imported.

Checked on the server as well as in the browser (a script posting straight to the server skips
the browser's own checks). An accepted upload is written under a folder of the session's own,
one subfolder per upload, under the name the user gave it (its suffix and the import history
speak of it), reduced to a name that cannot point elsewhere: Streamlit passes the browser's
name on unchecked ("photos/2024/a.csv" for a folder upload, anything from a script).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dashboard.errors import DashboardError

UPLOAD_TYPES = ("csv", "tsv", "txt", "xlsx")
FALLBACK_NAME = "upload.csv"  # for a name with nothing left once reduced to its last part
MAX_NAME_BYTES = 255  # the longest file name ext4, APFS and NTFS all store
_MAX_SUFFIX_CHARS = 16  # a longer "suffix" is part of the name, shortened like the rest
_UNPRINTABLE = ("Cc", "Cs")  # control characters, and surrogates no file system can store


class UploadError(DashboardError):
    """An upload cannot be kept on the server to be read."""


@dataclass(frozen=True)
class SavedUpload:
    """An upload as kept on the server."""

    upload_id: str  # the upload box's id of this upload: a new one for every upload
    name: str  # as the user named it (printable_name), for messages
    path: Path  # the copy read and imported
    digest: str  # sha256 of its bytes
    size: int


def refusal(name: str, size: int, limit_bytes: int) -> str | None:
    """Why an upload is refused before it is read (its suffix, its size), or None."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        return f"{name}: not a file this page reads (expected {', '.join(UPLOAD_TYPES)})"
    if size > limit_bytes:
        return (
            f"{name}: {size / 2**20:,.0f} MB is over the upload limit of "
            f"{limit_bytes / 2**20:,.0f} MB; import it with `sla-dashboard import`"
        )
    return None


def printable_name(name: str) -> str:
    """A file's name as pages show it and the import log keeps it: control characters (a NUL,
    a line break, an escape: a scripted upload can send any) and bytes that were not UTF-8
    (a command-line file name can hold any) as `_`."""
    return "".join("_" if unicodedata.category(c) in _UNPRINTABLE else c for c in name)


def stored_name(name: str) -> str:
    """The name an upload is kept under: its last part only, printable (printable_name), and
    short enough for any file system, its suffix kept (a .xlsx stays a .xlsx)."""
    last = Path(name).name
    if last in ("", ".", ".."):
        return FALLBACK_NAME
    printable = printable_name(last)
    suffix = Path(printable).suffix
    if len(suffix) > _MAX_SUFFIX_CHARS:
        suffix = ""
    stem = printable[: len(printable) - len(suffix)]
    room = MAX_NAME_BYTES - len(suffix.encode())
    # Cut by bytes; a character the cut splits is dropped whole.
    return stem.encode()[:room].decode(errors="ignore") + suffix


def new_upload_folder() -> Path:
    """A private folder (mode 0700) for one session's uploads."""
    return Path(tempfile.mkdtemp(prefix="sla-upload-"))


class UploadFolder:
    """A session's upload folder, removed with the session (issue 13: uploads held by a
    session are released when it ends).

    A session keeps this object in its state and nothing else holds it. Streamlit runs no
    page code when a session ends (the tab closed and its reconnection window passed); it
    lets the session's state go, and the folder goes with this object (weakref.finalize),
    or at the latest when the server stops. An import, or an upload taken out of the box,
    removes files sooner (UploadSession).
    """

    def __init__(self) -> None:
        self.path = new_upload_folder()
        self._removal = weakref.finalize(self, remove_folder, self.path)

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"UploadFolder({str(self.path)!r})"

    @property
    def removed(self) -> bool:
        return not self._removal.alive

    def remove(self) -> None:
        """The uploads leave the server now (once: later calls do nothing)."""
        self._removal()


class FolderReleases:
    """The upload folders of one session, to remove when the session ends, before its state
    is let go: the Import page keeps one in a session-scoped st.cache_resource, which
    Streamlit releases (calling release) when the browser disconnects or the session shuts
    down. Held weakly: it never keeps a folder alive."""

    def __init__(self) -> None:
        self._folders: weakref.WeakSet[UploadFolder] = weakref.WeakSet()

    def hold(self, folder: UploadFolder) -> None:
        self._folders.add(folder)

    def release(self) -> None:
        for folder in list(self._folders):
            folder.remove()
        self._folders.clear()


def save_upload(folder: Path, upload_id: str, name: str, data: bytes) -> SavedUpload:
    """Write an upload's bytes under `folder`, whole or not at all: a rerun never finds half a
    file where a complete one should be."""
    target = folder / _subfolder(upload_id) / stored_name(name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".upload.", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as exc:
        raise UploadError(
            f"{printable_name(name)}: cannot keep it on the server to read it ({exc.strerror})"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    return SavedUpload(upload_id=upload_id, name=printable_name(name), path=target, digest=digest,
                       size=len(data))  # fmt: skip


def remove_all_but(folder: Path, upload_ids: Iterable[str]) -> None:
    """Remove from `folder` every upload but these (files taken out of the upload box)."""
    keep = {_subfolder(upload_id) for upload_id in upload_ids}
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def remove_folder(folder: Path) -> None:
    """The session's uploads leave the server (after an import)."""
    shutil.rmtree(folder, ignore_errors=True)


def named(error: Exception | str, path: Path, name: str) -> str:
    """A message with the upload's own name, not the server folder it was kept in."""
    text = str(error).replace(str(path), name)
    return text if text.startswith(name) else f"{name}: {text}"


# The command line's way out of an unrecognised file, and the page's: the form below it.
_CLI_HINT = re.compile(r"; use --format NAME \(one of [^)]*\) or --map FILE$")
_EVENT_LOG_HINT = re.compile(r': write a mapping with kind = "events" \(.*\) and use --map FILE$')


def for_the_page(message: str) -> str:
    """An unrecognised file's message, pointing at the page's form instead of CLI options."""
    message = _EVENT_LOG_HINT.sub(": map it by hand below, as an event log", message)
    return _CLI_HINT.sub(": pick its format, or map its columns by hand, below", message)


def _subfolder(upload_id: str) -> str:
    """The folder of one upload: its id hashed, so no id can name a path."""
    return hashlib.sha256(upload_id.encode(errors="surrogatepass")).hexdigest()[:32]
