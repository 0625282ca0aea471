"""Proof of possession of a register channel: a one-time code sent to a contact of record.

A register match only shows that the details typed in exist; anyone who has seen the ID card
knows them. Substantial needs proof that the applicant is their genuine owner (eIDAS CIR
2015/1502 annex 2.1.2 "verified to be in possession of evidence"; NIST SP 800-63A section
5.3.3.2, confirmation code sent to an address of record): a code is sent to an e-mail
address, phone number or postal address that the authoritative register holds for that
person, and entering it back proves control of that channel.

Codes are 8 random digits, kept only as HMAC-SHA256(key, id:code); valid for
`assurance.code_seconds` (letters: `postal_code_seconds`), single use, at most
`code_attempts` wrong entries each. Codes sent and wrong entries are limited per claimant and
per national ID over a short window (`code_window_seconds`), which bounds guessing without
locking the real holder out for longer than that window. Every function runs in the
caller's transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from idp.assurance.errors import AssuranceError
from idp.assurance.models import PossessionAttempt, PossessionCode
from idp.civil_register.base import Contact

CODE_DIGITS = 8
PURPOSES = ("proofing", "reclaim")
CHANNEL_ORDER = ("email", "phone", "postal")


@dataclass(frozen=True)
class CodeLimits:
    """`[assurance]` code_* settings (their defaults are in config/default.toml only)."""

    code_seconds: int
    postal_code_seconds: int
    code_attempts: int
    code_sends: int
    national_id_attempts: int
    window_seconds: int
    national_id_daily_sends: int


class PossessionError(AssuranceError):
    """A code that cannot be sent or is not accepted; `code` is the machine code."""

    code = "possession_failed"


class NoSuchChannel(PossessionError):
    """The register holds no contact of that kind for this person."""

    code = "no_such_channel"


class TooManyAttempts(PossessionError):
    """Too many codes sent or wrong codes entered lately; try again after `retry_after`."""

    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class CodeRefused(PossessionError):
    """The code entered is not accepted; `reason` is "wrong", "expired", "used" or "none"
    (no code was sent to this claimant)."""

    code = "invalid_code"

    def __init__(self, reason: str) -> None:
        super().__init__({"wrong": "the code does not match a code sent to you",
                          "expired": "the code has expired; ask for a new one",
                          "used": "the code was already used",
                          "none": "no code was sent to you; ask for one first"}[reason])
        self.reason = reason


@dataclass(frozen=True)
class IssuedCode:
    """A code just made: `code` (plain, for the message only, never stored) and where it goes."""

    id: uuid.UUID
    code: str
    contact: Contact
    hint: str
    expires_at: datetime


def mask(contact: Contact) -> str:
    """What the applicant is shown of a contact of record: enough to recognise it, not to
    learn it. "a•••@example.org", "•••••••• 01", "… San Salvador" (the last line)."""
    if contact.channel == "email":
        local, _, domain = contact.address.rpartition("@")
        return f"{local[:1]}•••@{domain}"
    if contact.channel == "phone":
        return f"•••••••• {contact.address[-2:]}"
    return f"… {contact.address.splitlines()[-1]}"


def display(code: str) -> str:
    """An 8-digit code as it is written in messages: "1234 5678"."""
    return f"{code[:4]} {code[4:]}"


def _digest(key: bytes, code_id: uuid.UUID, code: str) -> bytes:
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).digest()


def _aware(moment: datetime, like: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC): compare like with like."""
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment


def _retry_after(oldest: datetime | None, now: datetime, window: int) -> int:
    if oldest is None:
        return window
    return int((_aware(oldest, now) + timedelta(seconds=window) - now).total_seconds()) + 1


def _refuse_past_limit(session: Session, at: InstrumentedAttribute[datetime],
                       where: tuple[ColumnElement[bool], ...], *, limit: int, seconds: int,
                       now: datetime, what: str, period: str) -> None:
    """TooManyAttempts when `limit` or more rows matching `where` are younger than `seconds`
    (by their moment `at`): "<count> <what> in the last <period>", and when to try again."""
    count, oldest = session.execute(
        sa.select(sa.func.count(), sa.func.min(at))
        .where(*where, at > now - timedelta(seconds=seconds))).one()
    if count >= limit:
        raise TooManyAttempts(f"{count} {what} in the last {period}",
                              retry_after=_retry_after(oldest, now, seconds))


