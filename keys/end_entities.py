"""Seal and citizen certificates (ETSI EN 319 412-3 and 412-2 subjects) issued by the issuing
CA, the agencies' current seal certificates, and the one-time keys of citizens' certificates."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509

from keys import policies, revoked_ca, subject_names, x509
from keys.errors import InvalidRequest, KeyNotFound
from keys.models import Certificate, StoredKey
from keys.pki_core import PkiCore
from keys.pki_material import IssuedCertificate, normalise_serial

log = logging.getLogger("keys.pki")  # the PKI's one logger, whichever module of it logs


class EndEntityIssuance(PkiCore):
    def issue_seal(self, *, client_id: str, organization_name: str,
                   organization_identifier: str, now: datetime) -> IssuedCertificate:
        """An electronic-seal certificate for an agency (ETSI EN 319 412-3 subject)."""
        if not client_id or not organization_name or not organization_identifier:
            raise InvalidRequest("client_id, organization name and identifier must not be empty")
        organization_name = subject_names.organization_name(organization_name)
        organization_identifier = subject_names.organization_identifier(organization_identifier)
        subject = x509.name(country_name=str(self.section["country"]), organization_name=organization_name,
                            organization_identifier=organization_identifier, common_name=organization_name)
        extensions = x509.end_entity_extensions(
            key_usage={"digital_signature", "non_repudiation"}, purposes=x509.SIGNING_PURPOSES,
            policies=(policies.SEAL_POLICY, policies.ETSI_NCP))
        return self._issue_end_entity(role="seal", subject=subject, client_id=client_id,
                                      lifetime=timedelta(days=int(self.section["seal_days"])),
                                      extensions=extensions, now=now)

    def issue_citizen(self, *, given_name: str, surname: str, serial_number: str | None,
                      level: str, now: datetime, lifetime: timedelta | None = None,
                      identified: bool = True) -> IssuedCertificate:
        """A short-lived signing certificate naming a citizen (ETSI EN 319 412-2 subject).

        `level`: the level of assurance of the sign-in that approved the signature, stated
        as the certificate policy (`keys.policies.CITIZEN_POLICIES`). `serial_number` is the
        semantic identifier, e.g. "IDCSV-01234567-8" (EN 319 412-1, 5.1.3), only for proofed
        identities (substantial or high): nobody vouches for a self-asserted national ID.
        `identified=False`: a proofed certificate without it (EN 319 412-2, 4.2.4 asks only
        for the country, the names and the common name), for a signature whose recipient may
        not learn the identifier; `serial_number` must then be None.
        """
        if level not in policies.CITIZEN_POLICIES:
            raise InvalidRequest(f"level must be one of {', '.join(policies.LEVELS)}, "
                                 f"got {level!r}")
        if not given_name or not surname:
            raise InvalidRequest("given name and surname must not be empty")
        if not identified and serial_number:
            raise InvalidRequest("a certificate without the semantic identifier takes no "
                                 f"serial number; got {serial_number!r}")
        if level == "low":
            serial_number = None
        elif identified and not serial_number:
            raise InvalidRequest("a proofed citizen's certificate needs the semantic "
                                 "identifier (serial number), unless identified=False")
        subject = x509.name(country_name=str(self.section["country"]), given_name=given_name,
                            surname=surname, serial_number=serial_number or "",
                            common_name=subject_names.person_common_name(given_name, surname))
        extensions = x509.end_entity_extensions(
            key_usage={"digital_signature", "non_repudiation"}, purposes=x509.SIGNING_PURPOSES,
            policies=(policies.CITIZEN_POLICIES[level], policies.ETSI_NCP))
        return self._issue_end_entity(
            role="citizen", subject=subject, client_id=None, extensions=extensions, now=now,
            lifetime=lifetime or timedelta(minutes=int(self.section["citizen_minutes"])))

    def _issue_end_entity(self, *, role: str, subject: asn1_x509.Name, client_id: str | None,
                          lifetime: timedelta, extensions: list[dict[str, Any]], now: datetime
                          ) -> IssuedCertificate:
        material = self.material()
        with self.custody.database.transaction() as session:
            revoked_ca.refuse_issuing(session, KeyNotFound)
            issued = self._issue(session, now=now, role=role, name=None,
                                 issuer=material.issuing, subject=subject, lifetime=lifetime,
                                 alg=self.leaf_algorithm, extensions=extensions,
                                 client_id=client_id)
        return IssuedCertificate(issued.serial, issued.certificate, issued.key, self.chain())

    def destroy_key(self, issued: IssuedCertificate) -> None:
        """Destroy the private key of a one-time certificate (a citizen's), for good: its
        wrapped form is erased from the database in one transaction, then the key store
        forgets it (software) or deletes it from the token (PKCS#11). Logged."""
        with self.custody.database.transaction() as session:
            row = session.get(StoredKey, issued.key.key_id, with_for_update=True)
            if row is not None:
                row.wrapped = None
        self.custody.destroy(issued.key)
        log.info("one-time signing key destroyed",
                 extra={"key_id": issued.key.key_id, "certificate": issued.serial,
                        "backend": self.custody.backend})

    def current_seal(self, *, client_id: str, now: datetime) -> IssuedCertificate:
        """The newest valid, unrevoked seal certificate of an agency."""
        with self.custody.database.read() as session:
            revoked_ca.refuse_issuing(session, KeyNotFound)
            row = session.execute(
                sa.select(Certificate, StoredKey).join(StoredKey, StoredKey.id == Certificate.key_id)
                .where(Certificate.client_id == client_id, Certificate.role == "seal",
                       Certificate.revoked_at.is_(None), Certificate.not_after > now)
                .order_by(Certificate.not_before.desc(), Certificate.created_at.desc()).limit(1)
            ).first()
        if row is None:
            raise KeyNotFound(f"client {client_id!r} has no valid seal certificate; run "
                              f"`cedula pki issue-seal --client {client_id} --organization \"LEGAL NAME\" "
                              "--organization-id NTRSV-NUMBER` (the registered identifier, ETSI EN 319 412-1 form)")
        return self._issued(*row)

    def certificate(self, serial: str) -> IssuedCertificate:
        with self.custody.database.read() as session:
            row = session.execute(
                sa.select(Certificate, StoredKey).join(StoredKey, StoredKey.id == Certificate.key_id)
                .where(Certificate.serial == normalise_serial(serial))).first()
        if row is None:
            raise KeyNotFound(f"no certificate with serial {serial}")
        return self._issued(*row)

    def _issued(self, cert: Certificate, stored: StoredKey) -> IssuedCertificate:
        return IssuedCertificate(cert.serial, asn1_x509.Certificate.load(cert.der),
                                 self.custody.ref(stored), self.chain())


__all__ = ["EndEntityIssuance"]
