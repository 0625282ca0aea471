"""A time-stamp whose authority's certificate is not a time-stamping authority's (RFC 3161,
2.3: one extended key usage extension, critical, naming id-kp-timeStamping alone). pyHanko
asks only that timeStamping be among the purposes: a certificate made for code signing (or a
web server, or documents) with timeStamping added, or whose extension is not critical, proved
the signing time of a signature reported valid at B-T.

Each time-stamp fails (INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE, as a missing purpose does):
the signature is not reported valid and its time is not proven; by the service in-process and
by POST /api/verify.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID as Purpose
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.verify import tsa_usage
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


def _tsa_party(pki, purposes, *, critical: bool = True) -> samples.Party:
    """A TSA under the trusted issuing CA, its extended key usage as given."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = (x509.CertificateBuilder().subject_name(samples._name("TSA de otro uso"))
               .issuer_name(pki.issuing.cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(samples.NOW - timedelta(days=300))
               .not_valid_after(samples.NOW + timedelta(days=300))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage(purposes), critical=critical))
    return samples.Party(builder.sign(pki.issuing.key, hashes.SHA256()), key)


def _stamped_by(pki, party: samples.Party) -> bytes:
    stamper = DummyTimeStamper(tsa_cert=party.asn1, tsa_key=party.asn1_key, fixed_dt=samples.NOW,
                               certs_to_embed=SimpleCertificateStore.from_certs(
                                   [pki.issuing.asn1]))
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki),
                        stamper=stamper)


CASES = {
    "not_critical": ([Purpose.TIME_STAMPING], False),
    "also_code_signing": ([Purpose.TIME_STAMPING, Purpose.CODE_SIGNING], True),
    "also_server_auth": ([Purpose.SERVER_AUTH, Purpose.TIME_STAMPING], True),
}


@pytest.fixture(scope="module")
def stamped(pki) -> dict[str, bytes]:
    return {name: _stamped_by(pki, _tsa_party(pki, purposes, critical=critical))
            for name, (purposes, critical) in CASES.items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_time_stamp_by_a_certificate_not_only_for_time_stamping_proves_nothing(
        verifier, stamped, case):
    report = verifier.verify(stamped[case])
    sig = report.signatures[0]
    assert not report.conclusion.passed
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE")
    assert sig.timestamp is not None and not sig.timestamp.valid
    assert sig.level == "B-B"


def test_a_time_stamping_authoritys_own_certificate_still_proves_its_time(verifier, pki):
    """Control: timeStamping alone, critical (the sample TSA is made so, as keys' TSA is)."""
    report = verifier.verify(_stamped_by(pki, _tsa_party(pki, [Purpose.TIME_STAMPING])))
    assert report.conclusion.passed
    assert report.signatures[0].timestamp.valid and report.signatures[0].level == "B-T"


def test_the_rule(pki):
    assert tsa_usage.problem(pki.tsa.asn1) is None
    assert tsa_usage.problem(pki.signer.asn1) is not None  # no extended key usage at all
    for purposes, critical in CASES.values():
        assert tsa_usage.problem(_tsa_party(pki, purposes, critical=critical).asn1)


def test_the_api_refuses_them_too(client, verifier, stamped):
    body = kit.over_http(client, verifier, stamped["not_critical"])
    assert body["status"] == 200
    assert (body["verdict"], body["indication"]) == ("indeterminate", "INDETERMINATE")
