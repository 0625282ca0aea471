"""El Salvador's Documento Único de Identidad (DUI): eight digits, a hyphen, a check digit.

The check digit (Registro Nacional de las Personas Naturales, RNPN) is
D = (10 - (d1*9 + d2*8 + ... + d8*2) mod 10) mod 10.
"""

from __future__ import annotations

import re

from idp.citizens.national_id.base import NationalIdScheme

_SHAPE = re.compile(r"([0-9]{8})-?([0-9])")
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def check_digit(digits: str) -> str:
    """The DUI check digit of eight ASCII digits."""
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True))
    return str((10 - total % 10) % 10)


class DUI(NationalIdScheme):
    code = "sv-dui"
    country = "SV"
    example = "04892613-5"

    def normalise(self, raw: str) -> str:
        """Canonical form "NNNNNNNN-D"; the hyphen is optional on input."""
        value = self._compact(raw)
        match = _SHAPE.fullmatch(value)
        if match is None:
            raise self._invalid("format", "expected 8 digits, an optional hyphen and a check "
                                          f"digit (NNNNNNNN-D); got {len(value)} characters")
        digits, given = match.groups()
        if check_digit(digits) != given:
            raise self._invalid("check", "the check digit does not match the 8 digits")
        return f"{digits}-{given}"
