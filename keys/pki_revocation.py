"""The operator's revocation of one certificate (RFC 5280, 5.3.1 and 5.3.2), its CA's CRL
reissued in the same transaction, and the status the OCSP responder reads."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from infra.utc import as_utc
from keys import revoked_ca, x509
from keys.crl import invalidity_date_at, reason_code
from keys.crl_publication import CrlPublication
from keys.errors import InvalidRequest, KeyNotFound
from keys.models import Certificate
from keys.pki_material import GENERATION, REVOCATION, SERVICE_NAMES, CertificateStatus, normalise_serial
from keys.service_certificates import ServiceCertificates

log = logging.getLogger("keys.pki")  # the PKI's one logger, whichever module of it logs


class Revocation(CrlPublication, ServiceCertificates):
    def revoke(self, *, serial: str, reason: str, now: datetime,
               invalidity_date: datetime | None = None,
               record: Callable[[Session, CertificateStatus], None] | None = None) -> CertificateStatus:
        """Revoke a certificate; its CA's CRL is regenerated in the same transaction.

        `record(session, status)`: the caller's own record of the revocation (an operator's
        audit entry), written in this transaction too: if it raises, nothing is revoked.

        `invalidity_date`: since when the key is known or suspected to be compromised (RFC
        5280, 5.3.2), earlier than the revocation; verifiers then distrust signatures not
        proven to exist before it, not only those after the revocation.
        """
        reason_code(reason)
        invalidity_date = invalidity_date_at(invalidity_date, now)
        material = self.material()
        with self._crl_lock, self.custody.database.transaction() as session:
            row = session.get(Certificate, normalise_serial(serial), with_for_update=True)
            if row is None:
                raise KeyNotFound(f"no certificate with serial {serial} was issued here")
            if row.role == "root":
                raise InvalidRequest("the root CA certificate cannot be revoked; retire it instead")
            if row.revoked_at is not None:
                raise InvalidRequest(f"certificate {row.serial} was already revoked at "
                                     f"{as_utc(row.revoked_at).isoformat()} ({row.revocation_reason})")
            revoked_ca.mark(session, row, at=now.replace(microsecond=0), reason=reason,
                            invalidity_date=invalidity_date)
            replaced = row.name in SERVICE_NAMES
            if replaced:  # out of use at once: a successor signs from now on
                service, row.name = row.name, None
                session.flush()
                self._issue_service(session, service, issuer=material.issuing, now=now)
                self.custody.bump(session, GENERATION)
            session.flush()
            self.publish_crl(session, material.ca(row.issuer), now)
            self.custody.bump(session, REVOCATION)
            status = CertificateStatus(row.serial, row.issuer, row.revoked_at, reason,
                                       invalidity_date)
            if record is not None:
                record(session, status)
        if replaced:
            self.invalidate()
            log.warning("revoked PKI service certificate replaced",
                        extra={"certificate": status.serial})
        return status

    def statuses(self, ca: str, serials: list[int]) -> dict[int, CertificateStatus]:
        """Status of the given serials under one CA (one query)."""
        keys = [x509.serial_hex(s) for s in serials]
        with self.custody.database.read() as session:
            rows = session.execute(
                sa.select(Certificate.serial, Certificate.revoked_at,
                          Certificate.revocation_reason, Certificate.invalidity_date)
                .where(Certificate.serial.in_(keys), Certificate.issuer == ca,
                       Certificate.role != "root")).all()
        return {int(s, 16): CertificateStatus(s, ca, as_utc(r) if r else None, reason,
                                              as_utc(invalid) if invalid else None)
                for s, r, reason, invalid in rows}


__all__ = ["Revocation"]
