"""Rectangles and the numbers in them, read from a PDF (ISO 32000-2, 7.9.5: four numbers).

The one home for reading a /Rect (or a /BBox): an entry whose numbers may be references (ISO
32000-2, 7.3.10: any object may be referenced), integers of any length (7.3.3 sets no bound;
a 400-digit integer is no float: `float()` raises OverflowError) or reals no float holds (a
400-digit real reads as infinity). A number that is not finite is no number here, and a
rectangle with one is no rectangle: each caller says what that means (the verifier counts a
widget it cannot place as shown, the normalisation refuses the file) instead of an exception
or an infinity escaping into arithmetic and rewritten content (pdfatk15).
"""

from __future__ import annotations

import decimal
import math

from pyhanko.pdf_utils import generic

from signing.pdf_objects import resolved

Rectangle = tuple[float, float, float, float]


def finite(value: object) -> float | None:
    """`value` (resolved) as a finite float, or None: not a number (a boolean is none), or one
    no float holds."""
    value = resolved(value)
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def rectangle(value: object) -> Rectangle | None:
    """`value` (resolved) as a rectangle of four finite numbers (x1, y1, x2, y2, as written),
    or None."""
    value = resolved(value)
    if not isinstance(value, generic.ArrayObject) or len(value) != 4:
        return None
    numbers = [finite(value.raw_get(i)) for i in range(4)]
    if any(number is None for number in numbers):
        return None
    x1, y1, x2, y2 = (number for number in numbers if number is not None)
    return x1, y1, x2, y2
