"""The visible signature: a framed box naming who signed and when, drawn in the documents'
own embedded font (any character a document can print, the stamp can print too).

pyHanko asks the style for a stamp when it fills the signature widget's appearance
(ISO 32000-1, 12.7.4.5 and 12.5.5); the stamp is a form XObject of the widget's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

from signing.render import typeface
from signing.render.layout import MUTED, NAVY, TINT, Style, colour_ops, wrap
from signing.render.tagged import FONT_RESOURCES

PADDING = 7.0
KICKER = Style(typeface.REGULAR, 7.0, 9.0, MUTED)
NAME = Style(typeface.BOLD, 9.0, 11.0, NAVY)
WHEN = Style(typeface.REGULAR, 7.5, 9.5, (0.11, 0.12, 0.14))


@dataclass(frozen=True)
class SignatureStampStyle(BaseStampStyle):
    """What the box says: a kicker ("Sealed by"), the signer's name, the time."""

    kicker: str = ""
    name: str = ""
    when: str = ""
    border_width: int = 1
    border_color: tuple[float, float, float] | None = NAVY

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints,
                     text_params: dict[str, Any]) -> SignatureStamp:
        return SignatureStamp(writer=writer, style=self, box=box)


class SignatureStamp(BaseStamp):
    style: SignatureStampStyle

    def _render_inner_content(self) -> list[bytes]:
        width, height = self.box.width, self.box.height
        inner = width - 2 * PADDING
        blocks = [(KICKER, wrap(self.style.kicker, KICKER, inner)[:1]),
                  (NAME, wrap(self.style.name, NAME, inner)[:2]),
                  (WHEN, wrap(self.style.when, WHEN, inner)[:2])]
        used: dict[str, set[int]] = {typeface.REGULAR: set(), typeface.BOLD: set()}
        ops = [f"{colour_ops(TINT)} 0 0 {width:.2f} {height:.2f} re f".encode("ascii")]
        y = height - PADDING
        for style, lines in blocks:
            face = typeface.typeface(style.face)
            for line in lines:
                y -= style.size
                used[style.face].update(face.glyphs(line))
                ops.append((f"BT {colour_ops(style.colour)} {FONT_RESOURCES[style.face]} "
                            f"{style.size:g} Tf 1 0 0 1 {PADDING:.2f} {y:.2f} Tm "
                            f"{face.show(line)} TJ ET").encode("ascii"))
                y -= style.leading - style.size
            y -= 2.0
        assert self.writer is not None  # pyHanko sets it before rendering
        for face_name, glyphs in used.items():
            if glyphs:
                self.set_resource(category=content.ResourceType.FONT,
                                  name=pdf_name(FONT_RESOURCES[face_name]),
                                  value=typeface.embed(self.writer, face_name, glyphs))
        return ops