def _same_id(model: type[PossessionCode] | type[PossessionAttempt], national_id_scheme: str,
             national_id: str) -> tuple[ColumnElement[bool], ...]:
    return (model.national_id_scheme == national_id_scheme, model.national_id == national_id)


def _refuse_past_window(session: Session, model: type[PossessionCode] | type[PossessionAttempt],
                        at: InstrumentedAttribute[datetime], *, purpose: str, claimant: str,
                        national_id_scheme: str, national_id: str, claimant_limit: int, id_limit: int,
                        window: int, now: datetime, what: str) -> None:
    """TooManyAttempts past `claimant_limit` rows of `model` for the claimant (and purpose) or
    `id_limit` rows for the national ID in the last `window` seconds (by their moment `at`):
    "<count> <what> for you|this national ID in the last <window> seconds"."""
    same_claimant = (model.purpose == purpose, model.claimant == claimant)
    for where, limit, who in ((same_claimant, claimant_limit, "you"),
                              (_same_id(model, national_id_scheme, national_id), id_limit, "this national ID")):
        _refuse_past_limit(session, at, where, limit=limit, seconds=window, now=now,
                           what=f"{what} for {who}", period=f"{window} seconds")


def issue_code(session: Session, *, key: bytes, limits: CodeLimits, purpose: str, claimant: str,
               national_id_scheme: str, national_id: str, contact: Contact, source: str,
               now: datetime) -> IssuedCode:
    """Make a code for `contact`; TooManyAttempts past the limits of codes sent per claimant
    and per national ID in the window, or per national ID in a day (the wrong-entry limits apply here too: no new code
    while entering codes is blocked)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}; expected one of {', '.join(PURPOSES)}")
    _refuse_past_window(session, PossessionCode, PossessionCode.created_at, purpose=purpose, claimant=claimant,
                        national_id_scheme=national_id_scheme, national_id=national_id,
                        claimant_limit=limits.code_sends, id_limit=limits.national_id_attempts,
                        window=limits.window_seconds, now=now, what="codes were sent")
    # The person's mailbox is not a target either.
    _refuse_past_limit(session, PossessionCode.created_at, _same_id(PossessionCode, national_id_scheme, national_id),
                       limit=limits.national_id_daily_sends, seconds=86400, now=now,
                       what="codes were sent for this national ID", period="day")
    _check_failures(session, limits=limits, purpose=purpose, claimant=claimant,
                    national_id_scheme=national_id_scheme, national_id=national_id, now=now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    code_id = uuid.uuid4()
    seconds = limits.postal_code_seconds if contact.channel == "postal" else limits.code_seconds
    expires = now + timedelta(seconds=seconds)
    hint = mask(contact)
    session.add(PossessionCode(
        id=code_id, purpose=purpose, claimant=claimant, national_id_scheme=national_id_scheme,
        national_id=national_id, channel=contact.channel, address_hint=hint[:120],
        source=source[:100], code_hash=_digest(key, code_id, code), created_at=now,
        expires_at=expires, failed_attempts=0, used_at=None))
    session.flush()
    return IssuedCode(id=code_id, code=code, contact=contact, hint=hint, expires_at=expires)


def withdraw(session: Session, code_id: uuid.UUID) -> None:
    """Forget a code that could not be delivered (it counts against no limit)."""
    session.execute(sa.delete(PossessionCode).where(PossessionCode.id == code_id))


def _check_failures(session: Session, *, limits: CodeLimits, purpose: str, claimant: str,
                    national_id_scheme: str, national_id: str, now: datetime) -> None:
    _refuse_past_window(session, PossessionAttempt, PossessionAttempt.at, purpose=purpose, claimant=claimant,
                        national_id_scheme=national_id_scheme, national_id=national_id,
                        claimant_limit=limits.code_attempts, id_limit=limits.national_id_attempts,
                        window=limits.window_seconds, now=now, what="wrong codes were entered")


def pending_code(session: Session, *, purpose: str, claimant: str,
                 now: datetime) -> PossessionCode | None:
    """The newest code sent to this claimant that can still be entered."""
    return session.scalar(
        sa.select(PossessionCode)
        .where(PossessionCode.purpose == purpose, PossessionCode.claimant == claimant,
               PossessionCode.used_at.is_(None), PossessionCode.expires_at > now)
        .order_by(PossessionCode.created_at.desc()).limit(1))


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of entering a code: `accepted` (the code's row) or `refused` (a
    CodeRefused to raise once the transaction that counted the wrong entry is committed)."""

    accepted: PossessionCode | None = None
    refused: CodeRefused | None = None


