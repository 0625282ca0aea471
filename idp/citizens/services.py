"""Citizen accounts and their passkeys: each function runs inside the caller's transaction."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.enrolment import EnrolmentData
from idp.citizens.errors import (
    CredentialExists,
    EnrolmentRefused,
    LastPasskey,
    PasskeyNotFound,
    SignCountRaced,
)
from idp.citizens.models import Citizen, Passkey
from idp.webauthn.registration import NewPasskey
from infra.unique_insert import insert_unique

USER_HANDLE_BYTES = 32
PASSKEY_NAME_MAX = 64


def new_user_handle() -> bytes:
    """A random WebAuthn user handle (W3C WebAuthn Level 3, section 14.6.1: no personal data)."""
    return secrets.token_bytes(USER_HANDLE_BYTES)


def national_id_taken(session: Session, *, scheme: str, national_id: str) -> bool:
    return session.scalar(
        sa.select(sa.literal(True)).where(Citizen.national_id_scheme == scheme,
                                          Citizen.national_id == national_id)
    ) is not None


def get_citizen(session: Session, citizen_id: uuid.UUID | str) -> Citizen | None:
    try:
        key = citizen_id if isinstance(citizen_id, uuid.UUID) else uuid.UUID(citizen_id)
    except ValueError:
        return None
    return session.get(Citizen, key)


def find_by_national_id(session: Session, *, scheme: str, national_id: str) -> Citizen | None:
    return session.scalar(sa.select(Citizen).where(Citizen.national_id_scheme == scheme,
                                                   Citizen.national_id == national_id))


def _name(requested: str, taken: Sequence[str]) -> str:
    name = requested[:PASSKEY_NAME_MAX]
    number = 2
    while name in taken:
        suffix = f" ({number})"
        name = requested[:PASSKEY_NAME_MAX - len(suffix)] + suffix
        number += 1
    return name


def _passkey_row(citizen_id: uuid.UUID, passkey: NewPasskey, *, name: str,
                 now: datetime) -> Passkey:
    return Passkey(citizen_id=citizen_id, credential_id=passkey.credential_id,
                   public_key=passkey.public_key, sign_count=passkey.sign_count,
                   aaguid=passkey.aaguid, attestation_format=passkey.attestation_format,
                   transports=list(passkey.transports), backup_eligible=passkey.backup_eligible,
                   backed_up=passkey.backed_up, name=name, created_at=now, last_used_at=None)


def credential_registered(session: Session, credential_id: bytes) -> bool:
    return session.scalar(
        sa.select(sa.literal(True)).where(Passkey.credential_id == credential_id)) is not None


def new_citizen(data: EnrolmentData, *, now: datetime, user_handle: bytes | None = None) -> Citizen:
    """The citizen row for enrolment data (not added: each route adds it under its own refusal:
    enrolment, assisted enrolment at a service point, reclaiming an ID)."""
    return Citizen(id=uuid.uuid4(), user_handle=user_handle or new_user_handle(), given_name=data.given_name,
                   family_name=data.family_name, birthdate=data.birthdate,
                   national_id_scheme=data.national_id_scheme, national_id=data.national_id,
                   email=data.email, created_at=now)


def enrol(session: Session, *, data: EnrolmentData, user_handle: bytes, passkey: NewPasskey,
          passkey_name: str, now: datetime) -> Citizen:
    """Create the citizen and their first passkey, or EnrolmentRefused.

    Uniqueness of the national ID is checked again here, under the unique constraint,
    because another enrolment may have finished since the options were issued.
    """
    if credential_registered(session, passkey.credential_id):
        raise CredentialExists("this passkey is already registered")
    citizen = new_citizen(data, now=now, user_handle=user_handle)
    insert_unique(session, citizen, _passkey_row(citizen.id, passkey, name=_name(passkey_name, ()), now=now),
                  taken=EnrolmentRefused("national ID or user handle already enrolled"))
    return citizen


def add_passkey(session: Session, *, citizen_id: uuid.UUID, passkey: NewPasskey,
                passkey_name: str, now: datetime) -> Passkey:
    """Register another passkey for a citizen; CredentialExists if it is known already."""
    if credential_registered(session, passkey.credential_id):
        raise CredentialExists("this passkey is already registered")
    names = session.scalars(sa.select(Passkey.name).where(Passkey.citizen_id == citizen_id)).all()
    row = _passkey_row(citizen_id, passkey, name=_name(passkey_name, names), now=now)
    insert_unique(session, row, taken=CredentialExists("this passkey is already registered"))
    return row


def passkeys_of(session: Session, citizen_id: uuid.UUID) -> list[Passkey]:
    return list(session.scalars(sa.select(Passkey).where(Passkey.citizen_id == citizen_id)
                                .order_by(Passkey.created_at, Passkey.id)))


# A sign-in's two statements, built once (SQLAlchemy keeps their compiled form); with the
# UPDATE as a table statement, a verified assertion runs a quarter fewer Python calls.
_PASSKEY_BY_CREDENTIAL = (sa.select(Passkey)
                          .where(Passkey.credential_id == sa.bindparam("credential_id"))
                          .options(sa.orm.joinedload(Passkey.citizen)))
_TABLE = cast(sa.Table, Passkey.__table__)
_RECORD_USE = (
    sa.update(_TABLE)
    .where(_TABLE.c.id == sa.bindparam("passkey_id"),
           _TABLE.c.sign_count == sa.bindparam("previous_count"))
    .values(sign_count=sa.bindparam("new_count"), backed_up=sa.bindparam("new_backed_up"),
            last_used_at=sa.bindparam("used_at"))
    # Nothing a cache keeps depends on these (infra.invalidation): no cache generation per sign-in.
    .execution_options(cache_neutral=True)
)


def find_passkey(session: Session, credential_id: bytes) -> Passkey | None:
    """The passkey with this credential ID, with its citizen loaded (one query)."""
    return session.scalar(_PASSKEY_BY_CREDENTIAL, {"credential_id": credential_id})


_CITIZENS = cast(sa.Table, Citizen.__table__)
_PASSKEY_FOR_ASSERTION = (
    sa.select(_TABLE.c.id, _TABLE.c.citizen_id, _TABLE.c.credential_id, _TABLE.c.public_key,
              _TABLE.c.sign_count, _TABLE.c.backup_eligible, _TABLE.c.name,
              _TABLE.c.last_used_device, _TABLE.c.suspect_since, _CITIZENS.c.user_handle)
    .join(_CITIZENS, _CITIZENS.c.id == _TABLE.c.citizen_id)
    .where(_TABLE.c.credential_id == sa.bindparam("credential_id"))
)


def passkey_for_assertion(connection: sa.Connection,
                          credential_id: bytes) -> sa.Row[*tuple[Any, ...]] | None:
    """What verifying an assertion reads of a passkey and its citizen (id, citizen_id,
    credential_id, public_key, sign_count, backup_eligible, name, last_used_device,
    suspect_since, user_handle): one table statement on the transaction's connection, only these columns, no
    ORM objects to build. (An ORM session's caller passes `session.connection()`.)"""
    return connection.execute(_PASSKEY_FOR_ASSERTION, {"credential_id": credential_id}).first()


def holds_passkey(session: Session, citizen_id: uuid.UUID, credential_id: str) -> bool:
    """Whether the citizen still holds the passkey `credential_id` (base64url, as a session or
    a check names it), not marked suspect: what a step taken on the strength of an earlier
    passkey check re-reads in its own transaction (a desk recovery, a reclaim or the owner may
    have ended that passkey meanwhile)."""
    from idp.webauthn.encoding import from_b64url

    try:
        raw = from_b64url(credential_id, limit=1023)
    except ValueError:
        return False
    return session.scalar(sa.select(Passkey.id).where(Passkey.citizen_id == citizen_id,
                                                      Passkey.credential_id == raw,
                                                      Passkey.suspect_since.is_(None))) is not None


def mark_suspect(connection: sa.Connection, *, passkey_id: int, now: datetime) -> bool:
    """Mark a passkey as suspect (a cloned authenticator: its counter went back with a valid
    signature); True the first time. Refused at sign-in from then on, until removed."""
    result = connection.execute(sa.update(_TABLE).where(_TABLE.c.id == passkey_id,
                                                        _TABLE.c.suspect_since.is_(None))
                                .values(suspect_since=now))
    return bool(result.rowcount)


def record_use(connection: sa.Connection, *, passkey_id: int, previous_count: int,
               sign_count: int, backed_up: bool, now: datetime) -> None:
    """Store the new counter and last use in one UPDATE that also checks the counter read
    (SignCountRaced if another sign-in got there first). A table statement on the transaction's
    connection: no ORM unit of work, and nothing loaded is synchronised (a caller holding the
    passkey as an ORM object keeps the values it was read with)."""
    result = connection.execute(_RECORD_USE, {
        "passkey_id": passkey_id, "previous_count": previous_count, "new_count": sign_count,
        "new_backed_up": backed_up, "used_at": now})
    if result.rowcount != 1:
        raise SignCountRaced("the signature counter changed during this sign-in")


def _owned(session: Session, citizen_id: uuid.UUID, credential_id: bytes) -> Passkey:
    passkey = session.scalar(sa.select(Passkey).where(Passkey.citizen_id == citizen_id,
                                                      Passkey.credential_id == credential_id))
    if passkey is None:
        raise PasskeyNotFound("no such passkey on this account")
    return passkey


def trust_passkey(session: Session, *, citizen_id: uuid.UUID, credential_id: bytes) -> Passkey:
    """The citizen vouches for a passkey marked suspect (every copy of it is theirs, e.g. a
    restored backup): it is accepted again, and its counter starts afresh (the copies' counters
    are not comparable with the one stored)."""
    passkey = _owned(session, citizen_id, credential_id)
    passkey.suspect_since = None
    passkey.sign_count = 0
    session.flush()
    return passkey


def rename_passkey(session: Session, *, citizen_id: uuid.UUID, credential_id: bytes,
                   name: str) -> Passkey:
    passkey = _owned(session, citizen_id, credential_id)
    passkey.name = name
    return passkey


def delete_passkey(session: Session, *, citizen_id: uuid.UUID, credential_id: bytes) -> None:
    """Remove a passkey, never the last one (LastPasskey)."""
    # Lock the citizen so two deletions cannot both see two passkeys (PostgreSQL;
    # SQLite has a single writer).
    session.execute(sa.select(Citizen.id).where(Citizen.id == citizen_id).with_for_update())
    passkey = _owned(session, citizen_id, credential_id)
    count = session.scalar(sa.select(sa.func.count()).select_from(Passkey)
                           .where(Passkey.citizen_id == citizen_id))
    if count is None or count <= 1:
        raise LastPasskey("a citizen keeps at least one passkey")
    session.delete(passkey)
    session.flush()
