"""The authoritative register interface: does this enrolment match the civil registry?

A register implements `CivilRegister.match(session, query=...)` and returns a MatchResult;
it raises RegistryUnavailable when it cannot answer (the citizen can ask again later).
Matching rules (docs/assurance.md): the same national ID (normalised by the configured
scheme), the same date of birth, and the same given and family names compared without
regard to case, accents or repeated spaces.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from sqlalchemy.orm import Session

Outcome = Literal["match", "not_found", "mismatch"]
ContactChannel = Literal["email", "phone", "postal"]


@dataclass(frozen=True)
class Contact:
    """A channel the register holds for the person (their contact of record): proofing sends
    a one-time code there to check that the applicant controls it."""

    channel: ContactChannel
    address: str


@dataclass(frozen=True)
class RegisterQuery:
    national_id_scheme: str
    national_id: str  # normalised by the scheme
    given_name: str
    family_name: str
    birthdate: date


@dataclass(frozen=True)
class MatchResult:
    outcome: Outcome
    source: str  # which register answered, for the audit trail
    # For "mismatch": which fields differ (never their values).
    fields: tuple[str, ...] = ()
    # For "match": the register's contacts of record for this person (may be empty).
    contacts: tuple[Contact, ...] = ()

    @property
    def matched(self) -> bool:
        return self.outcome == "match"


class CivilRegister(Protocol):
    name: str

    def match(self, session: Session, *, query: RegisterQuery) -> MatchResult:
        """Compare the enrolment data with the register's record of that national ID."""


def fold(name: str) -> str:
    """A name compared without case, accents or extra spaces: "  José  ÁLVAREZ" -> "jose alvarez"."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def compare(query: RegisterQuery, *, given_name: str, family_name: str, birthdate: date,
            source: str, contacts: tuple[Contact, ...] = ()) -> MatchResult:
    """The matching rules, for any register that returns the record it holds; the contacts
    of record are passed on only when the record matches."""
    differing = tuple(name for name, same in (
        ("given_name", fold(query.given_name) == fold(given_name)),
        ("family_name", fold(query.family_name) == fold(family_name)),
        ("birthdate", query.birthdate == birthdate),
    ) if not same)
    if differing:
        return MatchResult("mismatch", source, differing)
    return MatchResult("match", source, contacts=contacts)