def nothing_typed(entered: str) -> bool:
    """Whether `entered` holds no digit at all (empty, or spaces and hyphens): no attempt at a
    code, to ask for one, never to count as a wrong code."""
    return not re.sub(r"[\s-]", "", entered)


def verify_code(session: Session, *, key: bytes, limits: CodeLimits, purpose: str,
                claimant: str, national_id_scheme: str, national_id: str, entered: str,
                now: datetime) -> CodeCheck:
    """Check `entered` against the codes sent to this claimant for this national ID, once.

    TooManyAttempts (raised, nothing written) while the claimant or the national ID has too
    many wrong entries in the window. Otherwise a CodeCheck: accepted, or refused as
    "wrong", "expired", "used" or "none" with the wrong entry counted in this transaction
    (commit it). On success every other code of the claimant stops working too."""
    _check_failures(session, limits=limits, purpose=purpose, claimant=claimant,
                    national_id_scheme=national_id_scheme, national_id=national_id, now=now)
    digits = re.sub(r"[\s-]", "", entered)
    codes = list(session.scalars(
        sa.select(PossessionCode)
        .where(PossessionCode.purpose == purpose, PossessionCode.claimant == claimant,
               PossessionCode.national_id_scheme == national_id_scheme,
               PossessionCode.national_id == national_id)
        .order_by(PossessionCode.created_at.desc()).limit(20)
        .with_for_update()))
    if not codes:
        return CodeCheck(refused=CodeRefused("none"))
    well_formed = len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit()
    found = next((c for c in codes if well_formed and hmac.compare_digest(
        c.code_hash, _digest(key, c.id, digits))), None)
    live = [c for c in codes if c.used_at is None and _aware(c.expires_at, now) > now
            and c.failed_attempts < limits.code_attempts]
    if found is not None and found in live:
        taken = cast(CursorResult[Any], session.execute(
            sa.update(PossessionCode)
            .where(PossessionCode.id == found.id, PossessionCode.used_at.is_(None))
            .values(used_at=now))).rowcount
        if taken != 1:  # a concurrent request used it first
            return CodeCheck(refused=CodeRefused("used"))
        others = [c.id for c in live if c.id != found.id]
        if others:
            session.execute(sa.update(PossessionCode).where(PossessionCode.id.in_(others))
                            .values(used_at=now))
        session.refresh(found)
        return CodeCheck(accepted=found)
    session.add(PossessionAttempt(purpose=purpose, claimant=claimant,
                                  national_id_scheme=national_id_scheme,
                                  national_id=national_id, at=now))
    for c in live:
        c.failed_attempts += 1
    session.flush()
    if found is not None:
        return CodeCheck(refused=CodeRefused("used" if found.used_at is not None else "expired"))
    return CodeCheck(refused=CodeRefused("wrong" if live else "expired"))


def available_channels(contacts: tuple[Contact, ...]) -> list[Contact]:
    """The register's contacts in a stable order: e-mail, phone, postal address."""
    return sorted(contacts, key=lambda c: CHANNEL_ORDER.index(c.channel))


def contact_for(contacts: tuple[Contact, ...], channel: str) -> Contact:
    for contact in contacts:
        if contact.channel == channel:
            return contact
    raise NoSuchChannel(f"the register holds no {channel!r} contact for this person")


__all__ = ["CODE_DIGITS", "CodeCheck", "CodeLimits", "CodeRefused", "IssuedCode", "NoSuchChannel",
           "PossessionError", "TooManyAttempts", "available_channels", "contact_for", "display",
           "issue_code", "mask", "pending_code", "verify_code", "withdraw"]
