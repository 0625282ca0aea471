"""A signature field added after signing whose /Rect holds a number no float holds (pdfatk15).

ISO 32000-2, 7.3.3 sets no bound on how an integer is written; Python's `float` of a 400-digit
integer raises OverflowError. `differences._shows` raised it, and the verification answered
422 damaged_pdf only because a catch-all further up took it. The rectangle is now read at its
one home (`signing.rectangles`): a number that is not finite makes no rectangle, and a widget
whose rectangle cannot be read is counted as shown, as any other that a viewer may draw its own
way (INDETERMINATE, form_filling), never a damaged file or an exception.
"""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils import generic

from tests.signing.verify import attack_kit as kit
from tests.signing.verify.test_widget_geometry import _empty_field_over_the_text

HUGE = 10 ** 400



def _number(n):
    return generic.NumberObject(n) if isinstance(n, int) else generic.FloatObject(n)


def _rect(*numbers) -> list:
    return [_number(n) for n in numbers]


def _rect_pyhanko_calls_invisible(x1, x2) -> list:
    """[x1 5 0 R x2 800]: pyHanko does not resolve the indirect number (48 here) and grades
    the new field an LTA update; Cédula's own reading of the rectangle decides."""
    return [_number(x1), generic.IndirectObject(5, 0, None), _number(x2), _number(800)]


@pytest.mark.parametrize("rect", [(0, HUGE), (-HUGE, 595), (0, "1" + "0" * 400 + ".5")],
                         ids=["huge", "minus_huge", "huge_real"])
def test_a_field_with_a_rect_no_float_holds_is_counted_as_shown(verifier, signed_indirect,
                                                                client, rect):
    pdf = _empty_field_over_the_text(signed_indirect, _rect_pyhanko_calls_invisible(*rect),
                                     flags=4)
    kit.assert_added_field_shown(client, verifier, pdf)
