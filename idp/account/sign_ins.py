"""The sign-in history: every sign-in and passkey re-check of a citizen, the newest `KEEP` shown.

A session listener (idp.sessions.add_listener) records each one, in one transaction with the
passkey's last-used device (`idp.account.passkey_devices`): when, a new session or a re-check,
the browser and system, and the passkey's label then. Recovery-code sessions and sign-ins
with a wallet are recorded too (no passkey). Closing the account deletes the history with the passkeys.

A passkey sign-in (`/webauthn/authentication/verify`) records its entry itself, in the
transaction that verifies the assertion and moves the sign count (`record_passkey_use`): one
transaction per sign-in, not two. It then starts the session with `history_recorded=True`, and
the listener leaves that session alone.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from idp.account import passkey_devices
from idp.account.models import SignIn
from idp.assurance import amr
from idp.citizens.models import Citizen, Passkey
from idp.logout.devices import Device
from idp.sessions import SessionChange, SessionEvent
from idp.webauthn.encoding import from_b64url, passkey_mark
from idp.webauthn.errors import CloneSuspected
from infra.db import get_db

KEEP = 20
# The history holds at most MOST entries: it grows past KEEP until an entry would make it
# longer than MOST, which trims it back to the newest KEEP in the same transaction. One DELETE
# every KEEP + 1 sign-ins instead of one per sign-in; the page shows the newest KEEP either way.
MOST = 2 * KEEP
EVENTS = {SessionEvent.STARTED: "sign_in", SessionEvent.REAUTHENTICATED: "recheck"}

# Built once (SQLAlchemy keeps their compiled form), table statements without the ORM's unit of
# work. The INSERT returns how many of the citizen's entries are older than the new one (a
# subquery in the same statement: no round trip to learn whether to trim). Under concurrent
# sign-ins on PostgreSQL each transaction counts without the others' uncommitted entries, so
# the history may briefly hold a few more than MOST; the next sign-in trims it.
log = logging.getLogger(__name__)
_TABLE = cast(sa.Table, SignIn.__table__)
# (As SQL text: SQLAlchemy renders no table names inside RETURNING on SQLite, and the
# subquery must tell the new row from the older ones.)
_OLDER = sa.literal_column(
    "(SELECT count(*) FROM sign_ins AS older"
    " WHERE older.citizen_id = sign_ins.citizen_id AND older.id < sign_ins.id)", sa.Integer)
_ADD = (sa.insert(_TABLE)
        .values(citizen_id=sa.bindparam("citizen_id"), at=sa.bindparam("at"),
                kind=sa.bindparam("kind"), device=sa.bindparam("device"),
                passkey_name=sa.bindparam("passkey_name"))
        .returning(_OLDER))
_NEWEST = (sa.select(_TABLE.c.id).where(_TABLE.c.citizen_id == sa.bindparam("citizen_id"))
           .order_by(_TABLE.c.at.desc(), _TABLE.c.id.desc()).limit(KEEP))
_TRIM = (sa.delete(_TABLE)
         .where(_TABLE.c.citizen_id == sa.bindparam("citizen_id"),
                _TABLE.c.id.not_in(_NEWEST.scalar_subquery()))
         .execution_options(cache_neutral=True))


@dataclass(frozen=True)
class SignInView:
    at: datetime
    kind: str
    device: Device | None
    passkey_name: str | None


def record(session: Session, *, citizen_id: uuid.UUID, kind: str, user_agent: str,
           credential_id: bytes | None, now: datetime) -> None:
    """Add one sign-in, keeping at most `MOST` of the citizen's (nothing for an unknown citizen)."""
    if session.get(Citizen, citizen_id) is None:
        return
    connection = session.connection()
    name = None
    if credential_id is not None:
        name = session.scalar(sa.select(Passkey.name).where(Passkey.credential_id == credential_id))
        passkey_devices.note_used(connection, credential_id=credential_id, user_agent=user_agent)
    _add(connection, citizen_id=citizen_id, kind=kind, device=passkey_devices.summary(user_agent),
         passkey_name=name, now=now)


def _add(connection: sa.Connection, *, citizen_id: uuid.UUID, kind: str, device: str | None,
         passkey_name: str | None, now: datetime) -> None:
    older = connection.execute(_ADD, {"citizen_id": citizen_id, "at": now, "kind": kind,
                                      "device": device, "passkey_name": passkey_name}).scalar_one()
    if older + 1 > MOST:
        connection.execute(_TRIM, {"citizen_id": citizen_id})


