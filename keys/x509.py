"""Certificate profiles of the document PKI and the code that signs them (RFC 5280).

Certificates are assembled with asn1crypto and signed through the key store, so the same
code works whether the CA key is in software or in a PKCS#11 token.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import core, keys, x509

from keys.algorithms import KeyAlgorithm

Sign = Callable[[bytes], bytes]

ID_KP_DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # RFC 9336
# Seal and citizen certificates: document signing (RFC 9336) and emailProtection, which NSS
# (pdfsig, Evince, Okular, LibreOffice) and `openssl cms -verify` require of a CMS signer
# whose certificate has an EKU at all (RFC 8550, 4.4.4); not critical (RFC 5280, 4.2.1.12).
SIGNING_PURPOSES = (ID_KP_DOCUMENT_SIGNING, "email_protection")


def new_serial() -> int:
    """A positive serial of 159 random bits: unique and unpredictable (RFC 5280, 4.1.2.2)."""
    while True:
        value = secrets.randbits(159)
        if value >> 64:
            return value


def serial_hex(serial: int) -> str:
    return format(serial, "x")


def parse_serial(text: str) -> int:
    """A serial as `openssl x509 -serial` prints it (hex, any case, `serial=` and `:` allowed)."""
    cleaned = text.strip().removeprefix("serial=").replace(":", "")
    cleaned = cleaned.removeprefix("0x").removeprefix("0X")
    if not cleaned or len(cleaned) > 42 or any(c not in "0123456789abcdefABCDEF" for c in cleaned):
        raise ValueError(f"a serial number is hexadecimal (as openssl prints it), got {text!r}")
    return int(cleaned, 16)


def asn1_time(value: datetime) -> x509.Time:
    """UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280, section 4.1.2.5)."""
    value = value.replace(microsecond=0)
    if value.year < 2050:
        return x509.Time({"utc_time": value})
    return x509.Time({"general_time": value})


def key_hash(spki_der: bytes, algorithm: str = "sha1") -> bytes:
    """The hash of the subjectPublicKey BIT STRING's bits (the one home of this computation):
    with SHA-1 the RFC 5280 key identifier (section 4.2.1.2, method 1), with an OCSP CertID's
    hash algorithm its issuerKeyHash (RFC 6960, section 4.1.1). ValueError for an unknown
    algorithm."""
    info = keys.PublicKeyInfo.load(spki_der)
    return hashlib.new(algorithm, info["public_key"].contents[1:]).digest()


def key_identifier(spki_der: bytes) -> bytes:
    """SHA-1 of the subjectPublicKey BIT STRING (RFC 5280, section 4.2.1.2, method 1)."""
    return key_hash(spki_der, "sha1")


def name(**attributes: str) -> x509.Name:
    return x509.Name.build({k: v for k, v in attributes.items() if v}, use_printable=False)


@dataclass(frozen=True)
class Issuer:
    """The signing side of a certificate: its name, key identifier and URLs."""

    subject: x509.Name
    key_identifier: bytes
    algorithm: KeyAlgorithm
    sign: Sign
    ca_issuers_url: str | None  # where this issuer's certificate is published
    ocsp_url: str | None
    crl_url: str | None


def _uri(url: str) -> x509.GeneralName:
    return x509.GeneralName(name="uniform_resource_identifier", value=url)


def _ext(extn_id: str, value: Any, critical: bool = False) -> dict[str, Any]:
    return {"extn_id": extn_id, "critical": critical, "extn_value": value}


def ca_extensions(*, path_length: int | None) -> list[dict[str, Any]]:
    constraints: dict[str, Any] = {"ca": True}
    if path_length is not None:
        constraints["path_len_constraint"] = path_length
    return [
        _ext("basic_constraints", constraints, True),
        # digitalSignature too: CAs sign OCSP responses for the certificates they issued.
        _ext("key_usage", {"key_cert_sign", "crl_sign", "digital_signature"}, True),
    ]


def end_entity_extensions(*, key_usage: set[str], purposes: Sequence[str] = (),
                          eku_critical: bool = False, ocsp_nocheck: bool = False,
                          policies: Sequence[str] = ()) -> list[dict[str, Any]]:
    extensions = [
        _ext("basic_constraints", {"ca": False}, True),
        _ext("key_usage", key_usage, True),
    ]
    if purposes:
        extensions.append(_ext("extended_key_usage", list(purposes), eku_critical))
    if policies:  # RFC 5280, 4.2.1.4 (not critical: relying parties need not process them)
        extensions.append(_ext("certificate_policies",
                               [{"policy_identifier": oid} for oid in policies]))
    if ocsp_nocheck:  # RFC 6960, section 4.2.2.2.1
        extensions.append(_ext("ocsp_no_check", core.Null()))
    return extensions


def issue(*, issuer: Issuer, subject: x509.Name, subject_public_key: bytes, serial: int,
          not_before: datetime, not_after: datetime, extensions: list[dict[str, Any]],
          self_signed: bool = False) -> x509.Certificate:
    """Build and sign a v3 certificate; adds SKI, AKI, AIA and CRL DP (RFC 5280, 4.2)."""
    ski = key_identifier(subject_public_key)
    all_extensions = list(extensions)
    all_extensions.append(_ext("key_identifier", ski))
    if not self_signed:
        all_extensions.append(_ext("authority_key_identifier",
                                   {"key_identifier": issuer.key_identifier}))
        access = []
        if issuer.ocsp_url:
            access.append({"access_method": "ocsp",
                           "access_location": _uri(issuer.ocsp_url)})
        if issuer.ca_issuers_url:
            access.append({"access_method": "ca_issuers",
                           "access_location": _uri(issuer.ca_issuers_url)})
        if access:
            all_extensions.append(_ext("authority_information_access", access))
        if issuer.crl_url:
            all_extensions.append(_ext("crl_distribution_points", [{
                "distribution_point": {"full_name": [_uri(issuer.crl_url)]},
            }]))
    signature_algorithm = issuer.algorithm.signature_algorithm()
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": serial,
        "signature": signature_algorithm,
        "issuer": subject if self_signed else issuer.subject,
        "validity": {"not_before": asn1_time(not_before), "not_after": asn1_time(not_after)},
        "subject": subject,
        "subject_public_key_info": keys.PublicKeyInfo.load(subject_public_key),
        "extensions": all_extensions,
    })
    signature = issuer.sign(tbs.dump())
    return x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": signature_algorithm,
        "signature_value": signature,
    })


def pem(certificate: x509.Certificate) -> str:
    from asn1crypto import pem as asn1_pem

    return bytes(asn1_pem.armor("CERTIFICATE", certificate.dump())).decode("ascii")
