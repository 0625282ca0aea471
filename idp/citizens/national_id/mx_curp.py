"""Mexico's Clave Única de Registro de Población (CURP), as assigned by RENAPO.

Eighteen characters (Instructivo Normativo para la Asignación de la CURP, DOF 18/10/2021):
1-4 letters from the names (the second a vowel or X), 5-10 date of birth YYMMDD,
11 sex (H, M, or X), 12-13 state of birth (NE: born abroad), 14-16 inner consonants of the
names, 17 a digit for births before 2000 and a letter from 2000 on, 18 the check digit over
the first 17 characters: values in "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ", weights 18..2,
digit = (10 - sum mod 10) mod 10.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from idp.citizens.national_id.base import NationalIdScheme, mod10_check_digit

ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
STATES = frozenset({
    "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC",
    "MN", "MS", "NT", "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ",
    "YN", "ZS", "NE",
})
_SHAPE = re.compile(
    r"[A-Z][AEIOUX][A-Z]{2}"      # initials
    r"([0-9]{6})"                  # YYMMDD
    r"[HMX]"                       # sex
    r"([A-Z]{2})"                  # state of birth
    r"[B-DF-HJ-NP-TV-Z]{3}"        # inner consonants (Ñ is written X)
    r"([0-9A-Z])"                  # homonym differentiator, also the century
    r"[0-9]"                       # check digit
)


def check_digit(first17: str) -> str:
    """The CURP check digit of its first 17 characters."""
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    return mod10_check_digit([ALPHABET.index(c) for c in first17])


class CURP(NationalIdScheme):
    code = "mx-curp"
    country = "MX"
    example = "HEGG560427MVZRRL04"

    def normalise(self, raw: str) -> str:
        """Canonical form: the 18 characters in upper case, without spaces or hyphens."""
        value = self._compact(raw, drop="-")
        match = self._fullmatch(_SHAPE, value, expected="18 characters in the RENAPO layout (AAAA000000HAAAAA00)")
        _, state, _ = match.groups()
        if state not in STATES:
            raise self._invalid("format", f"{state!r} is not a state code of birth")
        born = self._date(value)
        if born > datetime.now(UTC).date():
            raise self._invalid("format", "the date of birth is in the future")
        if check_digit(value[:17]) != value[17]:
            raise self._invalid("check", "the check digit does not match the first 17 "
                                         "characters")
        return value

    def birthdate(self, normalised: str) -> date:
        return self._date(normalised)

    def _date(self, value: str) -> date:
        century = 1900 if value[16].isdigit() else 2000
        try:
            return date(century + int(value[4:6]), int(value[6:8]), int(value[8:10]))
        except ValueError:
            raise self._invalid("format", "positions 5-10 are not a date of birth "
                                          "(YYMMDD)") from None
