"""Revocation data older than the signature's proof of existence proves nothing about it.

The attack (found by a PDF-signature review): the signer's certificate, under another CA,
is revoked at R; the signer signs after R (signature time-stamp T > R) and appends to the
DSS the CA's own genuine CRL from before R (nextUpdate still in the future), which does not
list them. Without a CRL of our own for that CA, that CRL must not turn the verdict into
TOTAL-PASSED (ETSI EN 319 102-1, revocation freshness: only revocation information issued
after the best signature time shows the certificate was not revoked then).
"""

from __future__ import annotations

import io
from datetime import timedelta

from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing.verify.trust import TrustStore
from signing.verify.validation import Evidence, Verifier
from tests.signing.verify import samples

REVOCATION_SUBINDICATIONS = {"TRY_LATER", "REVOKED_NO_POE", "REVOCATION_OUT_OF_BOUNDS_NO_POE"}


def _stale_crl(pki: samples.Pki) -> asn1_crl.CertificateList:
    """The issuing CA's genuine CRL from three days ago, before the revocation: empty."""
    ca = pki.issuing
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
           .last_update(samples.NOW - timedelta(days=3))
           .next_update(samples.NOW + timedelta(days=4))
           .add_extension(x509.CRLNumber(0), critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
               ca.key.public_key()), critical=False)
           .sign(ca.key, hashes.SHA256()))
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def _with_dss_crl(pdf: bytes, crl: asn1_crl.CertificateList) -> bytes:
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(out, sig_contents=None, crls=[crl], force_write=True)
    return out.getvalue()


def _without_own_crl_for_the_ca(pki: samples.Pki, root_file) -> Verifier:
    """Only the root's CRL is known: nothing of our own about the issuing CA's certificates."""
    evidence = Evidence(crls=(pki.crls[0],), certificates=(pki.issuing.asn1,))
    return Verifier(trust=TrustStore([str(root_file)]), evidence=lambda now: evidence,
                    clock=lambda: samples.NOW + timedelta(minutes=5), max_bytes=2 * 1024 * 1024)


def test_a_stale_crl_in_the_dss_does_not_pass_a_revoked_signer(pki, root_file):
    assert pki.revoked_at < samples.NOW
    signed = samples.sign(samples.blank_pdf(), samples.signer_for(pki.revoked, pki),
                          stamper=samples.timestamper(pki, samples.NOW))
    forged = _with_dss_crl(signed, _stale_crl(pki))
    report = _without_own_crl_for_the_ca(pki, root_file).verify(forged)
    assert report.indication.value == "INDETERMINATE", report.conclusion
    assert report.conclusion.sub_indication in REVOCATION_SUBINDICATIONS
    assert report.signatures[0].revocation.status != "good"


def test_a_crl_issued_after_the_time_stamp_still_passes(pki, root_file):
    """The same signer's colleague, with the CA's CRL issued after the signature time-stamp."""
    signed = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                          stamper=samples.timestamper(pki, samples.NOW - timedelta(days=4)))
    fresh = _with_dss_crl(signed, _stale_crl(pki))
    report = _without_own_crl_for_the_ca(pki, root_file).verify(fresh)
    assert (report.indication.value, report.conclusion.sub_indication) == ("TOTAL-PASSED", None)
