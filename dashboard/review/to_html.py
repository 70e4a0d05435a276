"""The pack as one self-contained HTML file: charts inline as SVG, no network needed to open
it, A4 print styles. Every text from the data is escaped by the template engine."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from dashboard.review import layout
from dashboard.review.content import ReviewPack

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # customer names, subjects and reasons are data: always text
        undefined=jinja2.StrictUndefined,
    )


def render(pack: ReviewPack) -> str:
    svg = layout.trend_image(pack, "svg")
    # Our own chart, drawn by vl-convert from numbers and the policy's level names (which it
    # escapes as XML): the one piece of markup the template is given as such.
    trend = Markup(_without_xml_declaration(svg.decode("utf-8"))) if svg else None
    return (
        environment()
        .get_template("pack.html.j2")
        .render(pack=pack, trend_svg=trend, **layout.text(pack))
    )


def write(pack: ReviewPack, path: Path) -> None:
    path.write_text(render(pack), encoding="utf-8")


def _without_xml_declaration(svg: str) -> str:
    return svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg
