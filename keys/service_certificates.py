"""The certificates of the PKI's own services: the time-stamping authority (RFC 3161) and the
delegated OCSP responder (RFC 6960, 4.2.2.2), each with a key of its own from the issuing CA.

None is issued under a revoked issuing CA (RFC 5280, 6.3: every verifier refuses it, and its
key may be a thief's): the responder keeps the certificate it has and goes on answering, so
relying parties still learn what is revoked (RFC 6960, 2.2); the TSA grants nothing
(`keys.tsa`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from keys import revoked_ca, x509
from keys.errors import InvalidRequest
from keys.pki_core import PkiCore
from keys.pki_material import Authority


class ServiceCertificates(PkiCore):
    def _issue_service(self, session: Session, name: str, *, issuer: Authority,
                       now: datetime) -> Authority:
        """A new key and certificate for the TSA or the delegated OCSP responder; `InvalidRequest`
        under a revoked issuing CA, saying since when and what to do."""
        if (revoked := revoked_ca.issuing_revocation(session)) is not None:
            raise InvalidRequest(f"no {name} certificate is issued: {revoked}")
        org = str(self.section["organization"])
        if name == "tsa":
            return self._issue(session, now=now, role="tsa", name="tsa", issuer=issuer,
                               subject=self._subject(f"{org} Time-Stamping Authority"),
                               lifetime=timedelta(days=int(self.section["service_days"])),
                               alg=self.leaf_algorithm,
                               extensions=x509.end_entity_extensions(
                                   key_usage={"digital_signature", "non_repudiation"},
                                   purposes=["time_stamping"], eku_critical=True))  # RFC 3161
        # RFC 6960, 4.2.2.2: a delegated responder, short-lived and not itself checked
        return self._issue(session, now=now, role="ocsp", name="ocsp", issuer=issuer,
                           subject=self._subject(f"{org} OCSP Responder"),
                           lifetime=timedelta(days=int(self.section["responder_days"])),
                           alg=self.leaf_algorithm,
                           extensions=x509.end_entity_extensions(
                               key_usage={"digital_signature"}, purposes=["ocsp_signing"],
                               ocsp_nocheck=True))


    def renewal_window(self, name: str) -> timedelta:
        """How long before its notAfter a certificate is renewed (or warned about): the OCSP
        responder at half its life, the others `[pki] renew_before_days` ahead."""
        if name == "ocsp":
            return timedelta(days=int(self.section["responder_days"])) / 2
        return timedelta(days=int(self.section["renew_before_days"]))



__all__ = ["ServiceCertificates"]
