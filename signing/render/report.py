"""A plain tagged PDF from blocks: a readable copy of a page (a consent receipt, a log).

The same layout and tagged-PDF writer as the issued documents (`signing.render`), without
their verification furniture (no CSV, no QR code, no signature box): a title, the blocks in
reading order, and on every page a running footer with the page number (an artifact).
Characters the embedded font cannot print are replaced by "?", so any text renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from signing.render import layout, tagged, typeface
from signing.render.blocks import Block, Bullets, Facts, Grid, Heading, Paragraph

A4 = (595.276, 841.89)
TOP = 56.0
BOTTOM = 64.0
FOOTER = 36.0
BlockT = TypeVar("BlockT", bound=Block)


def printable(text: str) -> str:
    """`text` with the characters neither embedded face can draw replaced by "?"."""
    regular = typeface.typeface(typeface.REGULAR)
    bold = typeface.typeface(typeface.BOLD)
    missing = set(regular.unsupported(text)) | set(bold.unsupported(text))
    return "".join("?" if c in missing else c for c in " ".join(text.split()))


def _clean(block: BlockT) -> BlockT:
    if isinstance(block, Heading):
        return Heading(printable(block.text), block.level)  # type: ignore[return-value]
    if isinstance(block, Paragraph):
        return Paragraph(printable(block.text), block.muted)  # type: ignore[return-value]
    if isinstance(block, Facts):
        return Facts(tuple((printable(a), printable(b)) for a, b in block.rows))  # type: ignore[return-value]
    if isinstance(block, Grid):
        return Grid(tuple(printable(c) for c in block.columns),  # type: ignore[return-value]
                    tuple(tuple(printable(c) for c in row) for row in block.rows), block.widths)
    return Bullets(tuple(printable(i) for i in block.items))  # type: ignore[return-value]


def report(*, title: str, blocks: Sequence[Block], language: str, author: str, subject: str,
           created: datetime, page_label: str = "{number} / {total}") -> bytes:
    """The PDF: `title` as its heading and document title, then `blocks`.

    `page_label` is the footer's text, with {number} and {total} (e.g. "Página {number} de
    {total}"), already in `language`.
    """
    heading = printable(title)

    def start(canvas: layout.Canvas, page: tagged.Page) -> float:
        band = (f"{layout.colour_ops(layout.NAVY)} 0 {canvas.height - 7:.2f} "
                f"{canvas.width:.2f} 7 re f\n")
        page.artifact(band.encode("ascii"))
        return canvas.height - TOP

    root = tagged.Node("Document")
    canvas = layout.Canvas(size=A4, top=TOP, bottom=BOTTOM, start_page=start)
    layout.heading(canvas, root, Heading(heading, level=1))
    layout.flow(canvas, root, [_clean(b) for b in blocks])
    total = len(canvas.pages)
    for each in canvas.pages:
        label = printable(page_label.format(number=each.number + 1, total=total))
        each.artifact(canvas.lines(layout.SMALL, canvas.left, FOOTER, [label],
                                   align_right=canvas.right), "Pagination", "Footer")
    return tagged.write(pages=canvas.pages, root=root, size=A4, glyphs=canvas.glyphs,
                        meta=tagged.Metadata(title=heading, author=printable(author),
                                             subject=printable(subject), language=language,
                                             created=created))


__all__ = ["Bullets", "Facts", "Grid", "Heading", "Paragraph", "printable", "report"]
