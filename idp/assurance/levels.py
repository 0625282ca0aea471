"""Levels of assurance: identity proofing x authenticator -> the level of a sign-in.

The level of a sign-in is the lower of how well the identity was proven and how strong the
authenticator was (eIDAS, Commission Implementing Regulation (EU) 2015/1502, annex sections
2.1 and 2.2; NIST SP 800-63-3 keeps them apart as IAL and AAL). docs/assurance.md maps the
three levels to eIDAS LoA and NIST IAL/AAL.
"""

from __future__ import annotations

from typing import Literal

Level = Literal["low", "substantial", "high"]
LEVELS: tuple[Level, ...] = ("low", "substantial", "high")

# How the citizen's identity was proven (eIDAS 2015/1502 annex 2.1.2; NIST SP 800-63A
# section 4.4: evidence validated AND the applicant verified to be its genuine owner).
PROOFING_METHODS: dict[str, Level] = {
    "self_asserted": "low",      # typed in at enrolment, nothing checked
    # The details match the authoritative civil register: the evidence exists, but anyone who
    # read the ID card knows them; nothing shows the applicant is that person. Still low.
    "register_match": "low",
    # Plus a one-time code sent to a contact the register holds for that person (e-mail,
    # phone, postal address) and entered back: the applicant controls the person's channel.
    "register_channel": "substantial",
    "in_person": "high",         # a registrar checked the identity document face to face
    "eudi_wallet": "high",       # a PID (LoA high) from a trusted issuer matched the record
}


def rank(level: str) -> int:
    """0, 1 or 2; ValueError naming the expected values for anything else."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"unknown level of assurance {level!r}; expected one of "
                         f"{', '.join(LEVELS)}") from None


def as_level(level: str) -> Level:
    """A stored level as a `Level`; ValueError (as `rank`) for anything else."""
    return LEVELS[rank(level)]


def lower(a: Level, b: Level) -> Level:
    return a if rank(a) <= rank(b) else b


def at_least(level: str, minimum: str) -> bool:
    return rank(level) >= rank(minimum)


def authenticator_level(*, user_verified: bool, backup_eligible: bool,
                        attestation_trusted: bool) -> Level:
    """eIDAS 2015/1502 annex 2.2.1 for a passkey.

    Any passkey with user verification is two factors (possession + knowledge or inherence):
    substantial. High needs protection against duplication and tampering: the private key
    must stay in one device (not backup eligible, W3C WebAuthn Level 3 section 6.1.3) made by
    a maker whose attestation chains to a root the FIDO metadata vouches for.
    """
    if not user_verified:
        return "low"
    if not backup_eligible and attestation_trusted:
        return "high"
    return "substantial"


def sign_in_level(*, proofing: Level, authenticator: Level) -> Level:
    """The level of a sign-in: the lower of the two facts (eIDAS 2015/1502 annex 2)."""
    return lower(proofing, authenticator)


__all__ = ["LEVELS", "PROOFING_METHODS", "Level", "at_least", "authenticator_level", "lower",
           "rank", "sign_in_level"]
