"""Which keys and algorithms a signature, a certificate or a time-stamp may use.

pyHanko's default (`pyhanko_certvalidator.policy_decl.DisallowWeakAlgorithmsPolicy`) refuses
MD2, MD5 and SHA-1 and RSA keys below 2048 bits, and nothing else: an ECDSA signature with a
P-192 key (96-bit security), on secp256k1 or on a curve given by explicit parameters (the
"CurveBall" spoofing, CVE-2020-0601) passed. This policy adds the curves of ETSI TS 119 312
(8.4, elliptic curves for ECDSA: NIST P-256/P-384/P-521 and Brainpool P256r1/P384r1/P512r1),
named by OID; anything else fails the cryptographic constraints (EN 319 102-1, 5.2.8:
INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE). It applies to every signature checked: the
document's, each certificate's in a path, time-stamps', CRLs' and OCSP responses'.
EdDSA keys (TS 119 312, 8.5) carry their curve in their algorithm and are allowed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asn1crypto import algos, keys
from pyhanko_certvalidator.policy_decl import (
    AlgorithmUsageConstraint,
    DisallowWeakAlgorithmsPolicy,
)

CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1",
                    "brainpoolp256r1", "brainpoolp384r1", "brainpoolp512r1"})


class VerificationAlgorithmPolicy(DisallowWeakAlgorithmsPolicy):
    """pyHanko's weak-algorithm policy (SHA-1, MD5, MD2; RSA < 2048 bits) plus `CURVES`."""

    def signature_algorithm_allowed(self, algo: algos.SignedDigestAlgorithm,
                                    moment: datetime | None,
                                    public_key: keys.PublicKeyInfo | None
                                    ) -> AlgorithmUsageConstraint:
        verdict = super().signature_algorithm_allowed(algo, moment, public_key)
        if not verdict or public_key is None or public_key.algorithm != "ec":
            return verdict
        try:
            kind, curve = public_key.curve
        except (ValueError, KeyError, TypeError):
            kind, curve = "unreadable", None
        if kind != "named":
            return AlgorithmUsageConstraint(
                allowed=False, failure_reason="the EC key's curve is not named by an OID "
                                              f"({kind} parameters)")
        if curve not in CURVES:
            return AlgorithmUsageConstraint(
                allowed=False, failure_reason=f"the EC key is on {curve}, not one of "
                                              f"{', '.join(sorted(CURVES))}")
        return verdict


POLICY = VerificationAlgorithmPolicy()  # type: ignore[no-untyped-call]


def weak_certificate_reference(signer_info: Any) -> str | None:
    """What is weak in how `signer_info` (an asn1crypto SignerInfo) names its certificate, or
    None. EN 319 102-1, 5.2.8 applies the cryptographic constraints to every algorithm the
    signature relies on, the digest of its signing-certificate reference among them (RFC
    5035, EN 319 122-1, 5.2.2.3): that digest is what binds the certificate to the
    signature, and pyHanko compares it whatever the algorithm (an MD5 reference passed). The
    ESS signing-certificate attribute (v1, RFC 2634, 5.4) names it by SHA-1."""
    for attribute in signer_info["signed_attrs"] or ():
        kind = attribute["type"].native
        if kind == "signing_certificate":
            algorithms = ["sha1"]
        elif kind == "signing_certificate_v2":
            algorithms = [reference["hash_algorithm"]["algorithm"].native
                          for value in attribute["values"] for reference in value["certs"]]
        else:
            continue
        for name in algorithms:
            if not POLICY.digest_algorithm_allowed(
                    algos.DigestAlgorithm({"algorithm": name}), None):
                return f"the signing-certificate reference is a {name} digest"
    return None
