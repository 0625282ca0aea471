"""The document PKI: root CA, issuing CA, time-stamping and OCSP responder certificates,
seal and citizen certificates, revocation (RFC 5280 profiles).

CA material is parsed once per process and refreshed through the "pki" generation counter.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from asn1crypto import x509 as asn1_x509
from sqlalchemy.orm import Session

from infra.utc import as_utc
from keys import policies, revoked_ca, subject_names, succession, x509
from keys.algorithms import KeyAlgorithm, algorithm
from keys.crl import RevokedEntry, build_crl, invalidity_date_at, reason_code
from keys.custody import Custody
from keys.errors import InvalidRequest, KeyNotFound, PkiNotInitialised
from keys.keystore.base import KeyRef
from keys.models import Certificate, RevocationList, StoredKey
from keys.pki_settings import checked_algorithms

log = logging.getLogger(__name__)
GENERATION = "pki"
REVOCATION = "revocation"
CA_NAMES = ("root", "issuing")
SERVICE_NAMES = ("tsa", "ocsp")


def distribution_url(issuer_url: str, configured: str = "") -> str:
    """Where certificates point for CA certificates, CRLs and OCSP: plain http (RFC 5280,
    4.2.1.13 and 4.2.2.1; ETSI EN 319 412-2, GEN-4.3.11-4: an http or ldap CRL distribution
    point), so that checking a certificate never needs TLS, itself checked by certificates."""
    base = configured or issuer_url
    if base.startswith("https://"):
        base = "http://" + base.removeprefix("https://")
    return base.rstrip("/") + "/pki"


@dataclass(frozen=True)
class Authority:
    """A certificate this service signs with (CA, TSA or OCSP responder), parsed once."""

    name: str
    certificate: asn1_x509.Certificate
    key: KeyRef
    algorithm: KeyAlgorithm
    name_hashes: Mapping[str, bytes]  # by digest: hash of the DER subject (RFC 6960, 4.1.1)
    key_hashes: Mapping[str, bytes]  # by digest: hash of the subjectPublicKey bits

    @property
    def serial(self) -> str:
        return x509.serial_hex(self.certificate.serial_number)


@dataclass(frozen=True)
class PkiMaterial:
    root: Authority
    issuing: Authority
    tsa: Authority
    ocsp: Authority

    def ca(self, name: str) -> Authority:
        if name not in CA_NAMES:
            raise KeyNotFound(f"no CA named {name!r}; CAs are root and issuing")
        return self.root if name == "root" else self.issuing


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate the PKI issued, its key in custody, and its chain up to the root."""

    serial: str
    certificate: asn1_x509.Certificate
    key: KeyRef
    chain: tuple[asn1_x509.Certificate, ...]

    @property
    def pem(self) -> str:
        return x509.pem(self.certificate)


@dataclass(frozen=True)
class CertificateStatus:
    serial: str
    issuer: str
    revoked_at: datetime | None
    reason: str | None
    invalidity_date: datetime | None = None


def _stored(session: Session, key_id: str) -> StoredKey:
    """The key-store row of a key the PKI uses (it is made before the certificate)."""
    stored = session.get(StoredKey, key_id)
    if stored is None:
        raise KeyNotFound(f"key {key_id} is not in the key store")
    return stored


def _authority(row: Certificate, stored: StoredKey) -> Authority:
    cert = asn1_x509.Certificate.load(row.der)
    subject = cert.subject.dump()
    spki = cert.public_key.dump()
    digests = ("sha1", "sha256", "sha384", "sha512")
    return Authority(
        name=row.name or row.role, certificate=cert,
        key=KeyRef(stored.id, stored.algorithm, stored.wrapped), algorithm=algorithm(stored.algorithm),
        name_hashes={d: hashlib.new(d, subject).digest() for d in digests},
        key_hashes={d: x509.key_hash(spki, d) for d in digests},
    )


