"""An OCSP response "unknown" is no validation data (RFC 6960, 2.2: the responder does not know
the certificate; EN 319 102-1, 5.2.5: no status to validate the signature with).

B-LT (ETSI EN 319 142-1, 6.3) needs, for each certificate of the chain, a CRL of its issuer
or an OCSP response about it. A genuine response of the signer's CA saying "unknown" counted
as that response: with the verifier knowing the status itself (its configured CRLs), a
signature whose file holds nothing that tells its certificate's status read "PAdES B-LT".
"""

from __future__ import annotations

from datetime import timedelta

from asn1crypto import ocsp as asn1_ocsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ReasonFlags, ocsp

from signing.verify.compromise import ocsp_answers
from tests.signing.verify import samples
from tests.signing.verify.test_revocation_matching import _level, _ocsp, _with_ocsp


def test_an_unknown_ocsp_response_does_not_make_b_lt(verifier, pki, signed):
    response = _ocsp(pki.signer, pki.issuing, pki.issuing, status=ocsp.OCSPCertStatus.UNKNOWN)
    assert _level(verifier, _with_ocsp(signed, pki, response)) == "B-T"


def test_a_good_one_still_does(verifier, pki, signed):
    response = _ocsp(pki.signer, pki.issuing, pki.issuing)
    assert _level(verifier, _with_ocsp(signed, pki, response)) == "B-LT"


def test_a_revoked_one_tells_the_status_too(pki):
    """"revoked" is validation data: the signature then fails on it, not for want of data."""
    at = samples.CRLS_ISSUED
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=pki.revoked.cert, issuer=pki.issuing.cert, algorithm=hashes.SHA256(),
        cert_status=ocsp.OCSPCertStatus.REVOKED, this_update=at, next_update=at + timedelta(days=1),
        revocation_time=pki.revoked_at, revocation_reason=ReasonFlags.key_compromise)
    response = asn1_ocsp.OCSPResponse.load(
        builder.responder_id(ocsp.OCSPResponderEncoding.HASH, pki.issuing.cert)
        .sign(pki.issuing.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    assert ocsp_answers(response, pki.revoked.asn1, pki.issuing.asn1)
