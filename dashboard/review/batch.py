"""Every customer's pack for one period, plus an index: review season (issue 15).

`sla-dashboard report --all-customers --out-dir DIR` writes the packs of every customer with
a case created in the period. The folder appears whole or not at all: everything is written
into a hidden folder beside it, which then takes DIR's place. DIR may be new, empty, or hold
exactly an earlier run's output (its index.csv names its packs), which is replaced; a folder
holding anything else is refused, so no one's files are lost.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import analytics, periods, readable
from dashboard.downloads import csv_bytes, file_name
from dashboard.files import OutputError
from dashboard.queries import Filters
from dashboard.review import wording
from dashboard.review.content import ReviewPack

INDEX_HTML, INDEX_CSV = "index.html", "index.csv"
INDEX_COLUMNS = ["customer", "cases", "judged", "attainment", "breaches", "overdue", "file"]
NAME_CHARACTERS = 80  # well under any file system's 255 bytes, even in UTF-8
# Names Windows reserves whatever the suffix: a pack named so could not be opened there.
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
            *(f"lpt{i}" for i in range(10))}  # fmt: skip


@dataclass(frozen=True)
class Written:
    """One pack of the run, and the figures the index lists for it."""

    customer: str
    file: str  # its name inside the folder
    cases: int
    judged: int
    attainment: float | None
    breaches: int
    overdue: int


def customers_in(engine: Engine, period: periods.Period, as_of, scope=None) -> list[str]:
    """Every customer with a case created in the period, in alphabetical order."""
    filters = Filters(period.first, period.last, scope=scope)
    table = analytics.attainment(engine, analytics.Scope(filters, as_of), by=("customer",))
    names = [str(c) for c in table["customer"] if c is not None and not pd.isna(c)]
    return sorted(set(names), key=lambda name: (name.casefold(), name))


def pack_file_names(customers: list[str], kind: str) -> dict[str, str]:
    """A safe, distinct file name for each customer's pack: 'Acme Payments' -> acme-payments.pdf;
    names that fold to the same file get -2, -3 (in the customers' order)."""
    names: dict[str, str] = {}
    taken = {INDEX_HTML, INDEX_CSV}
    for customer in customers:
        stem = file_name(customer, suffix=kind).removesuffix(f".{kind}")
        stem = stem[:NAME_CHARACTERS].strip("-.")
        if not stem or (stem == "download" and customer.strip().casefold() != "download"):
            stem = "customer"  # a name of signs only ('???') leaves nothing to name it by
        if stem == "index" or stem.split(".")[0] in RESERVED:
            stem = f"customer-{stem}"
        candidate, copy = f"{stem}.{kind}", 1
        while candidate.casefold() in taken:  # case-insensitive file systems, too
            copy += 1
            candidate = f"{stem}-{copy}.{kind}"
        taken.add(candidate.casefold())
        names[customer] = candidate
    return names


def check_folder(folder: Path) -> None:
    """Refuse a folder holding anything but an earlier run's output."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise OutputError(f"{folder}: is a file; --out-dir names a folder")
    present = {p.name for p in folder.iterdir()}
    if not present:
        return
    earlier = _earlier_run(folder)
    others = sorted(present - earlier) if earlier else sorted(present)
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise OutputError(
            f"{folder}: holds files that are not an earlier `report --all-customers` run's "
            f"({shown}); give a new or empty folder (an earlier run's output is replaced)"
        )


def _earlier_run(folder: Path) -> set[str]:
    """The names an earlier run wrote there (its index and the packs its index.csv lists), or
    an empty set when the folder holds no index of ours."""
    index = folder / INDEX_CSV
    if not index.is_file() or not (folder / INDEX_HTML).is_file():
        return set()
    try:
        with open(index, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    if not rows or rows[0] != INDEX_COLUMNS:
        return set()
    files = {row[-1] for row in rows[1:] if len(row) == len(INDEX_COLUMNS)}
    return {INDEX_HTML, INDEX_CSV} | {f for f in files if f and "/" not in f and f[0] != "."}


def write_all(
    folder: Path,
    customers: list[str],
    kind: str,
    build: Callable[[str], ReviewPack],
    render: Callable[[ReviewPack, str], bytes],
    *,
    period: periods.Period,
) -> list[Written]:
    """Build and render every customer's pack into a hidden folder beside `folder`, with the
    index; then put it in `folder`'s place. On any failure nothing changes at `folder`."""
    check_folder(folder)
    names = pack_file_names(customers, kind)
    parent = folder.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write there ({exc.strerror})") from None
    try:
        written = []
        for customer in customers:
            pack = build(customer)
            (staging / names[customer]).write_bytes(render(pack, kind))
            totals = pack.headline.totals
            written.append(
                Written(customer, names[customer], totals.cases, totals.met + totals.breached,
                        totals.attainment, len(pack.breaches), len(pack.overdue))
            )  # fmt: skip
        table = index_table(written)
        (staging / INDEX_CSV).write_bytes(csv_bytes(table))
        (staging / INDEX_HTML).write_text(index_html(written, period, kind), encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes a folder only we can read
        _put_in_place(staging, folder.resolve())
    except OSError as exc:
        raise OutputError(f"{exc.filename or folder}: cannot write it ({exc.strerror})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _put_in_place(staging: Path, folder: Path) -> None:
    """The new folder takes the old one's place: an empty or missing folder is replaced in one
    rename; an earlier run's output is moved aside first and removed once the new is in place."""
    if not folder.exists() or not any(folder.iterdir()):
        os.replace(staging, folder)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
    os.replace(folder, aside / folder.name)
    try:
        os.replace(staging, folder)
    except OSError:
        os.replace(aside / folder.name, folder)  # the earlier run's output, back as it was
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def index_table(written: list[Written]) -> pd.DataFrame:
    return pd.DataFrame(
        [[w.customer, w.cases, w.judged, w.attainment, w.breaches, w.overdue, w.file]
         for w in written],
        columns=INDEX_COLUMNS,
    )  # fmt: skip


def index_html(written: list[Written], period: periods.Period, kind: str) -> str:
    from dashboard.review.to_html import environment

    rows = [
        {
            "customer": w.customer,
            "cases": w.cases,
            "attainment": wording.rate(w.attainment, w.judged),
            "breaches": w.breaches,
            "overdue": w.overdue,
            "file": w.file,
        }
        for w in written
    ]
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            period=period.label(),
            kind=kind.upper(),
            rows=rows,
            small_note=wording.SMALL_NOTE
            if any(wording.small(w.judged) for w in written if w.attainment is not None)
            else "",
            missing=readable.MISSING,
        )
    )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
