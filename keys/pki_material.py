"""What the document PKI is made of once parsed: its named certificates (root and issuing CA,
TSA, OCSP responder), the certificates it issues and their status (RFC 5280 profiles)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from sqlalchemy.orm import Session

from keys import x509
from keys.algorithms import KeyAlgorithm, algorithm
from keys.errors import InvalidRequest, KeyNotFound
from keys.keystore.base import KeyRef
from keys.models import Certificate, StoredKey

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


def stored_key(session: Session, key_id: str) -> StoredKey:
    """The key-store row of a key the PKI uses (it is made before the certificate)."""
    stored = session.get(StoredKey, key_id)
    if stored is None:
        raise KeyNotFound(f"key {key_id} is not in the key store")
    return stored


def authority(row: Certificate, stored: StoredKey) -> Authority:
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


def normalise_serial(serial: str) -> str:
    try:
        return x509.serial_hex(x509.parse_serial(serial))
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None


__all__ = ["CA_NAMES", "GENERATION", "REVOCATION", "SERVICE_NAMES", "Authority", "CertificateStatus",
           "IssuedCertificate", "PkiMaterial", "authority", "distribution_url", "normalise_serial",
           "stored_key"]
