"""The issuing CA's lifecycle: the PKI's creation (the root key ceremony), what is due for
renewal, and the succession of the issuing CA (recertified by the root under the same key) and
of the services' certificates under it (`keys.succession`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509
from sqlalchemy.orm import Session

from infra.utc import as_utc
from keys import revoked_ca, succession, x509
from keys.crl_publication import CrlPublication
from keys.errors import InvalidRequest
from keys.models import Certificate
from keys.pki_material import CA_NAMES, GENERATION, SERVICE_NAMES, Authority, stored_key
from keys.service_certificates import ServiceCertificates

log = logging.getLogger("keys.pki")  # the PKI's one logger, whichever module of it logs


class IssuingCaLifecycle(CrlPublication, ServiceCertificates):
    def init(self, now: datetime) -> bool:
        """Create the PKI unless it exists (idempotent). True when it was created now."""
        if self.initialised():
            return False
        org = str(self.section["organization"])
        days = {k: timedelta(days=int(self.section[f"{k}_days"]))
                for k in ("root", "issuing", "service")}
        with self.custody.database.transaction() as session:
            if session.scalar(sa.select(Certificate.serial).where(Certificate.name == "root")):
                return False
            root = self._issue(session, now=now, role="root", name="root", issuer=None,
                               subject=self._subject(f"{org} Root CA"), lifetime=days["root"],
                               alg=self.ca_algorithm,
                               extensions=x509.ca_extensions(path_length=1))
            issuing = self._issue(session, now=now, role="issuing", name="issuing", issuer=root,
                                  subject=self._subject(f"{org} Issuing CA"),
                                  lifetime=days["issuing"], alg=self.ca_algorithm,
                                  extensions=x509.ca_extensions(path_length=0))
            for service in SERVICE_NAMES:
                self._issue_service(session, service, issuer=issuing, now=now)
            for ca in (root, issuing):
                self.publish_crl(session, ca, now)
            self.custody.bump(session, GENERATION)
        self.invalidate()
        return True


    def due(self, now: datetime) -> dict[str, datetime]:
        """What needs renewing within its window: {"tsa" | "ocsp" | "issuing" | "root" |
        "root_crl": when it expires}. The root CRL is issued offline, like the root."""
        material = self.material()
        found = {}
        for name in (*CA_NAMES, *SERVICE_NAMES):
            not_after = as_utc(getattr(material, name).certificate.not_valid_after)
            if not_after - now <= self.renewal_window(name):
                found[name] = not_after
        next_update = self.root_crl_next_update()
        if next_update is not None and next_update - now <= self.renewal_window("root"):
            found["root_crl"] = next_update
        return found

    def issuing_revocation(self) -> str | None:
        """What to say of the current issuing CA certificate if it is revoked (`keys.revoked_ca`),
        read from the database now; None while it is not."""
        with self.custody.database.read() as session:
            return revoked_ca.issuing_revocation(session)

    def renew_services(self, now: datetime) -> list[str]:
        """Renew the TSA and OCSP responder certificates that are due, unless a successor would end
        with the issuing CA (`keys.succession`; its key is online, the root's is not needed). Safe
        in several processes at once: the current row is locked and checked again. Returns the names.
        Under a revoked issuing CA nothing is renewed (`keys.service_certificates`): the responder
        answers with the certificate it has, and this never raises for it."""
        material = self.material()
        due = [name for name in SERVICE_NAMES if succession.due(  # not one ending with the CA
            not_after=getattr(material, name).certificate.not_valid_after, now=now,
            window=self.renewal_window(name), issuer_not_after=material.issuing.certificate.not_valid_after)]
        if due and self.issuing_revocation() is not None:  # read only when something is due
            return []
        return [name for name in due if self.renew(name, now, only_if_due=True)]

    def renew(self, name: str, now: datetime, *, only_if_due: bool = False,
              record: Callable[[Session], None] | None = None) -> bool:
        """Issue the successor of the TSA, OCSP responder or issuing CA certificate now.

        `record(session)`: the caller's own record of the renewal (an operator's audit entry),
        written in this transaction: both commit together, and if it raises nothing is renewed.

        TSA and OCSP get a new key from the issuing CA. The issuing CA keeps its key and is
        certified again by the root (same name and key: every certificate, CRL and OCSP
        response it signed stays valid): this needs the root key, a ceremony, never the web
        process. The previous certificate stays on record (and valid until it expires) but
        is no longer used. Under a revoked issuing CA nothing is renewed (`InvalidRequest`, saying
        why: `keys.revoked_ca`).
        """
        if name not in (*SERVICE_NAMES, "issuing"):
            raise InvalidRequest(f"renew one of tsa, ocsp, issuing; not {name!r}")
        material = self.material()
        with self._crl_lock, self.custody.database.transaction() as session:
            current = session.execute(sa.select(Certificate).where(Certificate.name == name)
                                      .with_for_update()).scalar_one()
            cap = material.ca("root" if name == "issuing" else "issuing").certificate.not_valid_after
            if only_if_due and not succession.due(not_after=as_utc(current.not_after), issuer_not_after=cap,
                                                  now=now, window=self.renewal_window(name)):
                return False  # another process renewed it first, or a successor would end with its issuer
            previous = current.serial
            current.name = None
            session.flush()
            if name == "issuing":
                self._recertify_issuing(session, current, material.root, now)
            else:
                self._issue_service(session, name, issuer=material.issuing, now=now)
            self.custody.bump(session, GENERATION)
            if record is not None:
                record(session)
        self.invalidate()
        log.info("PKI certificate renewed", extra={"certificate": name, "previous": previous})
        return True

    def _recertify_issuing(self, session: Session, current: Certificate, root: Authority,
                           now: datetime) -> None:
        revoked_ca.refuse(current, InvalidRequest)  # a revoked CA key is never certified again
        stored = stored_key(session, current.key_id)
        old = asn1_x509.Certificate.load(current.der)
        not_before = now.replace(microsecond=0) - timedelta(minutes=5)
        not_after = min(now.replace(microsecond=0)
                        + timedelta(days=int(self.section["issuing_days"])),
                        as_utc(root.certificate.not_valid_after))
        serial = x509.new_serial()
        cert = x509.issue(issuer=self.signer_of(root), subject=old.subject,
                          subject_public_key=stored.public_key, serial=serial,
                          not_before=not_before, not_after=not_after,
                          extensions=x509.ca_extensions(path_length=0), self_signed=False)
        session.add(Certificate(serial=x509.serial_hex(serial), role="issuing", issuer="root",
                                name="issuing", subject=cert.subject.human_friendly,
                                client_id=None, key_id=stored.id, der=cert.dump(),
                                not_before=not_before, not_after=not_after, created_at=now))
        session.flush()



__all__ = ["IssuingCaLifecycle"]
