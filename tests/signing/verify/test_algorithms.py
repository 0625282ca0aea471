"""Keys and algorithms outside the verification policy (`signing.verify.algorithms`)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from tests.signing.verify import samples


@pytest.mark.parametrize("curve", [ec.SECP192R1, ec.SECP256K1], ids=["P-192", "secp256k1"])
def test_a_signer_key_on_a_curve_outside_the_policy_is_not_passed(verifier, pki, curve):
    """pyHanko's default policy only bounds RSA and DSA key sizes: a P-192 key (96-bit
    security) or a curve no EU or IETF PKI profile lists passed as TOTAL-PASSED."""
    party = samples.signer_with_key(pki, ec.generate_private_key(curve()))
    report = verifier.verify(samples.sign(samples.blank_pdf(), samples.signer_for(party, pki)))
    assert (report.indication.value, report.conclusion.sub_indication) == \
        ("INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE")
    assert report.signatures[0].reason == "crypto_constraints_failure"


def test_an_rsa_key_below_2048_bits_is_not_passed(verifier, pki):
    party = samples.signer_with_key(pki, rsa.generate_private_key(public_exponent=65537,
                                                                  key_size=1024))
    report = verifier.verify(samples.sign(samples.blank_pdf(), samples.signer_for(party, pki)))
    assert report.conclusion.sub_indication == "CRYPTO_CONSTRAINTS_FAILURE"


@pytest.mark.parametrize("key", [lambda: ec.generate_private_key(ec.SECP384R1()),
                                 lambda: ec.generate_private_key(ec.BrainpoolP256R1()),
                                 ed25519.Ed25519PrivateKey.generate],
                         ids=["P-384", "brainpoolP256r1", "Ed25519"])
def test_keys_within_the_policy_pass(verifier, pki, key):
    party = samples.signer_with_key(pki, key(), cn="Clave buena")
    report = verifier.verify(samples.sign(samples.blank_pdf(), samples.signer_for(party, pki)))
    assert report.conclusion.passed, report.conclusion


def test_the_policy_judges_keys(pki):
    from asn1crypto import algos, keys
    from cryptography.hazmat.primitives import serialization

    from signing.verify.algorithms import POLICY

    def info(key):
        return keys.PublicKeyInfo.load(key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))

    ecdsa = algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
    assert POLICY.signature_algorithm_allowed(ecdsa, None, info(pki.signer.key))
    refused = POLICY.signature_algorithm_allowed(
        ecdsa, None, info(ec.generate_private_key(ec.SECP192R1())))
    assert not refused and "secp192r1" in refused.failure_reason
    sha1 = algos.DigestAlgorithm({"algorithm": "sha1"})
    assert not POLICY.digest_algorithm_allowed(sha1, None)
