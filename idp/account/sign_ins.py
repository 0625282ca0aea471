"""The sign-in history: every sign-in and passkey re-check of a citizen, the newest `KEEP`.

A session listener (idp.sessions.add_listener) records each one, in one transaction with the
passkey's last-used device (`idp.account.passkey_devices`): when, a new session or a re-check,
the browser and system, and the passkey's label then. Recovery-code sessions and sign-ins
with a wallet are recorded too (no passkey). Closing the account deletes the history with the passkeys.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from idp.account import passkey_devices
from idp.account.models import SignIn
from idp.assurance import amr
from idp.citizens.models import Citizen, Passkey
from idp.logout.devices import Device
from idp.sessions import SsoSession
from idp.webauthn.encoding import from_b64url
from infra.db import get_db

KEEP = 20
EVENTS = {"started": "sign_in", "reauthenticated": "recheck"}


@dataclass(frozen=True)
class SignInView:
    at: datetime
    kind: str
    device: Device | None
    passkey_name: str | None


def record(session: Session, *, citizen_id: uuid.UUID, kind: str, user_agent: str,
           credential_id: bytes | None, now: datetime) -> None:
    """Add one sign-in and drop the citizen's oldest beyond `KEEP` (nothing for an unknown citizen)."""
    if session.get(Citizen, citizen_id) is None:
        return
    name = None
    if credential_id is not None:
        name = session.scalar(sa.select(Passkey.name).where(Passkey.credential_id == credential_id))
        passkey_devices.note_used(session, credential_id=credential_id, user_agent=user_agent)
    session.add(SignIn(citizen_id=citizen_id, at=now, kind=kind,
                       device=passkey_devices.summary(user_agent), passkey_name=name))
    session.flush()
    newest = (sa.select(SignIn.id).where(SignIn.citizen_id == citizen_id)
              .order_by(SignIn.at.desc(), SignIn.id.desc()).limit(KEEP))
    session.execute(sa.delete(SignIn).where(SignIn.citizen_id == citizen_id,
                                            SignIn.id.not_in(newest.scalar_subquery()))
                    .execution_options(cache_neutral=True, synchronize_session=False))


def recent(session: Session, citizen_id: uuid.UUID) -> list[SignInView]:
    rows = session.scalars(sa.select(SignIn).where(SignIn.citizen_id == citizen_id)
                           .order_by(SignIn.at.desc(), SignIn.id.desc()).limit(KEEP))
    return [SignInView(at=r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC), kind=r.kind,
                       device=passkey_devices.parse(r.device), passkey_name=r.passkey_name)
            for r in rows]


def on_session_event(*, event: str, session: SsoSession, reason: str) -> None:
    """Session listener: a new session or a re-check is one entry of the history."""
    kind = EVENTS.get(event)
    if kind is None:
        return
    if session.recovery:
        kind = "recovery"
    elif kind == "sign_in" and amr.wallet(session.amr):
        kind = "wallet"  # signed in with a PID from a digital wallet (idp/wallet/sign_in.py)
    try:
        raw = from_b64url(session.credential_id, limit=1023) if session.credential_id else None
        citizen = uuid.UUID(session.citizen_id)
    except ValueError:
        return
    with get_db(current_app).transaction() as db:
        record(db, citizen_id=citizen, kind=kind, user_agent=session.user_agent,
               credential_id=raw, now=datetime.fromtimestamp(session.auth_time, UTC))


__all__ = ["KEEP", "SignInView", "on_session_event", "recent", "record"]
