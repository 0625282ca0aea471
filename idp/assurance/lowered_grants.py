"""The grants that end when the account's identity proofing goes down.

A recovery code (`idp.account.views.recover`) and a passkey added in a session checked with a
passkey whose model the FIDO metadata reports compromised (`idp.webauthn.views`) reset the
proofing to low (`services.reset_proofing`): they prove possession of something the account
had, not who the person is. A PID the proofing rested on that expired or was revoked takes it
back to what the other evidence gives (`wallet_proofing.withdraw`). In the transaction that
lowers it, the grants agencies hold at a level above the one left (their `acr`) are revoked
with their tokens: no refresh token goes on asserting a level of assurance the account no
longer has (nor releasing national_id at it). Grants at or below that level stay, and so do
the consents. `reason` is the revocation's, and what a code in flight above that level is
refused for (`idp.oidc.codes.settled`; one at or below it stands).

A lowering is seen when something reads the level; an agency's refresh does not wait for that
(`idp.assurance.held_level.refused_refresh`, which lowers through here)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from idp.assurance.levels import Level, rank

REASONS = ("recovery_code", "reported_passkey", "wallet_pid_expired", "wallet_pid_revoked")


def revoke_grants_above(db: Session, citizen_id: uuid.UUID, *, level: Level, reason: str) -> None:
    """In the transaction that lowered the proofing to `level`: revoke the citizen's grants
    above it (and any whose level is not known)."""
    from idp.consent.consents import get_consents

    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}; expected one of {', '.join(REASONS)}")
    grants = get_consents().grants
    now = datetime.now(UTC)
    for grant in grants.active(db, citizen_id=citizen_id, reason=reason, level=level):
        if grant.level is None or rank(grant.level) > rank(level):
            grants.revoke(db, grant.id, reason=reason, now=now)


__all__ = ["REASONS", "revoke_grants_above"]
