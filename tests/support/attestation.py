"""Attestation statements of every format, from a small test PKI, and FIDO MDS3 test BLOBs.

    pki = AttestationPki.build()                         # roots and attestation keys, once
    key = AttestingAuthenticator(pki=pki, aaguid=PACKED_AAGUID)
    response = key.register(options, attestation="packed-full")   # or "fido-u2f", "tpm",
                                                                  # "android-key", "apple"
    blob = pki.blob([pki.entry(aaguid=PACKED_AAGUID)], no=1)      # a JWT signed by the test
                                                                  # MDS root's chain

Each format follows W3C WebAuthn Level 3 section 8 closely enough for py_webauthn to verify
it: packed with x5c (8.2), TPM with certInfo/pubArea and an AIK certificate (8.3),
Android Key with the KeyDescription extension (8.4), FIDO U2F (8.6), Apple anonymous (8.8).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from pyasn1.codec.der.encoder import encode as der_encode
from webauthn.helpers.asn1.android_key import (
    AuthorizationList,
    KeyDescription,
)

from tests.support.authenticator import SoftwareAuthenticator, b64url

PACKED_AAGUID = uuid.UUID("11111111-2222-3333-4444-555555555555")
TPM_AAGUID = uuid.UUID("08987058-cadc-4b81-b6e1-30de50dcbe96")
ANDROID_AAGUID = uuid.UUID("b93fd961-f2e6-462f-b122-82002247de78")
APPLE_AAGUID = uuid.UUID("f24a8e70-d0d3-f82c-2937-32523cc4de5a")
FORMATS = ("packed-full", "fido-u2f", "tpm", "android-key", "apple")
AAGUIDS = {"packed-full": PACKED_AAGUID, "fido-u2f": uuid.UUID(int=0), "tpm": TPM_AAGUID,
           "android-key": ANDROID_AAGUID, "apple": APPLE_AAGUID}

_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_LATER = datetime(2045, 1, 1, tzinfo=UTC)


def _name(common: str, unit: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "SV"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cédula tests")]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(parts)


def certificate(*, subject: x509.Name, key: ec.EllipticCurvePrivateKey | Any,
                issuer: x509.Certificate | None = None,
                issuer_key: ec.EllipticCurvePrivateKey | None = None, ca: bool = False,
                extensions: list[tuple[x509.ExtensionType, bool]] = ()) -> x509.Certificate:
    public = key.public_key() if hasattr(key, "public_key") else key
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer.subject if issuer else subject)
               .public_key(public)
               .serial_number(x509.random_serial_number())
               .not_valid_before(_EPOCH)
               .not_valid_after(_LATER)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key or key, hashes.SHA256())


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.PEM)


@dataclass
class AttestationPki:
    """A test attestation root, one attestation key per format, and a test MDS signer."""

    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    other_root_key: ec.EllipticCurvePrivateKey
    other_root: x509.Certificate  # a root no metadata entry lists
    batch_key: ec.EllipticCurvePrivateKey  # packed and fido-u2f batch attestation
    aik_key: ec.EllipticCurvePrivateKey    # TPM attestation identity key
    mds_root_key: ec.EllipticCurvePrivateKey
    mds_root: x509.Certificate
    mds_signer_key: ec.EllipticCurvePrivateKey
    mds_signer: x509.Certificate
    _issued: dict[str, x509.Certificate] = field(default_factory=dict)

    @classmethod
    def build(cls) -> AttestationPki:
        keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(6)]
        root = certificate(subject=_name("Test Attestation Root"), key=keys[0], ca=True)
        other = certificate(subject=_name("Unlisted Attestation Root"), key=keys[1], ca=True)
        mds_root = certificate(subject=_name("Test MDS Root"), key=keys[4], ca=True)
        signer = certificate(subject=_name("mds.test"), key=keys[5], issuer=mds_root,
                             issuer_key=keys[4])
        return cls(root_key=keys[0], root=root, other_root_key=keys[1], other_root=other,
                   batch_key=keys[2], aik_key=keys[3], mds_root_key=keys[4], mds_root=mds_root,
                   mds_signer_key=keys[5], mds_signer=signer)

    # Attestation certificates.

    def _root(self, trusted: bool) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        return (self.root, self.root_key) if trusted else (self.other_root, self.other_root_key)

    def packed_certificate(self, aaguid: uuid.UUID, *, trusted: bool = True) -> x509.Certificate:
        """Section 8.2.1: OU "Authenticator Attestation", CA false, the AAGUID extension."""
        key = f"packed:{aaguid}:{trusted}"
        if key not in self._issued:
            issuer, issuer_key = self._root(trusted)
            self._issued[key] = certificate(
                subject=_name("Test Security Key", "Authenticator Attestation"), key=self.batch_key,
                issuer=issuer, issuer_key=issuer_key,
                extensions=[(x509.UnrecognizedExtension(
                    x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"),
                    b"\x04\x10" + aaguid.bytes), False)])
        return self._issued[key]

    def u2f_certificate(self, *, trusted: bool = True) -> x509.Certificate:
        key = f"u2f:{trusted}"
        if key not in self._issued:
            issuer, issuer_key = self._root(trusted)
            self._issued[key] = certificate(subject=_name("Test U2F Key"), key=self.batch_key,
                                            issuer=issuer, issuer_key=issuer_key)
        return self._issued[key]

    def aik_certificate(self, *, trusted: bool = True) -> x509.Certificate:
        """Section 8.3.1: empty subject, TCG names in the SAN, EKU tcg-kp-AIKCertificate."""
        key = f"aik:{trusted}"
        if key not in self._issued:
            issuer, issuer_key = self._root(trusted)
            tcg = x509.Name([
                x509.NameAttribute(x509.ObjectIdentifier("2.23.133.2.1"), "id:49465800"),
                x509.NameAttribute(x509.ObjectIdentifier("2.23.133.2.2"), "SLB9670"),
                x509.NameAttribute(x509.ObjectIdentifier("2.23.133.2.3"), "id:0D0B"),
            ])
            self._issued[key] = certificate(
                subject=x509.Name([]), key=self.aik_key, issuer=issuer, issuer_key=issuer_key,
                extensions=[(x509.SubjectAlternativeName([x509.DirectoryName(tcg)]), True),
                            (x509.ExtendedKeyUsage([x509.ObjectIdentifier("2.23.133.8.3")]), False)])
        return self._issued[key]

    def credential_certificate(self, public_key: Any, *, trusted: bool,
                               extensions: list[tuple[x509.ExtensionType, bool]]) -> x509.Certificate:
        """Android Key and Apple: the certificate is for the credential key itself."""
        issuer, issuer_key = self._root(trusted)
        return certificate(subject=_name("Test Credential"), key=public_key, issuer=issuer,
                           issuer_key=issuer_key, extensions=extensions)

    # FIDO MDS3.

    def entry(self, *, aaguid: uuid.UUID | None = None, key_identifiers: list[str] = (),
              roots: list[x509.Certificate] | None = None, statuses: list[str] = ("FIDO_CERTIFIED",),
              uv_methods: list[list[str]] = (), description: str = "Test authenticator") -> dict:
        """A MetadataBLOBPayloadEntry (MDS3 section 3.1.1)."""
        statement: dict[str, Any] = {
            "description": description,
            "attestationRootCertificates": [base64.b64encode(der(c)).decode()
                                            for c in (roots if roots is not None else [self.root])],
            "userVerificationDetails": [[{"userVerificationMethod": m} for m in combo]
                                        for combo in uv_methods],
            "protocolFamily": "fido2" if aaguid else "u2f",
        }
        found: dict[str, Any] = {"metadataStatement": statement,
                                 "statusReports": [{"status": s, "effectiveDate": "2024-01-01"}
                                                   for s in statuses],
                                 "timeOfLastStatusChange": "2024-01-01"}
        if aaguid is not None:
            found["aaguid"] = str(aaguid)
        if key_identifiers:
            found["attestationCertificateKeyIdentifiers"] = list(key_identifiers)
        return found

    def blob(self, entries: list[dict], *, no: int = 1, next_update: date | None = None,
             signer_key: ec.EllipticCurvePrivateKey | None = None,
             chain: list[x509.Certificate] | None = None) -> bytes:
        """A metadata BLOB: a compact JWS, ES256, with x5c [signer, root] (MDS3 section 3.1.7)."""
        header = {"alg": "ES256", "typ": "JWT",
                  "x5c": [base64.b64encode(der(c)).decode()
                          for c in (chain if chain is not None else [self.mds_signer, self.mds_root])]}
        payload = {"legalHeader": "test", "no": no,
                   "nextUpdate": (next_update or date.today() + timedelta(days=30)).isoformat(),
                   "entries": entries}
        signed = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode()))
        r, s = decode_dss_signature((signer_key or self.mds_signer_key).sign(
            signed.encode(), ec.ECDSA(hashes.SHA256())))
        return (signed + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))).encode()


def u2f_key_identifier(cert: x509.Certificate) -> str:
    from idp.assurance.mds import key_identifier

    return key_identifier(der(cert))


@dataclass
class AttestingAuthenticator(SoftwareAuthenticator):
    """A SoftwareAuthenticator that also answers with full attestation statements."""

    pki: AttestationPki | None = None
    trusted_chain: bool = True  # chain to the listed test root, or to an unlisted one

    def register(self, options: dict[str, Any], *, attestation: str | None = None,
                 **kwargs: Any) -> dict[str, Any]:
        fmt = attestation or self.attestation
        if fmt in ("none", "packed"):
            return super().register(options, attestation=fmt, **kwargs)
        assert self.pki is not None, "an AttestingAuthenticator needs the test PKI"
        self.user_handle = base64.urlsafe_b64decode(options["user"]["id"] + "==")
        rp = options.get("rp", {}).get("id") or self.rp_id
        client_data = self.client_data("webauthn.create", options["challenge"], self.origin)
        flags = self._flags(up=self.user_present, uv=self.user_verified, be=self.backup_eligible,
                            bs=self.backed_up, attested=True)
        auth_data = self.authenticator_data(rp_id=rp, flags=flags, sign_count=self.sign_count,
                                            attested=True)
        client_hash = hashlib.sha256(client_data).digest()
        name, statement = _STATEMENTS[fmt](self, auth_data, client_hash, rp)
        attestation_object = cbor2.dumps({"fmt": name, "attStmt": statement, "authData": auth_data})
        return {
            "id": self.credential_id_b64, "rawId": self.credential_id_b64, "type": "public-key",
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {"clientDataJSON": b64url(client_data),
                         "attestationObject": b64url(attestation_object),
                         "authenticatorData": b64url(auth_data), "publicKeyAlgorithm": -7,
                         "transports": list(self.transports)},
        }

    # One builder per format: (fmt, attStmt).

    def _packed(self, auth_data: bytes, client_hash: bytes, rp: str):
        cert = self.pki.packed_certificate(uuid.UUID(bytes=self.aaguid), trusted=self.trusted_chain)
        sig = self.pki.batch_key.sign(auth_data + client_hash, ec.ECDSA(hashes.SHA256()))
        return "packed", {"alg": -7, "sig": sig, "x5c": [der(cert)]}

    def _u2f(self, auth_data: bytes, client_hash: bytes, rp: str):
        cert = self.pki.u2f_certificate(trusted=self.trusted_chain)
        numbers = self.private_key.public_key().public_numbers()
        point = b"\x04" + numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")
        signed = b"\x00" + hashlib.sha256(rp.encode()).digest() + client_hash + self.credential_id + point
        return "fido-u2f", {"sig": self.pki.batch_key.sign(signed, ec.ECDSA(hashes.SHA256())),
                            "x5c": [der(cert)]}

    def _tpm(self, auth_data: bytes, client_hash: bytes, rp: str):
        numbers = self.private_key.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        # TPMT_PUBLIC: ECC, nameAlg SHA-256, attributes, empty authPolicy, TPMS_ECC_PARMS
        # (symmetric NULL, scheme NULL, curve P-256, kdf NULL), unique TPMS_ECC_POINT.
        pub_area = (b"\x00\x23" + b"\x00\x0b" + b"\x00\x06\x04\x72" + b"\x00\x00"
                    + b"\x00\x10" + b"\x00\x10" + b"\x00\x03" + b"\x00\x10"
                    + b"\x00\x20" + x + b"\x00\x20" + y)
        extra = hashlib.sha256(auth_data + client_hash).digest()
        name = b"\x00\x0b" + hashlib.sha256(pub_area).digest()
        # TPMS_ATTEST: magic, TPM_ST_ATTEST_CERTIFY, qualifiedSigner, extraData, clockInfo,
        # firmwareVersion, TPMS_CERTIFY_INFO (name, qualifiedName).
        cert_info = (b"\xff\x54\x43\x47" + b"\x80\x17" + b"\x00\x00"
                     + len(extra).to_bytes(2, "big") + extra + bytes(17) + bytes(8)
                     + len(name).to_bytes(2, "big") + name + len(name).to_bytes(2, "big") + name)
        cert = self.pki.aik_certificate(trusted=self.trusted_chain)
        sig = self.pki.aik_key.sign(cert_info, ec.ECDSA(hashes.SHA256()))
        return "tpm", {"ver": "2.0", "alg": -7, "x5c": [der(cert)], "sig": sig,
                       "certInfo": cert_info, "pubArea": pub_area}

    def _android(self, auth_data: bytes, client_hash: bytes, rp: str):
        description = KeyDescription()
        description["attestationVersion"] = 3
        description["attestationSecurityLevel"] = 1
        description["keymasterVersion"] = 4
        description["keymasterSecurityLevel"] = 1
        description["attestationChallenge"] = client_hash
        description["uniqueId"] = b""
        software = AuthorizationList()
        tee = AuthorizationList()
        purpose = tee["purpose"].clone()
        purpose.extend([2])  # KeyPurpose.SIGN
        tee["purpose"] = purpose
        tee["origin"] = tee["origin"].clone(0)  # KeyOrigin.GENERATED
        description["softwareEnforced"] = software
        description["teeEnforced"] = tee
        extension = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.1.17"),
                                               der_encode(description))
        cert = self.pki.credential_certificate(self.private_key.public_key(),
                                               trusted=self.trusted_chain,
                                               extensions=[(extension, False)])
        root = self.pki.root if self.trusted_chain else self.pki.other_root
        sig = self.private_key.sign(auth_data + client_hash, ec.ECDSA(hashes.SHA256()))
        return "android-key", {"alg": -7, "sig": sig, "x5c": [der(cert), der(root)]}

    def _apple(self, auth_data: bytes, client_hash: bytes, rp: str):
        nonce = hashlib.sha256(auth_data + client_hash).digest()
        value = b"\x30\x24\xa1\x22\x04\x20" + nonce  # SEQUENCE { [1] { OCTET STRING nonce } }
        extension = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.840.113635.100.8.2"), value)
        cert = self.pki.credential_certificate(self.private_key.public_key(),
                                               trusted=self.trusted_chain,
                                               extensions=[(extension, False)])
        return "apple", {"x5c": [der(cert)]}


_STATEMENTS = {
    "packed-full": AttestingAuthenticator._packed,
    "fido-u2f": AttestingAuthenticator._u2f,
    "tpm": AttestingAuthenticator._tpm,
    "android-key": AttestingAuthenticator._android,
    "apple": AttestingAuthenticator._apple,
}

__all__ = ["AAGUIDS", "FORMATS", "AttestationPki", "AttestingAuthenticator",
           "certificate", "der", "pem", "u2f_key_identifier"]
