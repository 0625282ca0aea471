"""The attestation policy backed by FIDO metadata: which passkeys are refused, which reach high.

W3C WebAuthn Level 3, section 7.1 steps 21-24: after the statement's signature is verified,
look up the authenticator in trusted metadata (the FIDO MDS3 BLOB), refuse models with a
revoked or compromised status, and decide whether the attestation is trustworthy: its x5c
chain must end at one of the roots the metadata lists for that very model (by AAGUID, or for
fido-u2f by attestationCertificateKeyIdentifier).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn.helpers import parse_attestation_object
from webauthn.helpers.structs import AttestationFormat
from webauthn.registration.verify_registration_response import VerifiedRegistration

from idp.assurance.android_key import hardware_bound
from idp.assurance.levels import Level, authenticator_level
from idp.assurance.mds import MetadataBlob, MetadataEntry, MetadataService, key_identifier
from idp.assurance.models import PasskeyAssurance
from idp.webauthn.errors import WebAuthnError

log = logging.getLogger(__name__)

# id-fido-gen-ce-aaguid (W3C WebAuthn Level 3, section 8.2.1).
AAGUID_EXTENSION = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")
# Formats whose py_webauthn verifier insists on a root of its own (Apple, Google): the
# metadata's roots are added so that other makers listed in the metadata are accepted too.
_ROOTS_FOR = (AttestationFormat.APPLE, AttestationFormat.ANDROID_KEY)


@dataclass(frozen=True)
class AttestationVerdict:
    """What the attestation proved, recorded with the passkey (`assurance_passkeys`)."""

    trusted: bool
    level: Level
    uv_method: str | None = None
    description: str | None = None


class MetadataAttestationPolicy:
    """An `idp.webauthn.attestation.AttestationPolicy` driven by FIDO metadata."""

    def __init__(self, *, metadata: MetadataService, attestation: str,
                 refuse_untrusted: bool) -> None:
        self.metadata = metadata
        self.attestation = attestation  # "auto" | "direct" | "none"
        self.refuse_untrusted = refuse_untrusted

    @property
    def conveyance(self) -> str:
        """Section 5.4.7: "direct" when metadata can make use of it ("auto"), else as set."""
        if self.attestation != "auto":
            return self.attestation
        return "direct" if self.refuse_untrusted or self.metadata.current() is not None else "none"

    @property
    def roots(self) -> Mapping[AttestationFormat, list[bytes]] | None:
        blob = self.metadata.current()
        if blob is None or not blob.all_roots:
            return None
        return {fmt: list(blob.all_roots) for fmt in _ROOTS_FOR}

    def check(self, registration: VerifiedRegistration) -> AttestationVerdict:
        """Refuse revoked or compromised models; say whether the chain is trusted."""
        attestation = parse_attestation_object(registration.attestation_object)
        flags = attestation.auth_data.flags
        x5c = list(attestation.att_stmt.x5c or [])
        blob = self.metadata.current()
        entry = _entry_for(blob, aaguid=registration.aaguid, x5c=x5c)
        if entry is not None and entry.refusal is not None:
            log.info("authenticator refused", extra={"aaguid": registration.aaguid,
                                                     "status": entry.refusal})
            raise WebAuthnError("authenticator_refused",
                                f"the metadata reports {entry.refusal} for this authenticator "
                                f"({entry.description or registration.aaguid})")
        fmt = str(getattr(registration.fmt, "value", registration.fmt))
        trusted = entry is not None and _chains(fmt, x5c, entry, aaguid=registration.aaguid)
        if not trusted and self.refuse_untrusted:
            raise WebAuthnError("attestation_untrusted",
                                f"a {fmt!r} attestation for AAGUID {registration.aaguid} does not "
                                "chain to a root the FIDO metadata lists for it")
        # Level high also needs the model to be FIDO certified: a chain to its roots proves who
        # made the key, the certification that it resists copying and tampering.
        return AttestationVerdict(
            trusted=trusted,
            level=authenticator_level(user_verified=flags.uv, backup_eligible=flags.be,
                                      attestation_trusted=trusted and entry is not None
                                      and entry.certified),
            # How the model verifies its user is what the metadata says of the model: a
            # statement that does not prove the model (none, self attestation, another root)
            # only claims its AAGUID, and the amr must not report a fingerprint it claimed.
            uv_method=entry.uv_method if entry is not None and trusted else None,
            description=entry.description or None if entry else None)

    def reported(self, aaguid: str) -> str | None:
        """The refusing status the current metadata reports for this model (by AAGUID; a
        fido-u2f key has none to look up), read at each use: a model can be reported
        compromised long after its passkeys were registered at level high."""
        blob = self.metadata.current()
        entry = blob.find(aaguid=aaguid) if blob is not None else None
        return entry.refusal if entry is not None else None

    def revision(self) -> int:
        """Which metadata `reported` answers from now (`MetadataService.revision`)."""
        return self.metadata.revision()

    def record(self, session: Session, *, credential_id: bytes, verdict: object | None) -> None:
        """Store the verdict next to the passkey just written in this transaction."""
        if not isinstance(verdict, AttestationVerdict):
            return
        from idp.citizens.models import Passkey

        passkey_id = session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id))
        if passkey_id is None:
            return
        session.add(PasskeyAssurance(passkey_id=passkey_id, attestation_trusted=verdict.trusted,
                                     authenticator_level=verdict.level, uv_method=verdict.uv_method,
                                     description=verdict.description,
                                     recorded_at=datetime.now(UTC)))
        session.flush()


def _entry_for(blob: MetadataBlob | None, *, aaguid: str, x5c: list[bytes]) -> MetadataEntry | None:
    if blob is None:
        return None
    identifier = None
    if x5c:
        try:
            identifier = key_identifier(x5c[0])
        except ValueError:
            identifier = None
    return blob.find(aaguid=aaguid, key_identifier=identifier)


def _chains(fmt: str, x5c: list[bytes], entry: MetadataEntry, *, aaguid: str) -> bool:
    """The statement's certificate chain ends at one of this model's trust anchors."""
    if not x5c or not entry.roots or fmt == "none":
        return False  # none, or packed self attestation: nothing vouches for the maker
    if fmt == "packed" and not _packed_certificate_matches(x5c[0], aaguid):
        return False
    # Section 8.3.1 (py_webauthn leaves this step out): an aikCert that names its model names
    # this one, else a TPM made for another model under the same maker's root claims it.
    if fmt == "tpm" and not _names_aaguid(x5c[0], aaguid):
        return False
    # Section 8.4: nothing in an android-key statement names the model, and Google's root
    # vouches for any Keystore key; only one in secure hardware, generated there and usable
    # only after the user authenticates, proves the model it claims (`android_key`).
    if fmt == "android-key" and not hardware_bound(x5c[0]):
        return False
    try:
        chain = [x509.load_der_x509_certificate(c) for c in x5c]
    except ValueError:
        return False
    return chains_to_anchor(chain, _anchors(entry.roots), now=datetime.now(UTC))


@lru_cache(maxsize=512)
def _anchors(roots: tuple[bytes, ...]) -> tuple[tuple[x509.Certificate, bytes], ...]:
    """Parsed once per metadata entry: each anchor with its SubjectPublicKeyInfo."""
    found = []
    for pem in roots:
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except ValueError:
            continue
        found.append((cert, cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)))
    return tuple(found)


def chains_to_anchor(chain: list[x509.Certificate],
                     anchors: tuple[tuple[x509.Certificate, bytes], ...], *, now: datetime) -> bool:
    """RFC 5280 section 6.1 path validation from x5c[0] to a trust anchor (its name and key).

    MDS3 attestationRootCertificates are trust anchors: "a root certificate, an intermediate
    CA certificate or even the attestation certificate itself", so an anchor matches a
    certificate of the chain with the same subject and key, or issued it. Every certificate
    must be within its validity period; every issuer inside the chain must be a CA.
    """
    for index, cert in enumerate(chain):
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            return False
        key = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        for anchor, anchor_key in anchors:
            if anchor.subject == cert.subject and anchor_key == key:
                return True
            if _issued_by(cert, anchor):
                return True
        if index + 1 >= len(chain) or not _is_ca(chain[index + 1]) or \
                not _issued_by(cert, chain[index + 1]):
            return False
    return False


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _packed_certificate_matches(der: bytes, aaguid: str) -> bool:
    """Section 8.2.1: a packed attestation certificate is no CA, and its AAGUID extension
    (when present) names the authenticator data's AAGUID."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return False
    try:
        if cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return False
    except x509.ExtensionNotFound:
        return False
    return _aaguid_extension_matches(cert, aaguid)


def _names_aaguid(der: bytes, aaguid: str) -> bool:
    """The certificate's AAGUID extension, when present, names `aaguid` (False if unreadable)."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return False
    return _aaguid_extension_matches(cert, aaguid)


def _aaguid_extension_matches(cert: x509.Certificate, aaguid: str) -> bool:
    try:
        value = cert.extensions.get_extension_for_oid(AAGUID_EXTENSION).value
    except x509.ExtensionNotFound:
        return True
    raw = getattr(value, "value", b"")
    # OCTET STRING (04 10) wrapping the 16 AAGUID bytes.
    inner = raw[2:] if len(raw) == 18 and raw[:2] == b"\x04\x10" else raw
    return inner.hex() == aaguid.replace("-", "").lower()


__all__ = ["AttestationVerdict", "MetadataAttestationPolicy", "chains_to_anchor"]
