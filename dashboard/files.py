"""Writing output files safely: whole or not at all, readable like any file the user makes.

Each file is written to a temporary file in its own folder and renamed over the target only
when complete, so a killed process never leaves a partial file. Several files that belong
together (results and rejects) are all written before any is renamed: if one cannot be
written, none appears.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from dashboard.csv_text import write_frame
from dashboard.errors import DashboardError


class OutputError(DashboardError):
    """An output file cannot be written where the user asked."""


def write_csvs(files: list[tuple[pd.DataFrame, Path]]) -> None:
    """Write every (frame, path) or none of them."""
    with staged_csvs(files):
        pass


@contextlib.contextmanager
def staged_csvs(files: list[tuple[pd.DataFrame, Path]]) -> Iterator[None]:
    """Write every file beside its target now; put them all in place when the block succeeds,
    or remove them if it fails. Nothing appears at a target unless everything went well."""
    paths = [Path(p) for _, p in files]
    for path in paths:
        if path.is_dir():
            raise OutputError(f"{path}: is a folder; give a file name")
    if len({p.resolve() for p in paths}) < len(paths):
        raise OutputError(f"{paths[0]}: the same file is named twice for different outputs")
    temporaries: list[tuple[Path, Path]] = []
    try:
        try:
            for frame, path in files:
                temporary = _temporary(Path(path))
                temporaries.append((temporary, Path(path)))
                _write_csv(frame, temporary)
        except OSError as exc:
            raise OutputError(
                f"{exc.filename or paths[0]}: cannot write it ({exc.strerror})"
            ) from None
        yield
        for temporary, path in temporaries:
            os.replace(temporary, path)
    finally:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # surrogateescape: bytes that were not UTF-8 in an export go back out unchanged.
    # Rows end in CR LF (RFC 4180): the csv writer quotes a cell holding any character of the
    # row terminator, so a bare CR in a cell (`Help\r=1+2`) is quoted, not a row's end for
    # a spreadsheet or for our own reader (with LF rows it was written bare: issue 13).
    # csv_text writes the same bytes as to_csv, several times faster (issue 16).
    with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:
        if not write_frame(frame, out, lineterminator="\r\n"):
            frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        out.flush()
        os.fsync(out.fileno())


@contextlib.contextmanager
def atomic_text(path: Path) -> Iterator:
    """A text file opened for writing that appears at `path` only once closed successfully."""
    with _atomic(path, "w", encoding="utf-8", newline="") as out:
        yield out


def write_atomically(path: Path, data: bytes) -> None:
    """Bytes that appear at `path` only once completely written (a report, a workbook)."""
    try:
        with _atomic(path, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write it ({exc.strerror})") from None


@contextlib.contextmanager
def _atomic(path: Path, mode: str, **options) -> Iterator:
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    try:
        temporary = _temporary(path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write it ({exc.strerror})") from None
    try:
        with open(temporary, mode, **options) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _temporary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.chmod(name, 0o666 & ~_umask())  # mkstemp makes files only we can read
    return Path(name)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
