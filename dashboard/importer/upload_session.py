"""The Import page's work between reruns: keep each upload, read it once per way of reading,
import them all, and leave nothing behind.

A Streamlit page runs again on every click, so what it must not redo lives in the session's
state, a mapping (st.session_state; a dict in the tests): the folder of saved uploads and the
prepared files, keyed on the upload, its content, how it is read and the policy's rules. An
upload taken out of the box (or replaced by another) leaves the folder and the memory; an
empty box lets the folder go; an import empties both and the box; and a session that ends
takes its folder with it (uploads.UploadFolder). Everything here is plain Python: the page
draws what it returns.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from dashboard.errors import DashboardError
from dashboard.importer import new_format, uploads
from dashboard.importer.formats import ExportFormat, FormatError, known_formats
from dashboard.importer.hand_mapping import MappingQuestions, mapping_questions
from dashboard.importer.new_format import MappingChoices, build_format
from dashboard.importer.prepare import PreparedFile, prepare_file
from dashboard.importer.readers import read_table
from dashboard.importer.rejections import nothing_stored_message
from dashboard.importer.upload_results import (
    Imported,
    ImportFailed,
    Reading,
    Refused,
    Report,
    Understood,
    Unrecognised,
)
from dashboard.policy import Policy
from dashboard.store import WaitingWarning

# How to read a file: detect its format (None), a shipped format the user picked, or the
# user's own mapping.
How = ExportFormat | MappingChoices | None

# Writes prepared files to the database in one transaction, one report a file: the page hands
# in dashboard.importing.import_prepared with its engine and policy (the importer is below
# the module that stores what it prepares, so it does not import it).
Write = Callable[[list[PreparedFile]], Sequence[Report]]

# Keys of the session state (upload_folder is an uploads.UploadFolder, a path-like object that
# removes its folder when the state lets it go: tests can look at it as a path).
FOLDER = "upload_folder"
SAVED = "saved_uploads"  # upload id -> SavedUpload
PREPARED = "prepared"  # (upload id, fingerprint) -> PreparedFile
ROUND = "upload_round"
LAST_IMPORT = "last_import"


class Upload(Protocol):
    """What the page needs of an upload (Streamlit's UploadedFile has it)."""

    @property
    def file_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def size(self) -> int: ...
    def getvalue(self) -> bytes: ...


def fingerprint(content_digest: str, how: How, *, rules: str) -> str:
    """Which bytes, read which way, scored under which policy rules: two readings with one
    fingerprint prepare the same file."""
    if how is None:
        reading: object = None
    elif isinstance(how, ExportFormat):
        reading = ["format", how.name]
    else:  # every choice is in the format file it makes (an event log's rules too)
        reading = ["mapping", new_format.format_document(how)]
    text = json.dumps([content_digest, rules, reading], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def shipped_formats() -> dict[str, ExportFormat]:
    """The formats an unrecognised upload can be read as, by name: the built-in ones and
    those saved in the user's formats folder."""
    return {f.name: f for f in known_formats()}


class UploadSession:
    """One session's uploads, kept in `state` across reruns. `releases`, when given, is told
    of the session's upload folder, to remove it as soon as the session ends."""

    def __init__(
        self, state: MutableMapping[str, Any], *, releases: uploads.FolderReleases | None = None
    ) -> None:
        self._state = state
        self._releases = releases

    @property
    def accepted_types(self) -> list[str]:
        """The suffixes the upload box offers (read() checks them again)."""
        return list(uploads.UPLOAD_TYPES)

    @property
    def uploader_key(self) -> str:
        """A new key after each import empties the upload box: the files just imported are
        not offered again."""
        return f"uploads-{self._state.get(ROUND, 0)}"

    @property
    def folder(self) -> Path | None:
        folder = self._state.get(FOLDER)
        return Path(os.fspath(folder)) if folder is not None else None

    def keep_only(self, current: Iterable[Upload]) -> None:
        """Files taken out of the upload box (or replaced by others) leave the session's
        folder and its memory; an empty box lets the folder itself go."""
        ids = {upload.file_id for upload in current}
        if not ids:
            self._release_folder()
        elif self.folder is not None:
            uploads.remove_all_but(self.folder, ids)
        saved = self._state.get(SAVED, {})
        for upload_id in [i for i in saved if i not in ids]:
            del saved[upload_id]
        prepared = self._state.get(PREPARED, {})
        for key in [k for k in prepared if k[0] not in ids]:
            del prepared[key]

    def read(self, upload: Upload, policy: Policy, *, limit_bytes: int, how: How = None) -> Reading:
        """The upload read and checked (by its detected format unless `how` says otherwise),
        once per way of reading: a rerun hands back the same prepared file."""
        name = uploads.printable_name(upload.name)  # a scripted upload's name may hold a NUL
        refused = uploads.refusal(name, upload.size, limit_bytes)
        if refused:
            return Refused(refused)
        try:
            saved = self._saved(upload)
        except uploads.UploadError as exc:
            return Refused(str(exc))
        try:
            prepared = self._prepared(saved, policy, how)
        except FormatError as exc:
            if how is None:  # no format recognised it: the user may say how to read it
                message = uploads.named(exc, saved.path, name)
                return Unrecognised(uploads.for_the_page(message), saved)
            return Refused(uploads.named(exc, saved.path, name))
        except DashboardError as exc:
            return Refused(uploads.named(exc, saved.path, name))
        unusable = nothing_stored_message(prepared)
        return Understood(
            prepared,
            how if isinstance(how, MappingChoices) else None,
            unusable=uploads.named(unusable, saved.path, name) if unusable else None,
        )

    def mapping_questions(self, unrecognised: Unrecognised) -> MappingQuestions | Refused:
        """What to ask to map an unrecognised upload by hand."""
        saved = unrecognised.saved
        try:
            return mapping_questions(read_table(saved.path))
        except DashboardError as exc:
            return Refused(uploads.named(exc, saved.path, saved.name))

    def import_files(
        self,
        write: Write,
        files: Sequence[Understood],
        *,
        save_mappings: bool,
        saved_by: str | None = None,
    ) -> Imported | ImportFailed:
        """Import every file with `write` (one transaction), then (only then) save the users'
        mappings as format files; a success empties the session: the files leave the server
        and the box."""
        mappings = [f.mapping for f in files if f.mapping is not None] if save_mappings else []
        unusable = [f.unusable for f in files if f.unusable]
        if unusable:  # the page does not offer such files; a failed import changes nothing
            return ImportFailed(f"Nothing was imported: {unusable[0]}")
        try:
            new_format.check_names(mappings)  # before anything is written: all or nothing
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", WaitingWarning)  # the page says it already
                reports = write([f.prepared for f in files])
        except DashboardError as exc:
            return ImportFailed(f"Nothing was imported: {exc}")
        # The import has landed: a mapping that cannot be saved now (its folder made
        # read-only, or full, since it was checked) is said, and the import stands.
        saved, unsaved = [], []
        for choices in mappings:
            try:
                saved.append(str(new_format.save_format(choices, saved_by=saved_by)))
            except FormatError as exc:
                unsaved.append(f"The mapping {choices.name!r} was not saved: {exc}")
        imported = Imported(tuple(reports), tuple(saved), tuple(unsaved))
        self._state[LAST_IMPORT] = imported
        self._state.pop(PREPARED, None)
        self._state.pop(SAVED, None)
        self._release_folder()
        self._state[ROUND] = self._state.get(ROUND, 0) + 1
        return imported

    def last_import(self) -> Imported | None:
        return self._state.get(LAST_IMPORT)

    def _release_folder(self) -> None:
        """The session's folder leaves the server now, and the state."""
        folder = self._state.pop(FOLDER, None)
        if isinstance(folder, uploads.UploadFolder):
            folder.remove()
        elif folder is not None:
            uploads.remove_folder(Path(folder))

    def _saved(self, upload: Upload) -> uploads.SavedUpload:
        saved = self._state.setdefault(SAVED, {})
        known = saved.get(upload.file_id)
        if known is not None and known.path.exists():
            return known
        folder = self._state.get(FOLDER)
        if folder is None or getattr(folder, "removed", False):  # none yet, or released
            folder = self._state[FOLDER] = uploads.UploadFolder()
        if self._releases is not None and isinstance(folder, uploads.UploadFolder):
            self._releases.hold(folder)
        kept = uploads.save_upload(
            Path(os.fspath(folder)), upload.file_id, upload.name, upload.getvalue()
        )
        saved[upload.file_id] = kept
        return kept

    def _prepared(self, saved: uploads.SavedUpload, policy: Policy, how: How) -> PreparedFile:
        # The policy's rules are part of the key: a policy edited while a file waits rescores it
        # rather than importing the old rules' verdicts under the new rules' fingerprint.
        key = (saved.upload_id, fingerprint(saved.digest, how, rules=policy.fingerprint))
        prepared = self._state.setdefault(PREPARED, {})
        if key not in prepared:
            forced = build_format(how)[0] if isinstance(how, MappingChoices) else how
            prepared[key] = prepare_file(saved.path, policy, forced=forced)
        return prepared[key]
