"""Text and tables flowed down the pages: line breaking, page breaks, tagged drawing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from signing.render import typeface
from signing.render.blocks import Block, Bullets, Facts, Grid, Heading, Paragraph
from signing.render.tagged import FONT_RESOURCES as FONT
from signing.render.tagged import Node, Page

Colour = tuple[float, float, float]
INK: Colour = (0.11, 0.12, 0.14)
MUTED: Colour = (0.33, 0.36, 0.40)
NAVY: Colour = (0.07, 0.20, 0.36)
TINT: Colour = (0.93, 0.95, 0.97)
RULE: Colour = (0.78, 0.82, 0.87)

MARGIN = 56.0
CELL_X = 7.0
CELL_Y = 3.0
_ASCENT = 1.069  # Noto Sans hhea ascender, in ems


@dataclass(frozen=True)
class Style:
    face: str
    size: float
    leading: float
    colour: Colour = INK


BODY = Style(typeface.REGULAR, 10.5, 14.5)
SMALL = Style(typeface.REGULAR, 9.0, 12.5, MUTED)
LABEL = Style(typeface.REGULAR, 9.0, 12.0, MUTED)
VALUE = Style(typeface.REGULAR, 10.0, 13.0)
HEADER_CELL = Style(typeface.BOLD, 8.5, 11.0, NAVY)
CELL = Style(typeface.REGULAR, 9.5, 12.5)
H1 = Style(typeface.BOLD, 19.0, 24.0, INK)
H2 = Style(typeface.BOLD, 11.0, 14.0, NAVY)


def baseline(style: Style, top: float) -> float:
    """The baseline of a line of `style` whose line box starts at `top`."""
    return top - (style.leading - style.size) / 2 - style.size * _ASCENT * 0.82


def colour_ops(colour: Colour, *, stroke: bool = False) -> str:
    return f"{colour[0]:.3f} {colour[1]:.3f} {colour[2]:.3f} {'RG' if stroke else 'rg'}"


class Canvas:
    """The pages being filled, the cursor (`y`, from the bottom edge) and the glyphs used."""

    def __init__(self, *, size: tuple[float, float], top: float, bottom: float,
                 start_page: Callable[[Canvas, Page], float]) -> None:
        self.width, self.height = size
        self.left = MARGIN
        self.right = self.width - MARGIN
        self.top = top
        self.bottom = bottom
        self.pages: list[Page] = []
        self.glyphs: dict[str, set[int]] = {typeface.REGULAR: set(), typeface.BOLD: set()}
        self._start_page = start_page
        self.y = self.page_top = 0.0
        self.new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    @property
    def measure(self) -> float:
        return self.right - self.left

    def new_page(self) -> Page:
        page = Page(len(self.pages))
        self.pages.append(page)
        self.y = self.page_top = self._start_page(self, page)
        return page

    @property
    def at_top(self) -> bool:
        return self.y >= self.page_top - 0.5

    def need(self, height: float, *, bottom: float | None = None) -> None:
        """Start a new page unless `height` points fit above `bottom`."""
        if self.y - height < (self.bottom if bottom is None else bottom):
            self.new_page()

    def text(self, style: Style, x: float, baseline: float, line: str) -> bytes:
        """One line of text starting at (`x`, `baseline`)."""
        face = typeface.typeface(style.face)
        self.glyphs[style.face].update(face.glyphs(line))
        return (f"BT {colour_ops(style.colour)} {FONT[style.face]} {style.size:g} Tf "
                f"1 0 0 1 {x:.2f} {baseline:.2f} Tm {face.show(line)} TJ ET\n").encode("ascii")

    def lines(self, style: Style, x: float, top: float, lines: list[str],
              *, align_right: float | None = None, first: float | None = None) -> bytes:
        """Lines of text from `top` down, each `style.leading` apart.

        `first` is the baseline of the first line, when it must line up with other text.
        """
        if first is None:
            first = baseline(style, top)
        ops = []
        for i, line in enumerate(lines):
            left = x
            if align_right is not None:
                left = align_right - typeface.typeface(style.face).width(line, style.size)
            ops.append(self.text(style, left, first - i * style.leading, line))
        return b"".join(ops)


def wrap(text: str, style: Style, width: float) -> list[str]:
    """Break `text` into lines no wider than `width`, at spaces, else after / or -, else anywhere."""
    face = typeface.typeface(style.face)
    size = style.size
    lines: list[str] = []
    current = ""
    current_width = 0.0
    space = face.width(" ", size)
    for word in text.split():
        word_width = face.width(word, size)
        if current and current_width + space + word_width <= width:
            current += " " + word
            current_width += space + word_width
            continue
        if current:
            lines.append(current)
        while word_width > width:
            head = _longest_prefix(face, word, size, width)
            lines.append(word[:head])
            word = word[head:]
            word_width = face.width(word, size)
        current, current_width = word, word_width
    if current or not lines:
        lines.append(current)
    return lines


def _longest_prefix(face: typeface.Typeface, word: str, size: float, width: float) -> int:
    fit = 1
    while fit < len(word) and face.width(word[:fit + 1], size) <= width:
        fit += 1
    for cut in range(fit, 0, -1):
        if word[cut - 1] in "/-?&=.":
            return cut if cut > fit // 2 else fit
    return fit


def flow(canvas: Canvas, parent: Node, blocks: list[Block]) -> None:
    """Lay `blocks` out in order, as children of `parent` in the structure tree."""
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if isinstance(block, Heading):
            heading(canvas, parent, block, keep=_first_height(canvas, following))
        elif isinstance(block, Paragraph):
            paragraph(canvas, parent, block.text, SMALL if block.muted else BODY)
        elif isinstance(block, Facts):
            facts(canvas, parent, block)
        elif isinstance(block, Grid):
            grid(canvas, parent, block)
        elif isinstance(block, Bullets):
            bullets(canvas, parent, block)


def _first_height(canvas: Canvas, block: Block | None) -> float:
    if isinstance(block, Facts) and block.rows:
        return VALUE.leading + 2 * CELL_Y
    if isinstance(block, Grid):
        return HEADER_CELL.leading + CELL.leading + 4 * CELL_Y
    if isinstance(block, Paragraph | Bullets):
        return BODY.leading * 2
    return 0.0


def heading(canvas: Canvas, parent: Node, block: Heading, *, keep: float = 0.0) -> None:
    style = H1 if block.level == 1 else H2
    lines = wrap(block.text, style, canvas.measure)
    before = 0.0 if canvas.at_top else 10.0
    height = len(lines) * style.leading
    canvas.need(before + height + keep)
    if not canvas.at_top:
        canvas.y -= before
    node = parent.add(f"H{block.level}")
    canvas.page.tagged(node, canvas.lines(style, canvas.left, canvas.y, lines))
    canvas.y -= height + 3.0


def paragraph(canvas: Canvas, parent: Node, text: str, style: Style = BODY, *,
              after: float = 8.0, bottom: float | None = None, role: str = "P") -> Node:
    lines = wrap(text, style, canvas.measure)
    height = len(lines) * style.leading
    canvas.need(height, bottom=bottom)
    node = parent.add(role)
    canvas.page.tagged(node, canvas.lines(style, canvas.left, canvas.y, lines))
    canvas.y -= height + after
    return node


def _rule_ops(left: float, right: float, y: float) -> bytes:
    return (f"{colour_ops(RULE, stroke=True)} 0.6 w {left:.2f} {y:.2f} m "
            f"{right:.2f} {y:.2f} l S\n").encode("ascii")


def _fill_ops(colour: Colour, x: float, y: float, w: float, h: float) -> bytes:
    return f"{colour_ops(colour)} {x:.2f} {y:.2f} {w:.2f} {h:.2f} re f\n".encode("ascii")


def facts(canvas: Canvas, parent: Node, block: Facts) -> None:
    table = parent.add("Table")
    label_width = round(canvas.measure * 0.36, 2)
    value_x = canvas.left + label_width
    canvas.need(VALUE.leading + 2 * CELL_Y)
    canvas.page.artifact(_rule_ops(canvas.left, canvas.right, canvas.y))
    for label, value in block.rows:
        label_lines = wrap(label, LABEL, label_width - 2 * CELL_X)
        value_lines = wrap(value, VALUE, canvas.measure - label_width - 2 * CELL_X)
        height = max(len(label_lines) * LABEL.leading, len(value_lines) * VALUE.leading)
        height += 2 * CELL_Y
        if canvas.y - height < canvas.bottom:
            canvas.new_page()
            canvas.page.artifact(_rule_ops(canvas.left, canvas.right, canvas.y))
        top = canvas.y
        canvas.page.artifact(_fill_ops(TINT, canvas.left, top - height, label_width, height)
                             + _rule_ops(canvas.left, canvas.right, top)
                             + _rule_ops(canvas.left, canvas.right, top - height))
        row = table.add("TR")
        first = baseline(VALUE, top - CELL_Y)
        header = row.add("TH", attributes={"O": "Table", "Scope": "Row"})
        canvas.page.tagged(header, canvas.lines(LABEL, canvas.left + CELL_X, top - CELL_Y,
                                                label_lines, first=first))
        cell = row.add("TD")
        canvas.page.tagged(cell, canvas.lines(VALUE, value_x + CELL_X, top - CELL_Y,
                                              value_lines, first=first))
        canvas.y = top - height
    canvas.y -= 8.0


def grid(canvas: Canvas, parent: Node, block: Grid) -> None:
    table = parent.add("Table")
    edges = [canvas.left]
    for share in block.widths:
        edges.append(edges[-1] + canvas.measure * share)
    edges[-1] = canvas.right

    def cells(style: Style, values: tuple[str, ...]) -> tuple[list[list[str]], float]:
        wrapped = [wrap(v, style, edges[i + 1] - edges[i] - 2 * CELL_X)
                   for i, v in enumerate(values)]
        return wrapped, max(len(w) for w in wrapped) * style.leading + 2 * CELL_Y

    head_lines, head_height = cells(HEADER_CELL, block.columns)

    def draw_head(row: Node | None) -> None:
        top = canvas.y
        canvas.page.artifact(_fill_ops(TINT, canvas.left, top - head_height, canvas.measure,
                                       head_height)
                             + _rule_ops(canvas.left, canvas.right, top - head_height))
        for i, lines in enumerate(head_lines):
            ops = canvas.lines(HEADER_CELL, edges[i] + CELL_X, top - CELL_Y, lines)
            if row is None:  # a header repeated on a later page is not read again
                canvas.page.artifact(ops)
            else:
                header = row.add("TH", attributes={"O": "Table", "Scope": "Column"})
                canvas.page.tagged(header, ops)
        canvas.y = top - head_height

    first_rows = [cells(CELL, r)[1] for r in block.rows[:1]]
    canvas.need(head_height + sum(first_rows))
    draw_head(table.add("TR"))
    for values in block.rows:
        lines, height = cells(CELL, values)
        if canvas.y - height < canvas.bottom:
            canvas.new_page()
            draw_head(None)
        top = canvas.y
        canvas.page.artifact(_rule_ops(canvas.left, canvas.right, top - height))
        row = table.add("TR")
        for i, cell_lines in enumerate(lines):
            canvas.page.tagged(row.add("TD"),
                               canvas.lines(CELL, edges[i] + CELL_X, top - CELL_Y, cell_lines))
        canvas.y = top - height
    canvas.y -= 8.0


def bullets(canvas: Canvas, parent: Node, block: Bullets) -> None:
    listing = parent.add("L", attributes={"O": "List", "ListNumbering": "Disc"})
    indent = 14.0
    for item in block.items:
        lines = wrap(item, BODY, canvas.measure - indent)
        height = len(lines) * BODY.leading
        canvas.need(height)
        entry = listing.add("LI")
        canvas.page.tagged(entry.add("Lbl"), canvas.lines(BODY, canvas.left + 2, canvas.y, ["•"]))
        canvas.page.tagged(entry.add("LBody"),
                           canvas.lines(BODY, canvas.left + indent, canvas.y, lines))
        canvas.y -= height + 3.0
    canvas.y -= 7.0
