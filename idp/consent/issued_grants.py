"""The grants an agency holds, as withdrawing its access needs them: which are active, and
revoking one with every token issued from it.

The OpenID Provider issues and keeps the grants (`idp.oidc`), and it depends on this package
(the standing consent, the release log), not the reverse: it provides `IssuedGrants`
(`idp.oidc.grant_withdrawal.GrantWithdrawal`) and installs it in `ISSUED_GRANTS` when it is
built, before this package (`idp.app`'s wiring checks the order).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from infra.components import Slot


@dataclass(frozen=True)
class ActiveGrant:
    """A grant not revoked: whose, for which agency, in which SSO session, made with which
    passkey (`idp.webauthn.encoding.passkey_mark`; None: not known), at which level (its `acr`
    URI, and the level of assurance it names, "low", "substantial" or "high"; None: not
    known)."""

    id: uuid.UUID
    client_id: str
    sid: str
    passkey: str | None = None
    acr: str | None = None
    level: str | None = None
    wallet: bool = False
    """Made in a wallet sign-in (its `amr`, `idp.assurance.amr.wallet`): it rests on a PID."""


class IssuedGrants(Protocol):
    def active(self, session: Session, *, citizen_id: uuid.UUID,
               client_id: str | None = None, reason: str = "citizen", level: str | None = None) -> list[ActiveGrant]:
        """The citizen's active grants (of one agency, or of all), read to withdraw them:
        `reason` why (`citizen`; `recovery_code`: a recovery code lowered the account's
        proofing; `reported_passkey`: a passkey added with one of a reported model did;
        `wallet_pid_expired`, `wallet_pid_revoked`: the PID it rested on lapsed;
        `passkey_deleted`, `passkey_suspect`: a passkey was deleted or marked suspect), told to a code
        in flight refused for it; `level`, for a lowering: the level left, at or below which a
        code in flight stands."""
        ...

    def revoke(self, session: Session, grant_id: uuid.UUID, *, reason: str, now: datetime) -> bool:
        """Revoke the grant and every token issued from it, in the caller's transaction; True
        if it was active."""
        ...


ISSUED_GRANTS: Slot[IssuedGrants] = Slot("issued grants")

__all__ = ["ISSUED_GRANTS", "ActiveGrant", "IssuedGrants"]
