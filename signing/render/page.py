"""What every page carries: the agency's header, and the verification footer with the QR code.

The first page's header and footer are content (tagged); on later pages they repeat what was
already read, so they are pagination artifacts (ISO 32000-1, 14.8.2.2.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from signing.i18n import text
from signing.render import qr, typeface
from signing.render.layout import (
    BODY,
    MUTED,
    NAVY,
    RULE,
    Canvas,
    Style,
    colour_ops,
    wrap,
)
from signing.render.tagged import Node, Page

BAND = 7.0
TOP = 44.0
FOOTER_BASE = 30.0
QR_SIZE = 76.0
FOOTER_TOP = FOOTER_BASE + QR_SIZE + 6.0
CONTENT_BOTTOM = FOOTER_TOP + 18.0
SIGNATURE_SIZE = (220.0, 60.0)

AGENCY = Style(typeface.BOLD, 15.0, 19.0, NAVY)
KICKER = Style(typeface.REGULAR, 8.5, 11.0, MUTED)
RUNNING = Style(typeface.REGULAR, 8.0, 10.0, MUTED)
CODE = Style(typeface.BOLD, 9.0, 12.0, (0.11, 0.12, 0.14))
NOTE = Style(typeface.REGULAR, 8.0, 10.5, (0.11, 0.12, 0.14))
FINE = Style(typeface.REGULAR, 7.5, 10.0, MUTED)


@dataclass(frozen=True)
class Furniture:
    """The texts of headers and footers, in the document's language."""

    language: str
    agency: str
    title: str
    csv: str
    url: str


def header(canvas: Canvas, page: Page, root: Node, furniture: Furniture) -> float:
    """Draw the header of `page`; return where the content starts (from the bottom edge)."""
    band = f"{colour_ops(NAVY)} 0 {canvas.height - BAND:.2f} {canvas.width:.2f} {BAND:.2f} re f\n"
    page.artifact(band.encode("ascii"))
    top = canvas.height - TOP
    if page.number == 0:
        kicker = text("documents.render.official", furniture.language).upper()
        page.artifact(canvas.lines(KICKER, canvas.left, top, [kicker]))
        top -= KICKER.leading + 2
        lines = wrap(furniture.agency, AGENCY, canvas.measure)
        page.tagged(root.add("P"), canvas.lines(AGENCY, canvas.left, top, lines))
        top -= len(lines) * AGENCY.leading + 8
        rule_width = 1.2
    else:
        running = f"{furniture.agency} · {furniture.title}"
        line = wrap(running, RUNNING, canvas.measure)[0]
        page.artifact(canvas.lines(RUNNING, canvas.left, top, [line]), "Pagination", "Header")
        top -= RUNNING.leading + 6
        rule_width = 0.6
    page.artifact((f"{colour_ops(NAVY, stroke=True)} {rule_width} w {canvas.left:.2f} {top:.2f} m "
                   f"{canvas.right:.2f} {top:.2f} l S\n").encode("ascii"))
    return top - 14.0


def footer(canvas: Canvas, page: Page, total: int, furniture: Furniture,
           section: Node | None) -> None:
    """Draw the verification footer: QR code, CSV, how to verify, page number.

    `section` is the structure element the first page's footer is read as; later pages'
    footers are artifacts.
    """
    language = furniture.language

    def put(node_role: str, ops: bytes) -> None:
        if section is None:
            page.artifact(ops, "Pagination", "Footer")
        else:
            page.tagged(section.add(node_role), ops)

    page.artifact((f"{colour_ops(RULE, stroke=True)} 0.6 w {canvas.left:.2f} {FOOTER_TOP:.2f} m "
                   f"{canvas.right:.2f} {FOOTER_TOP:.2f} l S\n").encode("ascii"))
    square = qr.draw(furniture.url, x=canvas.left - 6.0, y=FOOTER_BASE, size=QR_SIZE)
    qr_ops = b"0 0 0 rg\n" + square
    if section is None:
        page.artifact(qr_ops, "Pagination", "Footer")
    else:
        bbox = (canvas.left - 6.0, FOOTER_BASE, canvas.left - 6.0 + QR_SIZE,
                FOOTER_BASE + QR_SIZE)
        figure = section.add("Figure", alt=text("documents.render.qr_alt", language,
                                                url=furniture.url),
                             attributes={"O": "Layout", "BBox": bbox, "Placement": "Block"})
        page.tagged(figure, qr_ops)

    x = canvas.left + QR_SIZE + 2.0
    width = canvas.right - x
    top = FOOTER_TOP - 10.0
    page_label = text("documents.render.page", language, number=page.number + 1, total=total)
    page.artifact(canvas.lines(RUNNING, x, top, [page_label], align_right=canvas.right),
                  "Pagination", "Footer")
    code_width = width - typeface.typeface(RUNNING.face).width(page_label, RUNNING.size) - 12
    code = wrap(text("documents.render.csv", language, csv=furniture.csv), CODE, code_width)
    put("P", canvas.lines(CODE, x, top, code))
    top -= len(code) * CODE.leading + 2
    verify = wrap(text("documents.render.verify", language, url=furniture.url,
                       csv=furniture.csv), NOTE, width)
    put("P", canvas.lines(NOTE, x, top, verify))
    top -= len(verify) * NOTE.leading + 3
    sealed = wrap(text("documents.render.sealed", language, agency=furniture.agency), FINE, width)
    put("P", canvas.lines(FINE, x, top, sealed))


def closing(canvas: Canvas, root: Node, statement: str) -> tuple[float, float, float, float]:
    """The closing statement, with the box kept free for the seal's visible signature beside it.

    Returns the box as (x1, y1, x2, y2) in points from the lower-left corner of the page.
    """
    width, height = SIGNATURE_SIZE
    lines = wrap(statement, BODY, canvas.measure - width - 20.0)
    needed = max(len(lines) * BODY.leading, height)
    canvas.need(needed + 8.0)
    top = canvas.y - 8.0
    canvas.page.tagged(root.add("P"), canvas.lines(BODY, canvas.left, top, lines))
    canvas.y = top - needed
    return (round(canvas.right - width, 2), round(top - height, 2), round(canvas.right, 2),
            round(top, 2))
