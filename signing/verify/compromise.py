"""What the revocation data says about the signer's certificate, with the invalidity date.

pyHanko's validation decides with the revocation *date* alone: a signature proven to exist
before its certificate was revoked passes, whatever the reason. When a key was compromised,
the date it was revoked says little; the CRL entry's invalidity date (RFC 5280, 5.3.2: "the
date on which it is known or suspected that the private key was compromised") says since when
nobody can tell the holder's signatures from a thief's. This module reads every CRL the
verification knows (this service's own, those in the document's DSS), keeps those that the
certificate's issuer really signed (RFC 5280, 6.3.3 (f)) and that list its serial number, and
reports the certificate's revocation: date, reason, invalidity date. `indication.check_revocation`
then judges the signature against the invalidity date (or the revocation date).

The CRL's scope (RFC 5280, 6.3.3 (b): issuing distribution point against the certificate's
CRL distribution points, onlyContainsCACerts/UserCerts/AttributeCerts, onlySomeReasons) is not
checked here: it decides whether a CRL that does *not* list the certificate says it is good,
which is pyhanko-certvalidator's call (`revinfo.validate_crl`; tests/signing/verify/
test_crl_scope.py). An entry in a CRL its issuer signed only adds distrust, whatever the scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp as x509_ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from signing.verify import holds
from signing.verify.report import Revocation


def signed_by(crl: asn1_crl.CertificateList, issuer: asn1_x509.Certificate) -> bool:
    """The CRL's signature verifies under the issuer's key (RFC 5280, 6.3.3 (f))."""
    if crl["tbs_cert_list"]["issuer"] != issuer.subject:
        return False
    try:
        parsed = x509.load_der_x509_crl(crl.dump())
        return parsed.is_signature_valid(
            x509.load_der_x509_certificate(issuer.dump()).public_key())  # type: ignore[arg-type]
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False


def _signature_valid(public_key: object, signature: bytes, data: bytes,
                     hash_algorithm: object) -> bool:
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)  # type: ignore[arg-type]
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hash_algorithm))  # type: ignore[arg-type]
        elif isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            public_key.verify(signature, data)
        else:
            return False
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def ocsp_signed_by(basic: asn1_ocsp.BasicOCSPResponse, issuer: asn1_x509.Certificate) -> bool:
    """The OCSP response is signed by `issuer`, or by a responder certificate in it that
    `issuer` signed for OCSP signing (RFC 6960, 4.2.2.2)."""
    try:
        response = x509_ocsp.load_der_ocsp_response(asn1_ocsp.OCSPResponse({
            "response_status": "successful",
            "response_bytes": {"response_type": "basic_ocsp_response",
                               "response": basic}}).dump())
        ca = x509.load_der_x509_certificate(issuer.dump())
        keys = [ca.public_key()]
        for responder in response.certificates:
            try:
                responder.verify_directly_issued_by(ca)
                usage = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
            except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm,
                    x509.ExtensionNotFound):
                continue
            if ExtendedKeyUsageOID.OCSP_SIGNING in usage.value:
                keys.append(responder.public_key())
        return any(_signature_valid(key, response.signature, response.tbs_response_bytes,
                                    response.signature_hash_algorithm) for key in keys)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False


def _entry(crl: asn1_crl.CertificateList, serial: int) -> Revocation | None:
    for entry in crl["tbs_cert_list"]["revoked_certificates"]:
        if entry["user_certificate"].native != serial:
            continue
        reason = entry.crl_reason_value
        invalid = entry.invalidity_date_value
        return Revocation("revoked", entry["revocation_date"].native,
                          reason.native if reason is not None else None,
                          invalid.native if invalid is not None else None)
    return None


def signer_revocation(*, signer: asn1_x509.Certificate, issuer: asn1_x509.Certificate | None,
                      crls: Iterable[asn1_crl.CertificateList]) -> Revocation | None:
    """The signer's revocation as its issuer's CRLs state it, or None if none lists it.

    When several CRLs list it, the one that distrusts the most wins (the earliest invalidity
    date, else the earliest revocation date). A hold (`holds`) counts only when nothing
    revokes it for good; its `lifted_at` says when a later CRL lifted it, if one did.
    """
    if issuer is None:
        return None
    found: list[Revocation] = []
    held: list[Revocation] = []
    genuine: list[asn1_crl.CertificateList] = []
    seen: set[bytes] = set()
    for crl in crls:
        digest = crl.sha256
        if digest in seen:
            continue
        seen.add(digest)
        try:
            entry = _entry(crl, signer.serial_number)
        except (ValueError, TypeError, KeyError):
            continue
        if not signed_by(crl, issuer):
            continue
        genuine.append(crl)
        if entry is not None and entry.reason == holds.HOLD:
            held.append(entry)
        elif entry is not None and entry.reason != holds.REMOVE:
            found.append(entry)
    if found:
        return min(found, key=lambda r: (since(r) is None,
                                         since(r) or datetime.min.replace(tzinfo=UTC)))
    if not held:
        return None
    latest = max(held, key=lambda r: r.revoked_at or datetime.min.replace(tzinfo=UTC))
    return replace(latest, lifted_at=holds.lifted_at(signer.serial_number, genuine))


def distrusted_at(revocation: Revocation, moment: datetime) -> bool:
    """Whether the revocation bears on a signature made (or judged) at `moment`: always,
    unless it is a hold that was lifted (`holds`), which bears only within the hold."""
    if revocation.lifted_at is None:
        return True
    start = since(revocation)
    return (start is None or moment >= start) and moment < revocation.lifted_at


def without_lifted_holds(crls: Sequence[CRLContainer],
                         certificates: Iterable[asn1_x509.Certificate]) -> list[CRLContainer]:
    """`crls` less those a newer CRL of the same issuer (signed by the same CA certificate
    among `certificates`) replaces except for holds it lifted (`holds.superseded`): pyHanko
    counts every CRL that lists a certificate, and would keep a lifted hold forever."""
    data = [container.crl_data for container in crls]
    cas = list(certificates)
    kept = []
    for container in crls:
        newer = holds.superseded(container.crl_data, data)
        if newer is not None and any(signed_by(container.crl_data, ca) and signed_by(newer, ca)
                                     for ca in cas if ca.subject == container.crl_data.issuer):
            continue
        kept.append(container)
    return kept


def since(revocation: Revocation) -> datetime | None:
    """Since when signatures under the certificate are not trusted without an older proof of
    existence: the invalidity date when known, else the revocation date."""
    return revocation.invalidity_date or revocation.revoked_at
