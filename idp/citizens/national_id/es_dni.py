"""Spain's Documento Nacional de Identidad (DNI) and foreigners' número (NIE).

DNI: eight digits and a control letter, "TRWAGMYFPDXBNJZSQVHLCKE"[number mod 23]
(Real Decreto 1553/2005, art. 11). NIE: X, Y or Z, seven digits and a control letter;
the initial stands for 0, 1 or 2 in front of the digits, then the same rule applies
(Orden INT/2058/2008).
"""

from __future__ import annotations

import re

from idp.citizens.national_id.base import NationalIdScheme

LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_NIE_PREFIX = {"X": "0", "Y": "1", "Z": "2"}
_DNI = re.compile(r"([0-9]{8})([A-Z])")
_NIE = re.compile(r"([XYZ])([0-9]{7})([A-Z])")


def control_letter(number: int) -> str:
    return LETTERS[number % 23]


class DNI(NationalIdScheme):
    code = "es-dni"
    country = "ES"
    example = "12345678Z"

    def normalise(self, raw: str) -> str:
        """Canonical form "12345678Z" (DNI) or "X1234567L" (NIE), upper case, no separators."""
        value = self._compact(raw, drop="-.")
        if match := _DNI.fullmatch(value):
            digits, given = match.groups()
            number = int(digits)
        elif match := _NIE.fullmatch(value):
            initial, digits, given = match.groups()
            number = int(_NIE_PREFIX[initial] + digits)
        else:
            raise self._invalid("format", "expected a DNI (8 digits and a letter) or an NIE "
                                          "(X, Y or Z, 7 digits and a letter); "
                                          f"got {len(value)} characters")
        if control_letter(number) != given:
            raise self._invalid("check", "the control letter does not match the digits")
        return value