class Pki:
    def __init__(self, custody: Custody, settings: Mapping[str, Any], issuer_url: str) -> None:
        self.custody = custody
        self.section = settings["pki"]
        self.base_url = distribution_url(issuer_url, str(self.section.get("distribution_url", "")))
        self.refresh = float(settings["keys"]["refresh_seconds"])
        self._material: PkiMaterial | None = None
        self._checked = 0.0
        self._generation: tuple[int, str] = (-1, "")
        self._lock = threading.Lock()
        self._crl_lock = threading.Lock()
        self.ca_algorithm, self.leaf_algorithm = checked_algorithms(settings)

    # material ----------------------------------------------------------------------------

    def material(self) -> PkiMaterial:
        """The CA and service certificates, parsed once; `PkiNotInitialised` before init."""
        if self._material is not None and time.monotonic() - self._checked < self.refresh:
            return self._material
        with self._lock:
            generation = self.custody.generation(GENERATION)
            if self._material is None or generation != self._generation:
                self._material = self._load()
                self._generation = generation
            self._checked = time.monotonic()
            return self._material

    def invalidate(self) -> None:
        """Forget the cached material (the next call reads the database)."""
        self._material = None
        self._checked = 0.0

    def initialised(self) -> bool:
        try:
            self.material()
        except PkiNotInitialised:
            return False
        return True

    def _load(self) -> PkiMaterial:
        with self.custody.database.read() as session:
            rows = session.execute(
                sa.select(Certificate, StoredKey).join(StoredKey, StoredKey.id == Certificate.key_id)
                .where(Certificate.name.in_(CA_NAMES + SERVICE_NAMES))
            ).all()
            found = {cert.name: _authority(cert, stored) for cert, stored in rows}
        if set(found) != set(CA_NAMES + SERVICE_NAMES):
            raise PkiNotInitialised("the document PKI does not exist yet: run `cedula pki init`")
        return PkiMaterial(**found)

    def url(self, kind: str, name: str = "") -> str:
        return {"ca": f"{self.base_url}/ca/{name}.cer", "crl": f"{self.base_url}/crl/{name}.crl",
                "ocsp": f"{self.base_url}/ocsp"}[kind]

    def signer_of(self, authority: Authority, *, publish: bool = True) -> x509.Issuer:
        """The issuing side of `authority` for certificates and CRLs."""
        cert = authority.certificate
        return x509.Issuer(
            subject=cert.subject, key_identifier=cert.key_identifier or b"",
            algorithm=authority.algorithm,
            sign=lambda data: self.custody.sign(authority.key, data),
            ca_issuers_url=self.url("ca", authority.name) if publish else None,
            # The root answers no OCSP (its key stays offline): its CRL is the only source.
            ocsp_url=self.url("ocsp") if publish and authority.name != "root" else None,
            crl_url=self.url("crl", authority.name) if publish else None,
        )

    # init --------------------------------------------------------------------------------

    def _subject(self, common_name: str) -> asn1_x509.Name:
        return x509.name(country_name=str(self.section["country"]),
                         organization_name=str(self.section["organization"]),
                         common_name=common_name)

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

    def _issue(self, session: Session, *, now: datetime, role: str, name: str | None,
               issuer: Authority | None, subject: asn1_x509.Name, lifetime: timedelta,
               alg: KeyAlgorithm, extensions: list[dict[str, Any]], client_id: str | None = None
               ) -> Authority:
        ref = self.custody.new_key(session, purpose=role, algorithm=alg)
        stored = _stored(session, ref.key_id)
        not_before = now.replace(microsecond=0) - timedelta(minutes=5)  # clock skew
        not_after = now.replace(microsecond=0) + lifetime
        if issuer is not None:  # never outlive the issuer (RFC 5280, 6.1.3 (a)(2))
            not_after = min(not_after, issuer.certificate.not_valid_after)
        serial = x509.new_serial()
        if issuer is None:
            signing = x509.Issuer(subject=subject, key_identifier=b"", algorithm=alg,
                                  sign=lambda data: self.custody.sign(ref, data),
                                  ca_issuers_url=None, ocsp_url=None, crl_url=None)
        else:
            signing = self.signer_of(issuer)
        cert = x509.issue(issuer=signing, subject=subject, subject_public_key=stored.public_key,
                          serial=serial, not_before=not_before, not_after=not_after,
                          extensions=extensions, self_signed=issuer is None)
        row = Certificate(serial=x509.serial_hex(serial), role=role,
                          issuer=issuer.name if issuer else "root", name=name,
                          subject=cert.subject.human_friendly, client_id=client_id,
                          key_id=ref.key_id, der=cert.dump(), not_before=not_before,
                          not_after=not_after, created_at=now)
        session.add(row)
        session.flush()
        return _authority(row, stored)

    def _issue_service(self, session: Session, name: str, *, issuer: Authority,
                       now: datetime) -> Authority:
        """A new key and certificate for the TSA or the delegated OCSP responder."""
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

    # renewal -----------------------------------------------------------------------------

    def renewal_window(self, name: str) -> timedelta:
        """How long before its notAfter a certificate is renewed (or warned about): the OCSP
        responder at half its life, the others `[pki] renew_before_days` ahead."""
        if name == "ocsp":
            return timedelta(days=int(self.section["responder_days"])) / 2
        return timedelta(days=int(self.section["renew_before_days"]))

    def crl_next_update(self, ca: str) -> datetime | None:
        with self.custody.database.read() as session:
            row = session.get(RevocationList, ca)
            return as_utc(row.next_update) if row is not None else None

    def root_crl_next_update(self) -> datetime | None:
        return self.crl_next_update("root")

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

    def renew_services(self, now: datetime) -> list[str]:
        """Renew the TSA and OCSP responder certificates that are due, unless a successor would end
        with the issuing CA (`keys.succession`; its key is online, the root's is not needed). Safe
        in several processes at once: the current row is locked and checked again. Returns the names."""
        material = self.material()
        due = [name for name in SERVICE_NAMES if succession.due(  # not one ending with the CA
            not_after=getattr(material, name).certificate.not_valid_after, now=now,
            window=self.renewal_window(name), issuer_not_after=material.issuing.certificate.not_valid_after)]
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
        is no longer used.
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
        stored = _stored(session, current.key_id)
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

    def publish_root_crl(self, now: datetime) -> bytes:
        """Issue the root's CRL (signed with the root key: a ceremony, like `renew issuing`)."""
        with self._crl_lock, self.custody.database.transaction() as session:
            return self.publish_crl(session, self.material().root, now)

    def publish_issuing_crl(self, now: datetime) -> bytes:
        """Issue the issuing CA's CRL now, whatever the age of the current one: status
        information after every time-stamp made so far (signatures carrying none issued after
        their time-stamp, B-T seals and seals made before 2026-12, then verify at once)."""
        with self._crl_lock, self.custody.database.transaction() as session:
            return self.publish_crl(session, self.material().issuing, now)

    # end-entity certificates -------------------------------------------------------------

    def chain(self) -> tuple[asn1_x509.Certificate, ...]:
        material = self.material()
        return (material.issuing.certificate, material.root.certificate)

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
                .where(Certificate.serial == _normalise(serial))).first()
        if row is None:
            raise KeyNotFound(f"no certificate with serial {serial}")
        return self._issued(*row)

    def _issued(self, cert: Certificate, stored: StoredKey) -> IssuedCertificate:
        return IssuedCertificate(cert.serial, asn1_x509.Certificate.load(cert.der),
                                 self.custody.ref(stored), self.chain())

    # revocation --------------------------------------------------------------------------

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
            row = session.get(Certificate, _normalise(serial), with_for_update=True)
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

    # CRLs --------------------------------------------------------------------------------

    def crl(self, name: str, now: datetime) -> bytes:
        """The CA's current CRL; the issuing CA's is reissued once half its validity has
        passed. The root's is only ever read here: it is issued offline (`cedula pki crl`),
        and `due` warns before it runs out."""
        authority = self.material().ca(name)
        with self.custody.database.read() as session:
            row = session.get(RevocationList, name)
            if row is not None:
                this_update, next_update = as_utc(row.this_update), as_utc(row.next_update)
                if name == "root" or now < this_update + (next_update - this_update) / 2:
                    return bytes(row.der)
        with self._crl_lock, self.custody.database.transaction() as session:
            return self.publish_crl(session, authority, now)

    def publish_crl(self, session: Session, ca: Authority, now: datetime) -> bytes:
        row = session.get(RevocationList, ca.name, with_for_update=True)
        revoked = [RevokedEntry(int(serial, 16), as_utc(at), reason or "unspecified",
                                as_utc(invalid) if invalid else None)
                   for serial, at, reason, invalid in session.execute(
                       sa.select(Certificate.serial, Certificate.revoked_at,
                                 Certificate.revocation_reason, Certificate.invalidity_date)
                       .where(Certificate.issuer == ca.name, Certificate.role != "root",
                              Certificate.revoked_at.is_not(None))) if at is not None]
        this_update = now.replace(microsecond=0)
        next_update = this_update + (timedelta(days=int(self.section["root_crl_days"]))
                                     if ca.name == "root" else
                                     timedelta(hours=int(self.section["crl_hours"])))
        number = (row.number + 1) if row is not None else 1
        der = build_crl(issuer=self.signer_of(ca, publish=False), number=number,
                        this_update=this_update, next_update=next_update, revoked=revoked)
        if row is None:
            session.add(RevocationList(ca=ca.name, number=number, der=der,
                                       this_update=this_update, next_update=next_update))
        else:
            row.number, row.der = number, der
            row.this_update, row.next_update = this_update, next_update
        return der


def _normalise(serial: str) -> str:
    try:
        return x509.serial_hex(x509.parse_serial(serial))
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
