"""What every national identity number scheme provides, and the one error they raise."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import date
from typing import ClassVar, Literal

Reason = Literal["format", "check"]

_CODE = re.compile(r"[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*")
_COUNTRY = re.compile(r"[A-Z]{2}")


class InvalidNationalId(ValueError):
    """A number that is not valid in its scheme.

    `reason` is "format" (wrong length, characters or embedded data) or "check" (well formed,
    but the check digit or letter does not match). The message never repeats the number,
    so it is safe to log.
    """

    def __init__(self, reason: Reason, message: str, *, scheme: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.scheme = scheme


class NationalIdScheme(ABC):
    """One country's identity number: how to recognise it and write it in one canonical form.

    A plug-in subclasses this, sets `code`, `country` and `example`, implements
    `normalise`, and is chosen with `enrolment.national_id_scheme = "package.module:Class"`.
    Its messages (`national_id.<code>.label`, `national_id.<code>.hint`) go in idp's
    gettext catalogs (`idp/translations/<lang>/LC_MESSAGES/messages.po`), like the built-in ones.
    """

    code: ClassVar[str]       # "sv-dui": lower-case ISO 3166-1 alpha-2, a hyphen, the name
    country: ClassVar[str]    # "SV": ISO 3166-1 alpha-2
    example: ClassVar[str]    # a valid number in canonical form, for hints and tests

    @abstractmethod
    def normalise(self, raw: str) -> str:
        """The number in canonical form; raises InvalidNationalId ("format" or "check")."""

    def birthdate(self, normalised: str) -> date | None:
        """The date of birth the number embeds (CURP does), else None."""
        return None

    @property
    def label_key(self) -> str:
        return f"national_id.{self.code}.label"

    @property
    def hint_key(self) -> str:
        return f"national_id.{self.code}.hint"

    # Helpers for subclasses.

    def _compact(self, raw: object, *, drop: str = "") -> str:
        """`raw` without any white space (nor the characters in `drop`), in upper case.

        Only ASCII is accepted: upper-casing other scripts can yield ASCII letters
        ("ﬁ" -> "FI"), and other digit sets would slip past a naive check.
        """
        if not isinstance(raw, str):
            raise self._invalid("format", f"expected text, got {type(raw).__name__}")
        value = "".join(raw.split())
        for char in drop:
            value = value.replace(char, "")
        if not value:
            raise self._invalid("format", "the number is empty")
        if not value.isascii():
            raise self._invalid("format", "the number has characters other than ASCII "
                                          "letters and digits")
        return value.upper()

    def _fullmatch(self, shape: re.Pattern[str], value: str, *, expected: str) -> re.Match[str]:
        """`shape` matched against the whole of `value`, else a "format" error saying what was
        `expected` and how many characters came."""
        match = shape.fullmatch(value)
        if match is None:
            raise self._invalid("format", f"expected {expected}; got {len(value)} characters")
        return match

    def _invalid(self, reason: Reason, message: str) -> InvalidNationalId:
        return InvalidNationalId(reason, f"{self.code}: {message}", scheme=self.code)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


def mod10_check_digit(values: Sequence[int]) -> str:
    """(10 - (v1*(n+1) + v2*n + ... + vn*2) mod 10) mod 10 for n values: the weighted
    check digit of the CURP and of the DUI."""
    total = sum(v * w for v, w in zip(values, range(len(values) + 1, 1, -1), strict=True))
    return str((10 - total % 10) % 10)


def scheme_country(code: str) -> str:
    """The country (ISO 3166-1 alpha-2) of a scheme by its code, as stored with each citizen:
    every code starts with its country (`check_declaration`), "mx-curp" -> "MX"."""
    return code[:2].upper()


def check_declaration(cls: type[NationalIdScheme]) -> None:
    """Raise ValueError unless `cls` declares a usable code, country and example."""
    code = getattr(cls, "code", None)
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"code must look like 'sv-dui' (country, hyphen, name); "
                         f"got {code!r}")
    country = getattr(cls, "country", None)
    if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
        raise ValueError(f"country must be an ISO 3166-1 alpha-2 code such as 'SV'; "
                         f"got {country!r}")
    if code[:2] != country.lower():
        raise ValueError(f"code {code!r} must start with its country {country!r}")
    example = getattr(cls, "example", None)
    if not isinstance(example, str) or not example:
        raise ValueError("example must be a valid number in canonical form")
