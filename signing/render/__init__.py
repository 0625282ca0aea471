"""Documents rendered to tagged, accessible PDF, ready to be sealed.

A document has the agency's name, the title, the template's data, the issue date and place,
and on every page its verification code (CSV) and a QR code of the verification address.
The last page keeps a box free for the visible signature of the seal; `RenderedDocument`
says where it is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from signing import csv as verification_code
from signing.errors import RenderError
from signing.i18n import check_language, format_datetime, text
from signing.render import layout, page, tagged, typeface
from signing.render.blocks import Heading

if TYPE_CHECKING:
    from signing.templates import Template

PAPER = {"A4": (595.276, 841.89), "Letter": (612.0, 792.0)}


@dataclass(frozen=True)
class RenderedDocument:
    pdf: bytes
    pages: int
    signature_page: int
    """0-based index of the page that keeps the box for the visible signature (the last)."""
    signature_box: tuple[float, float, float, float]
    """(x1, y1, x2, y2) in PDF points from the page's lower-left corner, as pyHanko's
    `SigFieldSpec(box=..., on_page=...)` takes it."""
    title: str
    language: str
    data: Mapping[str, Any]
    """The template's clean data (`Template.validate`): what the document says."""


def render(template: Template | str, data: Mapping[str, Any], *, language: str,
           agency_name: str, issued_at: datetime, csv: str, verify_url: str,
           citizen_name: str, document_title: str | None = None, place: str | None = None,
           paper: str = "A4") -> RenderedDocument:
    """Render `data` with `template` in `language` ("es" or "en") to a tagged PDF.

    Raises `InvalidTemplateData` for bad data, `InvalidCode` for a malformed `csv`, and
    `RenderError` for other unusable arguments.
    """
    if isinstance(template, str):
        from signing.templates import get_template

        template = get_template(template)
    check_language(language)
    if paper not in PAPER:
        raise RenderError(f"paper must be one of {', '.join(PAPER)}, not {paper!r}")
    clean = template.validate(data, today=issued_at.date())
    code = verification_code.normalise(csv)
    url = _check_url(verify_url)
    agency = _line("agency_name", agency_name)
    citizen = _line("citizen_name", citizen_name)
    title = _line("document_title", document_title or text(template.title_key, language))
    where = _line("place", place) if place is not None else None
    when = format_datetime(issued_at, language)

    furniture = page.Furniture(language=language, agency=agency, title=title, csv=code, url=url)
    root = tagged.Node("Document")
    canvas = layout.Canvas(
        size=PAPER[paper], top=page.TOP, bottom=page.CONTENT_BOTTOM,
        start_page=lambda c, p: page.header(c, p, root, furniture),
    )
    layout.heading(canvas, root, Heading(title, level=1))
    layout.paragraph(canvas, root, text("documents.render.requested_by", language,
                                        name=citizen), layout.SMALL, after=10.0)
    layout.paragraph(canvas, root, text(template.intro_key, language, agency=agency),
                     after=8.0)
    layout.flow(canvas, root, template.present(clean, language))
    closing = (text("documents.render.closing_place", language, place=where, when=when)
               if where else text("documents.render.closing", language, when=when))
    box = page.closing(canvas, root, closing)

    verification = tagged.Node("Sect")
    total = len(canvas.pages)
    for each in canvas.pages:
        page.footer(canvas, each, total, furniture, verification if each.number == 0 else None)
    root.children.append(verification)
    pdf = tagged.write(
        pages=canvas.pages, root=root, size=PAPER[paper], glyphs=canvas.glyphs,
        meta=tagged.Metadata(
            title=title, author=agency, language=language, created=issued_at,
            subject=text("documents.render.subject", language, title=title, csv=code),
        ),
    )
    return RenderedDocument(pdf=pdf, pages=total, signature_page=total - 1,
                            signature_box=box, title=title, language=language, data=clean)


def _line(name: str, value: str) -> str:
    if not isinstance(value, str):
        raise RenderError(f"{name} must be text")
    clean = " ".join(unicodedata.normalize("NFC", value).split())
    if not clean:
        raise RenderError(f"{name} must not be empty")
    if len(clean) > 200:
        raise RenderError(f"{name} may have at most 200 characters, not {len(clean)}")
    missing = (typeface.typeface(typeface.REGULAR).unsupported(clean)
               + typeface.typeface(typeface.BOLD).unsupported(clean))
    if missing:
        raise RenderError(f"{name} contains characters the document cannot print: "
                          f"{' '.join(dict.fromkeys(missing))}")
    return clean


def _check_url(url: str) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if (parts is None or parts.scheme not in {"https", "http"} or not parts.netloc
            or any(c.isspace() for c in url) or len(url) > 300):
        raise RenderError(f"verify_url must be an absolute http(s) address, not {url!r}")
    return url


__all__ = ["PAPER", "RenderedDocument", "render"]
