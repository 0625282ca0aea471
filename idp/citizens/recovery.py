"""One-time recovery codes: given at enrolment, kept only as HMAC-SHA256, each used once.

A code is 12 characters from a 32-letter alphabet without look-alikes (60 bits), shown
in groups of four: `K7QM-4TZX-9WHB`. The stored value is HMAC-SHA256 under the provider's
"recovery" key over the citizen's ID and the code, so a copy of the table alone is useless.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.errors import RecoveryFailed
from idp.citizens.models import Citizen, RecoveryCode
from infra.store import EphemeralStore

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
LENGTH = 12
GROUP = 4


def generate_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise_code(raw: str) -> str | None:
    """The code's 12 characters, ignoring case, spaces and hyphens; None if it cannot be one."""
    value = "".join(raw.split()).replace("-", "").upper()
    if len(value) != LENGTH or any(c not in ALPHABET for c in value):
        return None
    return value


def code_hash(key: bytes, citizen_id: uuid.UUID, code: str) -> bytes:
    normalised = normalise_code(code) or ""
    return hmac.new(key, citizen_id.bytes + b":" + normalised.encode(), hashlib.sha256).digest()


def issue_codes(session: Session, *, citizen_id: uuid.UUID, key: bytes, count: int,
                now: datetime) -> list[str]:
    """New codes for the citizen; any unused older codes stop working."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.citizen_id == citizen_id,
                                                  RecoveryCode.used_at.is_(None)))
    codes = [generate_code() for _ in range(count)]
    session.add_all(RecoveryCode(citizen_id=citizen_id, code_hash=code_hash(key, citizen_id, c),
                                 created_at=now) for c in codes)
    session.flush()
    return codes


def last_redeemed(session: Session, citizen_id: uuid.UUID) -> datetime | None:
    """When a recovery code of the account was last spent (`/recover`), or None: the way back
    of a citizen who lost their passkeys' device, whose holder may hold the wallet on it too
    (`idp.wallet.sign_in`). Spent codes are kept (new codes replace only the unused ones)."""
    from infra.utc import as_utc

    return as_utc(session.scalar(sa.select(sa.func.max(RecoveryCode.used_at))
                                 .where(RecoveryCode.citizen_id == citizen_id)))


def codes_left(session: Session, citizen_id: uuid.UUID) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.citizen_id == citizen_id, RecoveryCode.used_at.is_(None))) or 0


def redeem(session: Session, *, scheme: str, national_id: str, code: str, key: bytes,
           now: datetime) -> Citizen:
    """Spend one recovery code of the citizen with this national ID; RecoveryFailed otherwise.

    The same error is raised whether the national ID is unknown or the code is wrong.
    """
    citizen = session.scalar(sa.select(Citizen).where(Citizen.national_id_scheme == scheme,
                                                      Citizen.national_id == national_id))
    if citizen is None or normalise_code(code) is None:
        raise RecoveryFailed("no unused recovery code matches")
    spent = cast("sa.CursorResult[Any]", session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.citizen_id == citizen.id,
               RecoveryCode.code_hash == code_hash(key, citizen.id, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    ))
    if spent.rowcount != 1:
        raise RecoveryFailed("no unused recovery code matches")
    return citizen


# Codes are made when the citizen first sees them, right after enrolment, so their plain
# text is never stored anywhere: enrolment leaves this mark on the new session.
PENDING = "recovery:pending:"
PENDING_SECONDS = 900


def mark_pending(store: EphemeralStore, sid: str) -> None:
    store.set(PENDING + sid, b"1", PENDING_SECONDS)


def take_pending(store: EphemeralStore, sid: str) -> bool:
    return store.take(PENDING + sid) is not None