def record_passkey_use(connection: sa.Connection, *, citizen_id: uuid.UUID, kind: str,
                       user_agent: str, credential_id: bytes, passkey_name: str,
                       last_used_device: str | None, now: datetime) -> None:
    """A passkey sign-in's entry, in the sign-in's own transaction (the citizen and the passkey
    were just read in it, with the passkey's label and last-used device): the passkey's device
    is written only when it changed. The caller then starts the session with
    `history_recorded=True`, so the session listener does not record it again."""
    device = passkey_devices.summary(user_agent)
    if device is not None and device != last_used_device:
        passkey_devices.note_used(connection, credential_id=credential_id, user_agent=user_agent)
    _add(connection, citizen_id=citizen_id, kind=kind, device=device, passkey_name=passkey_name,
         now=now)


def record_clone_signal(connection: sa.Connection, *, citizen_id: str, passkey_id: int,
                        now: datetime) -> bytes | None:
    """A passkey's counter went back with a valid signature (a cloned authenticator): it is
    marked suspect (refused until the citizen removes it) and the citizen's history says so,
    once; its credential id then (None when it was marked before). Its own transaction: the
    refused sign-in's was rolled back."""
    from idp.citizens.services import mark_suspect

    if not mark_suspect(connection, passkey_id=passkey_id, now=now):
        return None
    row = connection.execute(sa.select(Passkey.name, Passkey.credential_id)
                             .where(Passkey.id == passkey_id)).first()
    if row is None:
        return None
    _add(connection, citizen_id=uuid.UUID(citizen_id), kind="clone_suspected", device=None,
         passkey_name=row.name, now=now)
    return bytes(row.credential_id)


def note_clone(exc: CloneSuspected) -> None:
    """`record_clone_signal` for a refused sign-in, re-check or document approval, in a
    transaction of its own; then every session opened or last checked with that passkey ends
    (the clone may have signed in first)."""
    from idp.sessions import end_session, sessions_for
    from idp.webauthn.encoding import b64url

    if exc.passkey_id is None or exc.citizen_id is None:
        return
    with get_db(current_app).engine.begin() as connection:
        credential = record_clone_signal(connection, citizen_id=exc.citizen_id, passkey_id=exc.passkey_id,
                                         now=datetime.now(UTC))
    if credential is None:
        return
    log.warning("passkey marked suspect: its signature counter went back",
                extra={"citizen_id": exc.citizen_id, "passkey_id": exc.passkey_id})
    ended = [sso for sso in sessions_for(exc.citizen_id) if sso.credential_id == b64url(credential)]
    _revoke_made_with(exc.citizen_id, {sso.sid for sso in ended}, b64url(credential))
    for sso in ended:
        end_session(sid=sso.sid, reason="passkey_suspect")


def _revoke_made_with(citizen_id: str, sids: set[str], credential_id: str) -> None:
    """The grants agencies got with a passkey marked suspect (`credential_id`, base64url; in any
    session, ended ones too) or in its sessions, with their tokens (reason `passkey_suspect`,
    back-channel logout; consents stay): a refresh token outlives its session, and the clone's
    agency apps would read on. So do the wallet credentials taken with it: the clone's holder
    took the citizen's documents into a wallet of their own (the citizen takes theirs again)."""
    from idp.consent.consents import get_consents
    from idp.wallet.credential import revoke_made_with

    mark = passkey_mark(credential_id)
    grants = get_consents().grants
    with get_db(current_app).transaction() as db:
        revoke_made_with(db, passkeys=[credential_id], now=datetime.now(UTC))
        for grant in grants.active(db, citizen_id=uuid.UUID(citizen_id), reason="passkey_suspect"):
            if grant.sid in sids or grant.passkey == mark:
                grants.revoke(db, grant.id, reason="passkey_suspect", now=datetime.now(UTC))


def recent(session: Session, citizen_id: uuid.UUID) -> list[SignInView]:
    rows = session.scalars(sa.select(SignIn).where(SignIn.citizen_id == citizen_id)
                           .order_by(SignIn.at.desc(), SignIn.id.desc()).limit(KEEP))
    return [SignInView(at=r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC), kind=r.kind,
                       device=passkey_devices.parse(r.device), passkey_name=r.passkey_name)
            for r in rows]


def on_session_event(change: SessionChange) -> None:
    """Session listener: a new session or a re-check is one entry of the history."""
    kind = EVENTS.get(change.event)
    if kind is None or change.history_recorded:  # recorded in the sign-in's own transaction
        return
    session = change.session
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


__all__ = ["KEEP", "MOST", "SignInView", "on_session_event", "recent", "record", "record_passkey_use"]
