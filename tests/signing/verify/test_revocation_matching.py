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

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.validation.dss import DocumentSecurityStore

from tests.signing.verify import samples


def _ocsp(cert: samples.Party, issuer: samples.Party, signer: samples.Party, *,
          responder_cert: samples.Party | None = None, at=None,
          status=ocsp.OCSPCertStatus.GOOD) -> asn1_ocsp.OCSPResponse:
    """A response about `cert` with `issuer`'s CertID, signed by `signer` (embedding
    `responder_cert` when given)."""
    produced = at or samples.CRLS_ISSUED
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert.cert, issuer=issuer.cert, algorithm=hashes.SHA256(), cert_status=status,
        this_update=produced, next_update=produced + timedelta(days=1),
        revocation_time=None, revocation_reason=None)
    responder = responder_cert or signer
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
    if responder_cert is not None:
        builder = builder.certificates([responder_cert.cert])
    response = builder.sign(signer.key, hashes.SHA256())
    return asn1_ocsp.OCSPResponse.load(response.public_bytes(serialization.Encoding.DER))


def _with_ocsp(pdf: bytes, pki, response) -> bytes:
    """A DSS revision with the root's CRL (for the issuing CA), the issuing CA's own response
    about the TSA (B-LT covers the signature time-stamp's authority too) and `response` (for
    the signer), as anyone may append."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf))
    _name, value, _field = next(enumerate_sig_fields(reader, filled_status=True))
    contents = value.get_object().raw_get("/Contents").original_bytes
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(out, contents, certs=[pki.issuing.asn1, pki.root.asn1],
                                  crls=[pki.crls[0]], ocsps=[_ocsp(pki.tsa, pki.issuing, pki.issuing), response],
                                  force_write=True)
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
    control = _resigned(genuine, pki.issuing, hashlib.sha256(pki.signer.asn1.issuer.dump()).digest())
    assert _level(verifier, _with_ocsp(signed, pki, control)) == "B-LT"
    response = _resigned(genuine, pki.issuing, hashlib.sha256(twin.asn1.subject.dump()).digest())
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


# Holds (RFC 5280, 5.3.1 certificateHold; `signing.verify.holds`) ---------------------------

def _crl(ca: samples.Party, entries, issued, number: int, *, key=None):
    """A CRL of `ca` issued at `issued`: entries (party, revocation date, reason or None);
    signed by `key` (default: the CA's own)."""
    from asn1crypto import crl as asn1_crl
    from cryptography import x509

    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
               .last_update(issued).next_update(issued + timedelta(days=1))
               .add_extension(x509.CRLNumber(number), critical=False))
    for party, when, reason in entries:
        entry = x509.RevokedCertificateBuilder().serial_number(party.cert.serial_number) \
            .revocation_date(when)
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    crl = builder.sign(key or ca.key, hashes.SHA256())
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def _verifier(pki, root_file, crls):
    from signing.verify.trust import TrustStore
    from signing.verify.validation import Evidence, Verifier

    evidence = Evidence(crls=(pki.crls[0], *crls), certificates=(pki.issuing.asn1,))
    return Verifier(trust=TrustStore([str(root_file)]), evidence=lambda now: evidence,
                    clock=lambda: samples.NOW + timedelta(minutes=5), max_bytes=2 * 1024 * 1024)


def _hold(pki, at):
    from cryptography import x509

    return (pki.signer, at, x509.ReasonFlags.certificate_hold)


def _after(minutes: int):
    return samples.NOW + timedelta(minutes=minutes)


def _verdict(report):
    sig = report.signatures[0]
    return report.indication.value, report.conclusion.sub_indication, sig.revocation.status


def _lifted(pki, how: str):
    from cryptography import x509

    held = _crl(pki.issuing, [_hold(pki, samples.NOW - timedelta(days=1))], _after(1), 2)
    if how == "left out":
        later = _crl(pki.issuing, [], _after(3), 3)
    else:
        later = _crl(pki.issuing, [(pki.signer, samples.NOW - timedelta(days=1),
                                    x509.ReasonFlags.remove_from_crl)], _after(3), 3)
    return held, later


@pytest.mark.parametrize("how", ["left out", "removeFromCRL"])
@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_a_hold_lifted_by_a_later_crl_is_not_a_revocation(pki, root_file, how, order):
    """A certificate held, then released by the CA's next CRL: a signature judged after the
    release (no time-stamp: judged now) is valid. It was INDETERMINATE/REVOKED_NO_POE, the
    certificate reported revoked, for as long as the old CRL was around."""
    held, later = _lifted(pki, how)
    crls = (held, later) if order == "oldest first" else (later, held)
    basic = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    report = _verifier(pki, root_file, crls).verify(basic)
    assert _verdict(report) == ("TOTAL-PASSED", None, "good")


