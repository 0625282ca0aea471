"""What a recovery code ends of the wallet: its sign-ins made before it.

A citizen who lost the device holding their passkeys takes the account back with a recovery
code (`/recover`), adds a passkey and deletes the lost one's. That device's holder, who has its
screen lock, holds the wallet on it as well: a PID issued before the recovery signs nobody in
any more (`idp.wallet.sign_in.recovered_at`, as after a desk recovery), and what such a PID
opened before the code was spent ends with the code, as the passkey's sessions end with its
deletion: the account's wallet sessions (no passkey deletion reaches them: they hold none) and
the grants agencies got in wallet sign-ins, whose refresh tokens an app on that device holds
(reason `recovery_code`, with their tokens and back-channel logout)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from idp.assurance.amr import wallet
from idp.consent.issued_grants import IssuedGrants
from idp.sessions import end_session, sessions_for

REASON = "recovery_code"


def revoke_wallet_grants(session: Session, grants: IssuedGrants, *, citizen_id: uuid.UUID,
                         now: datetime) -> int:
    """In the recovery's transaction: the citizen's grants made in a wallet sign-in end (how many)."""
    ended = 0
    for grant in grants.active(session, citizen_id=citizen_id, reason=REASON):
        if grant.wallet and grants.revoke(session, grant.id, reason=REASON, now=now):
            ended += 1
    return ended


def end_wallet_sessions(citizen_id: str) -> int:
    """After the recovery's commit: the citizen's sessions signed in with a wallet end (how many)."""
    ended = 0
    for sso in sessions_for(citizen_id):
        if not sso.recovery and sso.credential_id is None and wallet(sso.amr):
            end_session(sid=sso.sid, reason=REASON)
            ended += 1
    return ended


__all__ = ["REASON", "end_wallet_sessions", "revoke_wallet_grants"]
