"""Who may sign: a citizen's signature needs a sign-in at `documents.minimum_signing_level`.

ETSI EN 319 411-1, section 6.2.2: the CA verifies the subject's identity before it issues a
certificate naming them. A self-asserted identity (level low) is nobody's verified identity,
so the signing pages and API refuse before a file is even uploaded (issue 12);
`signing.citizen_signature` refuses again, whatever the caller did.

The level of the signing sign-in is the lower of two facts (idp.assurance): how well the
identity was proven and how strong the passkey was. Each needs a different remedy, so the
refusal says which one fell short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from idp.assurance.levels import at_least
from idp.assurance.services import Assessment


@dataclass(frozen=True)
class Refusal:
    """Why this sign-in may not sign, and what the citizen can do about it."""

    reason: Literal["identity", "passkey"]
    """"identity": the proofing is below the minimum (raise it on /account/assurance);
    "passkey": the identity is proven well enough but this sign-in's passkey is not
    (sign in again with one that reaches the level)."""
    level: str
    """The level of this sign-in."""
    minimum: str


def refusal(assessment: Assessment, *, minimum: str) -> Refusal | None:
    """None when the sign-in assessed as `assessment` may sign at `minimum`."""
    if at_least(assessment.level, minimum):
        return None
    reason: Literal["identity", "passkey"] = (
        "identity" if not at_least(assessment.proofing, minimum) else "passkey")
    return Refusal(reason=reason, level=assessment.level, minimum=minimum)


__all__ = ["Refusal", "refusal"]