def test_a_hold_lifted_in_the_dss_is_not_a_revocation(pki, root_file):
    """The same, with both CRLs appended to the document's DSS."""
    held, later = _lifted(pki, "left out")
    basic = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(basic))
    _name, value, _field = next(enumerate_sig_fields(reader, filled_status=True))
    out = io.BytesIO(basic)
    DocumentSecurityStore.add_dss(out, value.get_object().raw_get("/Contents").original_bytes,
                                  crls=[held, later], force_write=True)
    report = _verifier(pki, root_file, ()).verify(out.getvalue())
    assert _verdict(report) == ("TOTAL-PASSED", None, "good")


def test_a_signature_proven_within_the_hold_is_not_passed(pki, root_file, signed):
    """Time-stamped while the certificate was held (released only later): REVOKED_NO_POE."""
    held, later = _lifted(pki, "left out")
    report = _verifier(pki, root_file, (held, later)).verify(signed)
    assert _verdict(report) == ("INDETERMINATE", "REVOKED_NO_POE", "revoked")
    assert report.signatures[0].revocation.reason == "certificate_hold"


def test_a_hold_placed_again_is_a_revocation(pki, root_file):
    """Held, released, held again: the newest CRL decides (the reverse of a lifted hold)."""
    basic = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    crls = (_crl(pki.issuing, [_hold(pki, samples.NOW - timedelta(days=2))], _after(1), 2),
            _crl(pki.issuing, [], _after(2), 3),
            _crl(pki.issuing, [_hold(pki, samples.NOW - timedelta(days=1))], _after(3), 4))
    report = _verifier(pki, root_file, crls).verify(basic)
    assert _verdict(report) == ("INDETERMINATE", "REVOKED_NO_POE", "revoked")


def test_a_later_crl_the_ca_did_not_sign_lifts_no_hold(pki, root_file):
    """An attacker's "newer CRL" in the CA's name, without the entry, signed by another key."""
    basic = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    held = _crl(pki.issuing, [_hold(pki, samples.NOW - timedelta(days=1))], _after(1), 2)
    forged = _crl(pki.issuing, [], _after(3), 3, key=pki.stranger.key)
    report = _verifier(pki, root_file, (held, forged)).verify(basic)
    assert _verdict(report) == ("INDETERMINATE", "REVOKED_NO_POE", "revoked")


def test_a_later_crl_lifts_no_permanent_revocation(pki, root_file):
    """A key compromise is never lifted, even if a later CRL leaves the entry out."""
    from cryptography import x509

    basic = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))
    revoked = _crl(pki.issuing, [(pki.signer, samples.NOW - timedelta(days=1),
                                  x509.ReasonFlags.key_compromise)], _after(1), 2)
    report = _verifier(pki, root_file, (revoked, _crl(pki.issuing, [], _after(3), 3))) \
        .verify(basic)
    assert _verdict(report) == ("INDETERMINATE", "REVOKED_NO_POE", "revoked")


@pytest.mark.parametrize(("answered", "lifted"), [(3, True), (0, False)])
def test_an_ocsp_answer_good_after_the_hold_lifts_it(pki, answered, lifted):
    """RFC 5280 / 6960: the CA's OCSP responder answering "good" after the CRL that holds the
    certificate says the hold is over (from its thisUpdate); one answered before says nothing.
    The CRL is then kept from pyHanko, which would count its hold for good."""
    from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

    from signing.verify import compromise

    held = _crl(pki.issuing, [_hold(pki, samples.NOW - timedelta(days=1))], _after(1), 2)
    good = _ocsp(pki.signer, pki.issuing, pki.issuing, at=_after(answered))
    listed = compromise.signer_revocation(signer=pki.signer.asn1, issuer=pki.issuing.asn1,
                                          crls=[held], ocsps=[good])
    assert listed is not None and listed.reason == "certificate_hold"
    assert listed.lifted_at == (_after(answered) if lifted else None)
    kept = compromise.without_lifted_holds([CRLContainer(held)], [pki.issuing.asn1],
                                           OCSPContainer.load_multi(good))
    assert len(kept) == (0 if lifted else 1)


def test_an_ocsp_answer_nobody_authorised_lifts_no_hold(pki):
    from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

    from signing.verify import compromise

    held = _crl(pki.issuing, [_hold(pki, samples.NOW - timedelta(days=1))], _after(1), 2)
    forged = _ocsp(pki.signer, pki.issuing, pki.stranger, responder_cert=pki.stranger,
                   at=_after(3))
    listed = compromise.signer_revocation(signer=pki.signer.asn1, issuer=pki.issuing.asn1,
                                          crls=[held], ocsps=[forged])
    assert listed is not None and listed.lifted_at is None
    assert len(compromise.without_lifted_holds([CRLContainer(held)], [pki.issuing.asn1],
                                               OCSPContainer.load_multi(forged))) == 1
