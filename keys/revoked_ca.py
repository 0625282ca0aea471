"""A revoked CA issues, seals and is certified no more (RFC 5280, 6.3: once a CA certificate is
revoked, every certificate under it fails validation, so what it would still issue or sign is
refused by every verifier).

Revoking the issuing CA is a root ceremony (`cedula pki revoke <serial> --reason cACompromise`);
its key is then never certified again: the same name and key under a new certificate would make
every certificate the key's thief issued valid again. Recovery is a new PKI (docs/pki.md).
For the same reason, revoking the current issuing CA certificate, or any certificate of its key
for a key compromise, revokes every certificate of that key: `renew issuing` leaves the earlier
ones valid until they expire, a path a verifier would otherwise still build.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.utc import as_utc
from keys.errors import KeyStoreError
from keys.models import Certificate


def revocation(row: Certificate) -> str | None:
    """What to say of the CA certificate `row` if it is revoked (since when, why, what now)."""
    if row.revoked_at is None:
        return None
    return (f"the issuing CA certificate {row.serial} was revoked at "
            f"{as_utc(row.revoked_at).isoformat()} ({row.revocation_reason}): nothing is issued "
            "or signed under it, and its key is not certified again; a new PKI is needed "
            "(docs/pki.md, Revocation)")


def issuing_revocation(session: Session) -> str | None:
    """`revocation` of the current issuing CA certificate (None: not revoked, or no PKI yet)."""
    row = session.scalar(sa.select(Certificate).where(Certificate.name == "issuing"))
    return revocation(row) if row is not None else None


def refuse(row: Certificate, error: type[KeyStoreError]) -> None:
    """Raise `error` when the CA certificate `row` is revoked, saying since when and why."""
    if (said := revocation(row)) is not None:
        raise error(said)


def refuse_issuing(session: Session, error: type[KeyStoreError]) -> None:
    """Raise `error` when the current issuing CA certificate is revoked (`refuse`)."""
    if (said := issuing_revocation(session)) is not None:
        raise error(said)


COMPROMISE = ("keyCompromise", "cACompromise")


def mark(session: Session, row: Certificate, *, at: datetime, reason: str,
         invalidity_date: datetime | None) -> None:
    """Record `row` revoked (RFC 5280, 5.3.1 and 5.3.2); for the current issuing CA certificate,
    or an issuing one revoked for a key compromise, also every other unrevoked certificate of
    its key (retiring an earlier one, superseded, leaves the current one alone)."""
    rows = [row]
    if row.role == "issuing" and (row.name == "issuing" or reason in COMPROMISE):
        rows += session.scalars(sa.select(Certificate).where(
            Certificate.role == "issuing", Certificate.key_id == row.key_id,
            Certificate.serial != row.serial, Certificate.revoked_at.is_(None))
            .order_by(Certificate.serial).with_for_update()).all()
    for each in rows:
        each.revoked_at, each.revocation_reason, each.invalidity_date = at, reason, invalidity_date


__all__ = ["COMPROMISE", "issuing_revocation", "mark", "refuse", "refuse_issuing", "revocation"]
