"""Rectangles read at one home (`signing.rectangles`), total over what a file may write (pdfatk15).

A /Rect may hold a 400-digit integer (no float holds it: OverflowError) or a 400-digit real
(read as infinity). The verifier raised on the first; the normalisation of a file to sign
flattened a widget with the second into its page as `q inf 0 0 8 nan 0 cm ... Do Q`, content
each viewer reads its own way. Such a number is now no number: the reader answers None, and
the normalisation refuses the file as damaged instead of writing infinities into it.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic

from signing.normalise import normalise
from signing.pdf_input import InvalidPdf
from tests.signing.test_normalise import LIMIT
from tests.signing.verify import attack_kit as kit

HUGE = 10 ** 400
CONTENT = b"BT /F1 24 Tf 72 700 Td (Importe: 100 EUR) Tj ET"


def _with_widget(number: bytes) -> bytes:
    """A page with a text field whose /Rect is [0 0 `number` 800] and whose appearance is a
    box: the normalisation draws it into the page."""
    return kit.classic_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [6 0 R] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(CONTENT) + CONTENT + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (a) /Rect [0 0 " + number
        + b" 800] /AP << /N 7 0 R >> >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Length 10 >>\nstream\n"
        b"0 0 1 1 re\nendstream"])


@pytest.mark.parametrize("number", [b"1" + b"0" * 400 + b".5", b"1" + b"0" * 400],
                         ids=["huge_real", "huge_integer"])
def test_a_widget_whose_rect_no_float_holds_is_refused_not_drawn_with_infinities(number):
    with pytest.raises(InvalidPdf) as refused:
        normalise(_with_widget(number), max_bytes=LIMIT)
    assert refused.value.key == "broken"
    assert "finite number" in refused.value.message("en")


def test_a_widget_with_an_ordinary_rect_is_drawn():
    result = normalise(_with_widget(b"595"), max_bytes=LIMIT)
    assert result.removed == ("form_fields",)
    assert b"inf" not in result.checked.data and b"nan" not in result.checked.data


def test_the_rectangle_reader_is_total():
    from signing import rectangles

    assert rectangles.rectangle(generic.ArrayObject(
        [generic.NumberObject(n) for n in (0, 0, 595, 800)])) == (0, 0, 595, 800)
    for bad in ([0, 0, HUGE, 800], [0, 0, float("inf"), 1], [0, 0, float("nan"), 1],
                [0, 0, 1], [0, 0, 1, 2, 3], [0, 0, True, 1], [0, 0, "1", 1], None, 5):
        value = generic.ArrayObject(bad) if isinstance(bad, list) else bad
        assert rectangles.rectangle(value) is None, bad
    assert rectangles.finite(generic.NumberObject(HUGE)) is None
    assert rectangles.finite(generic.FloatObject("2.5")) == 2.5
