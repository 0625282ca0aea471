"""The grants that end when the account's identity proofing goes back to low.

A recovery code (`idp.account.views.recover`) and a passkey added in a session checked with a
passkey whose model the FIDO metadata reports compromised (`idp.webauthn.views`) reset the
proofing (`idp.assurance.services.reset_proofing`): they prove possession of something the
account had, not who the person is. In that transaction the grants agencies hold at a level
above low (their `acr`) are revoked with their tokens: no refresh token goes on asserting a
level of assurance the account no longer has (nor releasing national_id at it). Grants at level
low stay, and so do the consents. `reason` is the revocation's, and what a code in flight is
refused for (`idp.oidc.codes.settled`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

REASONS = ("recovery_code", "reported_passkey")


def revoke_grants_above_low(db: Session, citizen_id: uuid.UUID, *, reason: str) -> None:
    """In the transaction that lowered the proofing: revoke the citizen's grants above low."""
    from idp.consent.consents import get_consents
    from idp.oidc.current import provider

    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}; expected one of {', '.join(REASONS)}")
    low = provider().settings.acr_uris["low"]
    grants = get_consents().grants
    now = datetime.now(UTC)
    for grant in grants.active(db, citizen_id=citizen_id, reason=reason):
        if grant.acr != low:
            grants.revoke(db, grant.id, reason=reason, now=now)


__all__ = ["REASONS", "revoke_grants_above_low"]
