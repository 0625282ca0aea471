"""El Salvador's Documento Único de Identidad (DUI): eight digits, a hyphen, a check digit.

The check digit (Registro Nacional de las Personas Naturales, RNPN) is
D = (10 - (d1*9 + d2*8 + ... + d8*2) mod 10) mod 10.
"""

from __future__ import annotations

import re

from idp.citizens.national_id.base import NationalIdScheme, mod10_check_digit

_SHAPE = re.compile(r"([0-9]{8})-?([0-9])")


def check_digit(digits: str) -> str:
    """The DUI check digit of eight ASCII digits."""
    if len(digits) != 8:
        raise ValueError(f"expected 8 digits, got {len(digits)}")
    return mod10_check_digit([int(d) for d in digits])


class DUI(NationalIdScheme):
    code = "sv-dui"
    country = "SV"
    example = "04892613-5"

    def normalise(self, raw: str) -> str:
        """Canonical form "NNNNNNNN-D"; the hyphen is optional on input."""
        value = self._compact(raw)
        digits, given = self._fullmatch(
            _SHAPE, value, expected="8 digits, an optional hyphen and a check digit (NNNNNNNN-D)").groups()
        if check_digit(digits) != given:
            raise self._invalid("check", "the check digit does not match the 8 digits")
        return f"{digits}-{given}"
