"""CRL scope (RFC 5280, 6.3.3 (b)): a CRL of the right issuer that covers other certificates
cannot clear a revoked end-entity certificate. pyhanko-certvalidator checks it
(`revinfo.validate_crl`: the issuing distribution point against the certificate's CRL
distribution points, onlyContainsCACerts/UserCerts/AttributeCerts, onlySomeReasons);
`signing.verify.compromise` only reads the entries of CRLs its issuer signed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signing.verify.trust import TrustStore
from signing.verify.validation import Evidence, Verifier
from tests.signing.verify import samples


def _empty_crl(ca: samples.Party, scope: x509.IssuingDistributionPoint | None
               ) -> asn1_crl.CertificateList:
    """A CRL the issuing CA really signed, newer than the one listing the revocation, with no
    entries: unscoped, it says the certificate is not revoked."""
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
               .last_update(samples.CRLS_ISSUED + timedelta(seconds=30))
               .next_update(samples.NOW + timedelta(days=1))
               .add_extension(x509.CRLNumber(2), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   ca.key.public_key()), critical=False))
    if scope is not None:
        builder = builder.add_extension(scope, critical=True)
    crl = builder.sign(ca.key, hashes.SHA256())
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def _scope(*, ca_only: bool = False, point: str | None = None) -> x509.IssuingDistributionPoint:
    return x509.IssuingDistributionPoint(
        full_name=[x509.UniformResourceIdentifier(point)] if point else None,
        relative_name=None, only_contains_user_certs=False, only_contains_ca_certs=ca_only,
        only_some_reasons=None, indirect_crl=False, only_contains_attribute_certs=False)


def _verify(pki, root_file, issuing_crl, pdf):
    evidence = Evidence(crls=(pki.crls[0], issuing_crl), certificates=(pki.issuing.asn1,))
    verifier = Verifier(trust=TrustStore([str(root_file)]), evidence=lambda now: evidence,
                        clock=lambda: samples.NOW + timedelta(minutes=5),
                        max_bytes=2 * 1024 * 1024)
    return verifier.verify(pdf)


@pytest.fixture(scope="module")
def revoked_pdf(pki):
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.revoked, pki),
                        stamper=samples.timestamper(pki, pki.revoked_at + timedelta(days=1)))


def test_an_unscoped_crl_without_the_entry_clears_the_certificate(pki, root_file, revoked_pdf):
    """The control: the same CRL without a scope is taken as the issuer's word."""
    report = _verify(pki, root_file, _empty_crl(pki.issuing, None), revoked_pdf)
    assert report.signatures[0].revocation.status != "revoked"
    assert report.indication.value == "TOTAL-PASSED"


@pytest.mark.parametrize("scope", [_scope(ca_only=True),
                                   _scope(point="http://crl.example/otra-ca/ca-only.crl")],
                         ids=["only_contains_ca_certs", "another_distribution_point"])
def test_a_crl_scoped_to_other_certificates_does_not_clear_a_revoked_signer(
        pki, root_file, revoked_pdf, scope):
    report = _verify(pki, root_file, _empty_crl(pki.issuing, scope), revoked_pdf)
    assert report.indication.value != "TOTAL-PASSED"
    assert report.signatures[0].revocation.status != "good"
