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

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp as x509_ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from keys.x509 import key_hash
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


def ocsp_single(response: asn1_ocsp.OCSPResponse, cert_serial: int, cert_issuer: Any,
                issuer: asn1_x509.Certificate) -> asn1_ocsp.SingleResponse | None:
    """The single response of `response` about the certificate `cert_serial` whose issuer
    name is `cert_issuer` (an asn1crypto Name), if `issuer` or its OCSP responder signed it:
    its CertID is the certificate's (RFC 6960, 4.1.1: the hashes of the issuer's name and key
    in the CertID's own hash algorithm, and the serial number) and the signature is checked
    (4.2.2.2). All of a CertID is public: matching it proves nothing about who answered."""
    basic = response.basic_ocsp_response
    if basic is None:
        return None
    for single in basic["tbs_response_data"]["responses"]:
        cert_id = single["cert_id"]
        algorithm = cert_id["hash_algorithm"]["algorithm"].native
        try:
            name_hash = hashlib.new(algorithm, cert_issuer.dump()).digest()
            key = key_hash(issuer.public_key.dump(), algorithm)
        except (ValueError, TypeError):
            continue
        if (cert_id["serial_number"].native, cert_id["issuer_name_hash"].native,
                cert_id["issuer_key_hash"].native) == (cert_serial, name_hash, key):
            return single if ocsp_signed_by(basic, issuer) else None
    return None


def ocsp_answers(response: asn1_ocsp.OCSPResponse, cert: asn1_x509.Certificate,
                 issuer: asn1_x509.Certificate) -> bool:
    """`response` tells the status of `cert` and its issuer said so (`ocsp_single`): good or
    revoked, never "unknown" (RFC 6960, 2.2: the responder does not know the certificate; no
    status to validate a signature with)."""
    single = ocsp_single(response, cert.serial_number, cert.issuer, issuer)
    return single is not None and single["cert_status"].name != "unknown"


def _good_since(responses: Iterable[asn1_ocsp.OCSPResponse], serial: int, cert_issuer: Any,
                issuer: asn1_x509.Certificate) -> list[datetime]:
    """The thisUpdate of each genuine OCSP answer "good" about the certificate."""
    times = []
    for response in responses:
        single = ocsp_single(response, serial, cert_issuer, issuer)
        if single is not None and single["cert_status"].name == "good":
            times.append(single["this_update"].native)
    return times


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
                      crls: Iterable[asn1_crl.CertificateList],
                      ocsps: Iterable[asn1_ocsp.OCSPResponse] = (),
                      at: datetime | None = None) -> Revocation | None:
    """The signer's revocation as its issuer's CRLs state it, or None if none lists it.

    When several CRLs list it, the one that distrusts the most wins (the earliest invalidity
    date, else the earliest revocation date). A hold (`holds`) counts only when nothing
    revokes it for good; its `lifted_at` says when a later CRL or a genuine OCSP answer
    "good" (`ocsps`) lifted it, if one did. Of several holds (`holds.periods`), the one the
    signature made (proven, or judged) `at` falls within, else the newest.
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
    good = _good_since(ocsps, signer.serial_number, signer.issuer, issuer)
    periods = [replace(entry, lifted_at=lifted) for crl, lifted in
               holds.periods(signer.serial_number, genuine, good)
               if (entry := _entry(crl, signer.serial_number)) is not None]
    within = [period for period in periods if at is not None and period.lifted_at is not None
              and distrusted_at(period, at)]
    return within[0] if within else (periods[-1] if periods else None)


def distrusted_at(revocation: Revocation, moment: datetime) -> bool:
    """Whether the revocation bears on a signature made (or judged) at `moment`: always,
    unless it is a hold that was lifted (`holds`), which bears only within the hold."""
    if revocation.lifted_at is None:
        return True
    start = since(revocation)
    return (start is None or moment >= start) and moment < revocation.lifted_at


def without_lifted_holds(crls: Sequence[CRLContainer],
                         certificates: Iterable[asn1_x509.Certificate],
                         ocsps: Sequence[OCSPContainer] = ()) -> list[CRLContainer]:
    """`crls` less those whose only news is holds lifted since, by a newer CRL of the same
    issuer (signed by the same CA certificate among `certificates`, `holds.superseded`) or by
    genuine OCSP answers "good" issued after them (`ocsps`): pyHanko counts every CRL that
    lists a certificate, and would keep a lifted hold forever."""
    data = [container.crl_data for container in crls]
    responses = [container.ocsp_response_data for container in ocsps]
    cas = list(certificates)
    kept = []
    for container in crls:
        crl = container.crl_data
        issuers = [ca for ca in cas if ca.subject == crl.issuer and signed_by(crl, ca)]
        newer = holds.superseded(crl, data)
        if newer is not None and any(signed_by(newer, ca) for ca in issuers):
            continue
        if responses and any(_all_answered(crl, ca, responses) for ca in issuers):
            continue
        kept.append(container)
    return kept


def _all_answered(crl: asn1_crl.CertificateList, ca: asn1_x509.Certificate,
                  responses: list[asn1_ocsp.OCSPResponse]) -> bool:
    """Every entry of the (complete) CRL is a hold that `ca` has since answered "good" for."""
    listed = holds.entries(crl)
    issued = holds.this_update(crl)
    return bool(listed) and not holds.is_delta(crl) and all(
        reason == holds.HOLD and any(when > issued for when in _good_since(
            responses, serial, crl.issuer, ca)) for serial, reason in listed.items())


def since(revocation: Revocation) -> datetime | None:
    """Since when signatures under the certificate are not trusted without an older proof of
    existence: the invalidity date when known, else the revocation date."""
    return revocation.invalidity_date or revocation.revoked_at
