"""The enrolment form's fields: validated and normalised, all errors at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from idp.citizens.errors import InvalidFields
from idp.citizens.national_id import InvalidNationalId, NationalIdScheme

FIELDS = ("given_name", "family_name", "birthdate", "national_id", "email")
NAME_MAX = 100
EMAIL_MAX = 254
# A pragmatic address check (RFC 5321 limits; one @, a dotted domain, no spaces).
EMAIL_PATTERN = re.compile(r"[^\s@]{1,64}@(?=.{1,253}$)[^\s@.]+(?:\.[^\s@.]+)+")


@dataclass(frozen=True)
class EnrolmentData:
    given_name: str
    family_name: str
    birthdate: date
    national_id_scheme: str
    national_id: str
    email: str

    def to_json(self) -> dict[str, str]:
        data = asdict(self)
        data["birthdate"] = self.birthdate.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> EnrolmentData:
        fields: dict[str, Any] = {**data, "birthdate": date.fromisoformat(data["birthdate"])}
        return cls(**fields)


# Default_Ignorable_Code_Point characters (Unicode DerivedCoreProperties.txt) that are not
# format controls (category Cf, refused with the other C categories): they render as nothing,
# yet count as letters (Hangul fillers) or combining marks (variation selectors, the combining
# grapheme joiner, Khmer and Mongolian invisibles).
_INVISIBLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f"
                        "\uffa0\U000e0100-\U000e01ef]")


def _name(raw: object) -> tuple[str | None, str | None]:
    if not isinstance(raw, str):
        return None, "enrol.error.required"
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    if not value:
        return None, "enrol.error.required"
    if len(value) > NAME_MAX:
        return None, "enrol.error.too_long"
    if any(unicodedata.category(c)[0] in "CS" and c not in "'’" for c in value) or \
            _INVISIBLE.search(value) or not any(c.isalpha() for c in value):
        return None, "enrol.error.name"
    if not _plain_letters(value):
        return None, "enrol.error.name_script"
    return value, None


def _script(letter: str) -> str:
    """The script of a letter as its Unicode name starts ("LATIN", "CYRILLIC", "GREEK", ...)."""
    return unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]


def _plain_letters(value: str) -> bool:
    """A name printed in certificates and shown to agencies as the person's: no compatibility
    characters (full-width, mathematical or ligature letters, which NFKC folds to plain ones:
    Unicode UAX #15) and the letters of one script only (UTS #39 section 5.1, single script:
    "Mаría" with a Cyrillic "а" looks like "María" and is another string)."""
    if unicodedata.normalize("NFKC", value) != value:
        return False
    return len({_script(c) for c in value if c.isalpha()}) <= 1


def _required(fields: Mapping[str, object], name: str, errors: dict[str, str]) -> str | None:
    """The field's text without surrounding white space; None, with its "required" error, when
    it is missing, not text or blank."""
    raw = fields.get(name)
    if not isinstance(raw, str) or not raw.strip():
        errors[name] = "enrol.error.required"
        return None
    return raw.strip()


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate(fields: Mapping[str, object], *, scheme: NationalIdScheme, minimum_age: int,
             today: date) -> EnrolmentData:
    """The enrolment data, or InvalidFields naming every field that is wrong."""
    errors: dict[str, str] = {}
    given, err = _name(fields.get("given_name"))
    if err:
        errors["given_name"] = err
    family, err = _name(fields.get("family_name"))
    if err:
        errors["family_name"] = err

    born: date | None = None
    raw_date = _required(fields, "birthdate", errors)
    if raw_date is not None:
        try:
            born = date.fromisoformat(raw_date)
            if len(raw_date) != 10:
                raise ValueError
        except ValueError:
            errors["birthdate"] = "enrol.error.birthdate_format"
            born = None
        if born is not None:
            if born > today or born.year < 1900:
                errors["birthdate"] = "enrol.error.birthdate_range"
            elif _age(born, today) < minimum_age:
                errors["birthdate"] = "enrol.error.too_young"

    national_id: str | None = None
    raw_id = _required(fields, "national_id", errors)
    if raw_id is not None:
        try:
            national_id = scheme.normalise(raw_id)
        except InvalidNationalId as exc:
            errors["national_id"] = f"national_id.error.{exc.reason}"
        else:
            embedded = scheme.birthdate(national_id)
            if embedded is not None and born is not None and embedded != born:
                errors["birthdate"] = "enrol.error.birthdate_mismatch"

    email = _required(fields, "email", errors)
    if email is not None:
        if len(email) > EMAIL_MAX or not EMAIL_PATTERN.fullmatch(email):
            errors["email"] = "enrol.error.email"
        else:
            local, _, domain = email.rpartition("@")
            email = f"{local}@{domain.lower()}"

    # A field left None always has its error.
    if errors or given is None or family is None or born is None or national_id is None or email is None:
        raise InvalidFields({f: errors[f] for f in FIELDS if f in errors})
    return EnrolmentData(given_name=given, family_name=family, birthdate=born,
                         national_id_scheme=scheme.code, national_id=national_id, email=email)
