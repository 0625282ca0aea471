"""A signature whose signing-certificate reference (the ESS attribute that binds the signer's
certificate to the signature, RFC 5035) is an MD5 or SHA-1 digest. pyHanko compares the
digest whatever its algorithm, and the signature was reported valid: the one binding that
stops another certificate for the same key being put in the signer's place rested on a
broken hash. EN 319 102-1, 5.2.8 applies the cryptographic constraints to it as to every
other algorithm: INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE, by the service and the API.
"""

from __future__ import annotations

import hashlib

import pytest
from asn1crypto import cms

from signing.verify import algorithms
from tests.signing.verify import attack_kit as kit
from tests.signing.verify import samples


@pytest.fixture(scope="module")
def basic(pki) -> bytes:
    return samples.sign(samples.blank_pdf(), samples.signer_for(pki.signer, pki))


def _reference(version: str, algorithm: str, certificate):
    def change(attributes):
        kept = [a for a in attributes
                if a["type"].native not in ("signing_certificate_v2", "signing_certificate")]
        digest = hashlib.new(algorithm, certificate.dump()).digest()
        if version == "v1":
            value = {"certs": [{"cert_hash": digest}]}
            return [*kept, cms.CMSAttribute({"type": "signing_certificate", "values": [value]})]
        value = {"certs": [{"hash_algorithm": {"algorithm": algorithm}, "cert_hash": digest}]}
        return [*kept, cms.CMSAttribute({"type": "signing_certificate_v2", "values": [value]})]
    return change


def _referenced(pki, basic: bytes, version: str, algorithm: str) -> bytes:
    return kit.put_cms(basic, kit.resign(kit.cms_of(basic), pki.signer.key,
                                         change=_reference(version, algorithm, pki.signer.asn1)))


@pytest.mark.parametrize(("version", "algorithm"), [("v2", "md5"), ("v2", "sha1"),
                                                    ("v1", "sha1")])
def test_a_weak_signing_certificate_reference_is_not_valid(verifier, pki, basic, version,
                                                           algorithm):
    report = verifier.verify(_referenced(pki, basic, version, algorithm))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE")
    assert report.signatures[0].reason == "crypto_constraints_failure"


@pytest.mark.parametrize("algorithm", ["sha256", "sha512"])
def test_a_sound_reference_still_passes(verifier, pki, basic, algorithm):
    assert verifier.verify(_referenced(pki, basic, "v2", algorithm)).conclusion.passed


def test_the_rule(pki, basic):
    assert algorithms.weak_certificate_reference(
        kit.cms_of(basic)["content"]["signer_infos"][0]) is None


def test_the_api_refuses_them_too(client, verifier, pki, basic):
    kit.assert_refused_over_http(client, verifier, _referenced(pki, basic, "v2", "md5"),
                                 reason="crypto_constraints_failure", verdict="indeterminate",
                                 indication="INDETERMINATE")
