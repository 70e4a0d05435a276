"""What the Import page accepts, checked on the server as well as in the browser (a script
posting straight to the server skips the browser's own checks)."""

from __future__ import annotations

from pathlib import Path

UPLOAD_TYPES = ("csv", "tsv", "txt", "xlsx")


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
