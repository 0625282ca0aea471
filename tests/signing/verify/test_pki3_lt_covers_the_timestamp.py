"""B-LT needs the validation data of the signature time-stamp too, not only the signer's.

ETSI EN 319 142-1, 6.3 (B-LT): the DSS holds the certificates and revocation data needed to
validate the signature, its signature time-stamp included (EN 319 102-1, 5.5: the
time-stamp's authority is validated like a signer). A signature whose DSS covered the signer's
chain but held nothing about its TSA's issuing CA was reported "B-LT" whenever the verifier
itself knew that CA's status (its configured CRLs, or fetched with `fetch_revocation`): the
file alone cannot prove its time once that status is gone, which is what B-LT promises.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.signing.verify import samples
from tests.signing.verify.test_level_claims import _with_dss


def _tsa_under_another_ca(pki):
    """A TSA under a second CA of the trusted root (its chain: TSA, that CA, the root)."""
    far = timedelta(days=3650)
    ca = samples._issue("Otra CA de sellado", pki.root, ca=True,
                        not_before=samples.NOW - far, not_after=samples.NOW + far)
    tsa = samples._issue("Otra TSA de la segunda CA", ca, ca=False,
                         not_before=samples.NOW - far, not_after=samples.NOW + far,
                         eku=[ExtendedKeyUsageOID.TIME_STAMPING], use_rsa=True)
    stamper = DummyTimeStamper(tsa_cert=tsa.asn1, tsa_key=tsa.asn1_key,
                               certs_to_embed=SimpleCertificateStore.from_certs([ca.asn1]),
                               fixed_dt=samples.NOW)
    return ca, stamper


@pytest.fixture
def second_ca_verifier(pki, root_file):
    """The session's verifier (the same root) that also knows the second CA's CRL itself."""
    from signing.verify.budget import Limits
    from signing.verify.trust import TrustStore
    from signing.verify.validation import Evidence, Verifier

    ca, stamper = _tsa_under_another_ca(pki)
    evidence = Evidence(crls=(*pki.crls, samples._crl(ca, [])), certificates=(pki.issuing.asn1,))
    verifier = Verifier(trust=TrustStore([str(root_file)]), evidence=lambda now: evidence,
                        clock=lambda: samples.NOW + timedelta(minutes=5),
                        max_bytes=2 * 1024 * 1024, limits=Limits(seconds=300.0))
    return verifier, ca, stamper


def test_a_dss_without_the_timestamps_validation_data_is_not_b_lt(second_ca_verifier, pki):
    verifier, _ca, stamper = second_ca_verifier
    signed = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                          stamper=stamper)
    # the signer's chain is covered (the issuing CA's and the root's CRLs), the TSA's is not
    report = verifier.verify(_with_dss(signed, pki))
    sig = report.signatures[0]
    assert sig.timestamp is not None and sig.timestamp.valid, sig
    assert sig.level == "B-T"


def test_a_dss_with_the_timestamps_validation_data_is_b_lt(second_ca_verifier, pki):
    verifier, ca, stamper = second_ca_verifier
    signed = samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                          stamper=stamper)
    report = verifier.verify(_with_dss(signed, pki, crls=[*pki.crls, samples._crl(ca, [])]))
    sig = report.signatures[0]
    assert sig.timestamp is not None and sig.timestamp.valid, sig
    assert sig.level == "B-LT"
