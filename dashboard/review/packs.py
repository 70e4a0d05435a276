"""A review pack as the bytes of a file: the format follows the file's suffix."""

from __future__ import annotations

from pathlib import Path

from dashboard.errors import DashboardError
from dashboard.review.content import ReviewPack

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".xlsx": "xlsx"}
MIME = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(pack: ReviewPack, kind: str) -> bytes:
    """The pack as the bytes of an HTML, PDF or XLSX file."""
    if kind == "html":
        from dashboard.review import to_html  # each writer's library loads only when used

        return to_html.render(pack).encode("utf-8")
    if kind == "pdf":
        from dashboard.review import to_pdf

        return to_pdf.render(pack)
    if kind == "xlsx":
        from dashboard.review import to_xlsx

        return to_xlsx.render(pack)
    raise DashboardError(f"no review pack format {kind!r} (expected html, pdf or xlsx)")


def kind_of(path: Path) -> str:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DashboardError(
            f"{path}: a review pack is written as .html, .pdf or .xlsx (from the file's suffix)"
        )
    return kind
