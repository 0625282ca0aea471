"""The QR code of the verification address, drawn as vector rectangles (ISO/IEC 18004)."""

from __future__ import annotations

from functools import lru_cache

import segno

QUIET_ZONE = 4  # modules of light margin on each side (ISO/IEC 18004:2015, 9.1)


@lru_cache(maxsize=256)
def matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of the QR code for `data`, row by row from the top (True is dark)."""
    code = segno.make(data, error="m", micro=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def draw(data: str, *, x: float, y: float, size: float) -> bytes:
    """Content-stream operators filling the dark modules inside the square at (`x`, `y`).

    (`x`, `y`) is the lower-left corner of the square of side `size`, quiet zone included.
    """
    rows = matrix(data)
    count = len(rows) + 2 * QUIET_ZONE
    module = size / count
    top = y + size - QUIET_ZONE * module
    ops: list[str] = []
    for r, row in enumerate(rows):
        row_y = top - (r + 1) * module
        start = None
        for c, dark in enumerate((*row, False)):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                left = x + (QUIET_ZONE + start) * module
                ops.append(f"{left:.3f} {row_y:.3f} {(c - start) * module:.3f} {module:.3f} re")
                start = None
    ops.append("f")
    return ("\n".join(ops) + "\n").encode("ascii")
