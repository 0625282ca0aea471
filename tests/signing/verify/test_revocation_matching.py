"""Which revocation data is about which certificate (the PAdES level, the hold of a
certificate).

- B-LT (ETSI EN 319 142-1, 6.5) needs, for each certificate of the chain, a CRL of its issuer
  or an OCSP response about it. An OCSP response counted when its CertID's key hash and
  serial number matched: the issuer's name hash was not compared, nor who signed it. Every
  part of a CertID is public, so anyone could append a response of their own making, or one
  about the same serial of another CA sharing the key, and read "PAdES B-LT".
"""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from asn1crypto import ocsp as asn1_ocsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.validation.dss import DocumentSecurityStore

from tests.signing.verify import samples


def _ocsp(cert: samples.Party, issuer: samples.Party, signer: samples.Party, *,
          responder_cert: samples.Party | None = None,
          status=ocsp.OCSPCertStatus.GOOD) -> asn1_ocsp.OCSPResponse:
    """A response about `cert` with `issuer`'s CertID, signed by `signer` (embedding
    `responder_cert` when given)."""
    produced = samples.CRLS_ISSUED
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert.cert, issuer=issuer.cert, algorithm=hashes.SHA1(), cert_status=status,
        this_update=produced, next_update=produced + timedelta(days=1),
        revocation_time=None, revocation_reason=None)
    responder = responder_cert or signer
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
    if responder_cert is not None:
        builder = builder.certificates([responder_cert.cert])
    response = builder.sign(signer.key, hashes.SHA256())
    return asn1_ocsp.OCSPResponse.load(response.public_bytes(serialization.Encoding.DER))


def _with_ocsp(pdf: bytes, pki, response) -> bytes:
    """A DSS revision with the root's CRL (for the issuing CA) and `response` (for the
    signer), as anyone may append."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf))
    _name, value, _field = next(enumerate_sig_fields(reader, filled_status=True))
    contents = value.get_object().raw_get("/Contents").original_bytes
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(out, contents, certs=[pki.issuing.asn1, pki.root.asn1],
                                  crls=[pki.crls[0]], ocsps=[response], force_write=True)
    return out.getvalue()


def _level(verifier, pdf) -> str | None:
    report = verifier.verify(pdf)
    assert report.conclusion.passed
    return report.signatures[0].level


def test_the_issuers_own_ocsp_response_makes_b_lt(verifier, pki, signed):
    assert _level(verifier, _with_ocsp(signed, pki, _ocsp(pki.signer, pki.issuing,
                                                          pki.issuing))) == "B-LT"


def test_a_delegated_responders_ocsp_response_makes_b_lt(verifier, pki, signed):
    responder = samples._issue("Otro OCSP", pki.issuing, ca=False,
                               not_before=samples.NOW - timedelta(days=1),
                               not_after=samples.NOW + timedelta(days=30),
                               eku=[ExtendedKeyUsageOID.OCSP_SIGNING])
    response = _ocsp(pki.signer, pki.issuing, responder, responder_cert=responder)
    assert _level(verifier, _with_ocsp(signed, pki, response)) == "B-LT"


def _resigned(response: asn1_ocsp.OCSPResponse, signer: samples.Party,
              issuer_name_hash: bytes) -> asn1_ocsp.OCSPResponse:
    """`response` with its first CertID's issuerNameHash replaced, signed again by `signer`
    (ECDSA with SHA-256, as `_ocsp` signs)."""
    basic = response.basic_ocsp_response
    tbs = asn1_ocsp.ResponseData.load(basic["tbs_response_data"].dump())
    single = tbs["responses"][0]
    cert_id = single["cert_id"]
    single["cert_id"] = asn1_ocsp.CertId({
        "hash_algorithm": cert_id["hash_algorithm"], "issuer_name_hash": issuer_name_hash,
        "issuer_key_hash": cert_id["issuer_key_hash"],
        "serial_number": cert_id["serial_number"]})
    tbs["responses"] = asn1_ocsp.Responses([single])
    signature = signer.key.sign(tbs.dump(force=True), ec.ECDSA(hashes.SHA256()))
    return asn1_ocsp.OCSPResponse({
        "response_status": "successful",
        "response_bytes": {"response_type": "basic_ocsp_response", "response": {
            "tbs_response_data": tbs, "signature_algorithm": basic["signature_algorithm"],
            "signature": signature}}})


def test_an_ocsp_response_for_another_issuer_name_is_no_validation_data(verifier, pki, signed):
    """Same key, same serial, another CA name (a twin CA sharing the issuing CA's key): the
    CertID's issuerNameHash is not the hash of the signer's issuer name."""
    twin = samples._issue("Otra CA gemela", pki.root, ca=True, key=pki.issuing.key,
                          not_before=samples.NOW - timedelta(days=1),
                          not_after=samples.NOW + timedelta(days=30))
    genuine = _ocsp(pki.signer, pki.issuing, pki.issuing)
    control = _resigned(genuine, pki.issuing, hashlib.sha1(pki.signer.asn1.issuer.dump()).digest())
    assert _level(verifier, _with_ocsp(signed, pki, control)) == "B-LT"
    response = _resigned(genuine, pki.issuing, hashlib.sha1(twin.asn1.subject.dump()).digest())
    assert _level(verifier, _with_ocsp(signed, pki, response)) == "B-T"


def test_an_ocsp_response_nobody_authorised_is_no_validation_data(verifier, pki, signed):
    """The signer's exact CertID, signed by a key of the attacker's (self-made responder)."""
    forger = samples._issue("OCSP falso", None, ca=False,
                            not_before=samples.NOW - timedelta(days=1),
                            not_after=samples.NOW + timedelta(days=30),
                            eku=[ExtendedKeyUsageOID.OCSP_SIGNING])
    response = _ocsp(pki.signer, pki.issuing, forger, responder_cert=forger)
    assert _level(verifier, _with_ocsp(signed, pki, response)) == "B-T"


def test_a_responder_the_issuer_did_not_certify_for_ocsp_is_no_validation_data(
        verifier, pki, signed):
    """A certificate of the same CA without id-kp-OCSPSigning (here: another citizen's)."""
    response = _ocsp(pki.signer, pki.issuing, pki.revoked, responder_cert=pki.revoked)
    assert _level(verifier, _with_ocsp(signed, pki, response)) == "B-T"
