"""Revoking end-entity certificates in the caller's transaction (RFC 5280, 5.3.1 and 5.3.2).

`Pki.revoke` is the operator's revocation: one certificate, a transaction of its own, refused
when the certificate is already revoked. Some revocations are the effect of another change
instead, which makes what the certificates say untrue: a reclaim finds that the account which
signed PDFs in a person's name was not that person, so the one-time certificates naming the
person must be revoked with it. Both must commit together or not at all: a reclaim recorded
with its certificates still good at the CA is what every other verifier would then believe.

`revoke_certificates(service, session, ...)` marks the certificates revoked and publishes the
CRL of each CA concerned in `session` (the caller commits); the OCSP responder reads the
revocation state from the database on every request, so both answer "revoked" from the commit
on. It is idempotent: a certificate already revoked keeps its revocation, a serial unknown here
or of another role is left alone, so a caller may ask again for the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.utc import as_utc
from keys import x509
from keys.crl import invalidity_date_at, reason_code
from keys.errors import InvalidRequest
from keys.models import Certificate
from keys.pki import REVOCATION, CertificateStatus
from keys.service import KeyService, get_service

END_ENTITY_ROLES = ("citizen", "seal")
"""What this may revoke: never a CA, nor a service certificate (those are the operator's)."""


def _serials(serials: Iterable[str]) -> list[str]:
    """The serials as the PKI stores them (lower-case hex), unparsable ones left out."""
    found = set()
    for serial in serials:
        try:
            found.add(x509.serial_hex(x509.parse_serial(serial)))
        except ValueError:
            continue
    return sorted(found)


def revoke_certificates(app_or_service: KeyService | None, session: Session, *,
                        serials: Iterable[str], role: str, reason: str,
                        invalidity_date: datetime | None, now: datetime) -> tuple[CertificateStatus, ...]:
    """Revoke, in the caller's transaction, the certificates of `role` among `serials` that are
    not revoked yet, with `reason` (an RFC 5280 name, e.g. "keyCompromise") and
    `invalidity_date` (RFC 5280, 5.3.2: since when they are known or suspected to be invalid;
    not in the future), and publish their CAs' CRLs in that transaction. Rows are locked in
    serial order. Returns what was revoked now (nothing: no CRL is published)."""
    if role not in END_ENTITY_ROLES:
        raise InvalidRequest(f"role must be one of {', '.join(END_ENTITY_ROLES)}, got {role!r}")
    reason_code(reason)
    at = as_utc(now).replace(microsecond=0)
    invalidity_date = invalidity_date_at(invalidity_date, at)
    wanted = _serials(serials)
    if not wanted:
        return ()
    rows = session.scalars(sa.select(Certificate).where(
        Certificate.serial.in_(wanted), Certificate.role == role, Certificate.revoked_at.is_(None))
        .order_by(Certificate.serial).with_for_update()).all()
    if not rows:
        return ()
    for row in rows:
        row.revoked_at, row.revocation_reason, row.invalidity_date = at, reason, invalidity_date
    session.flush()
    pki = get_service(app_or_service).pki
    material = pki.material()
    for ca in sorted({row.issuer for row in rows}):
        pki.publish_crl(session, material.ca(ca), now)
    pki.custody.bump(session, REVOCATION)
    return tuple(CertificateStatus(row.serial, row.issuer, at, reason, invalidity_date) for row in rows)


__all__ = ["END_ENTITY_ROLES", "revoke_certificates"]
