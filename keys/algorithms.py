"""Key algorithms, their signature algorithm identifiers, and signature encodings.

Names: "EC-P256", "EC-P384" (ECDSA, FIPS 186-5) and "RSA-2048", "RSA-3072" (RSASSA-PKCS1-v1_5
or PSS, RFC 8017). ECDSA signatures travel DER-encoded (X.509, CMS, OCSP: RFC 3279,
section 2.2.3) everywhere except in JWS, which uses the fixed-width r || s form (RFC 7518,
section 3.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from asn1crypto import algos
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from keys.errors import InvalidRequest


@dataclass(frozen=True)
class KeyAlgorithm:
    name: str
    kind: Literal["ec", "rsa"]
    size: int
    curve: str | None
    hash: str  # the digest used with this key unless told otherwise

    @property
    def signature_bytes(self) -> int:
        """The largest signature this key makes (DER ECDSA is at most 2 * (n + 3) + 3 bytes)."""
        if self.kind == "rsa":
            return self.size // 8
        width = (self.size + 7) // 8
        return 2 * (width + 3) + 3

    def signature_algorithm(self, hash_name: str | None = None, *, pss: bool = False
                            ) -> algos.SignedDigestAlgorithm:
        """The AlgorithmIdentifier for a signature made with this key (RFC 5758, RFC 4055)."""
        digest = hash_name or self.hash
        if self.kind == "ec":
            return algos.SignedDigestAlgorithm({"algorithm": f"{digest}_ecdsa"})
        if pss:
            return algos.SignedDigestAlgorithm({
                "algorithm": "rsassa_pss",
                "parameters": pss_parameters(digest),
            })
        return algos.SignedDigestAlgorithm({"algorithm": f"{digest}_rsa"})


ALGORITHMS: dict[str, KeyAlgorithm] = {
    "EC-P256": KeyAlgorithm("EC-P256", "ec", 256, "secp256r1", "sha256"),
    "EC-P384": KeyAlgorithm("EC-P384", "ec", 384, "secp384r1", "sha384"),
    "RSA-2048": KeyAlgorithm("RSA-2048", "rsa", 2048, None, "sha256"),
    "RSA-3072": KeyAlgorithm("RSA-3072", "rsa", 3072, None, "sha256"),
}

HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def algorithm(name: str) -> KeyAlgorithm:
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise InvalidRequest(
            f"key algorithm must be one of {', '.join(ALGORITHMS)}, got {name!r}"
        ) from None


def hash_for(name: str) -> hashes.HashAlgorithm:
    try:
        return HASHES[name]()  # type: ignore[abstract]  # the concrete classes of HASHES
    except KeyError:
        raise InvalidRequest(f"digest must be one of {', '.join(HASHES)}, got {name!r}") from None


def pss_parameters(digest: str) -> algos.RSASSAPSSParams:
    """RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest (RFC 4055)."""
    return algos.RSASSAPSSParams({
        "hash_algorithm": {"algorithm": digest},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
        "salt_length": hash_for(digest).digest_size,
    })


_CURVES = {"secp256r1": ec.SECP256R1, "secp384r1": ec.SECP384R1}


def generate_private_key(alg: KeyAlgorithm) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    """A fresh key from `cryptography` (software store only)."""
    if alg.kind == "ec":
        return ec.generate_private_key(_CURVES[alg.curve]())  # type: ignore[index]
    return rsa.generate_private_key(public_exponent=65537, key_size=alg.size)


@lru_cache(maxsize=512)
def load_public_key(spki_der: bytes) -> PublicKeyTypes:
    """A `cryptography` public key from SubjectPublicKeyInfo DER, parsed once."""
    return serialization.load_der_public_key(spki_der)


def algorithm_of_public_key(spki_der: bytes) -> KeyAlgorithm:
    key = load_public_key(spki_der)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return algorithm(f"EC-P{key.curve.key_size}")
    if isinstance(key, rsa.RSAPublicKey):
        return algorithm(f"RSA-{key.key_size}")
    raise InvalidRequest(f"unsupported public key type {type(key).__name__}")


def ecdsa_der_to_raw(signature: bytes, size_bits: int) -> bytes:
    """DER ECDSA-Sig-Value to r || s, each left-padded to the curve size (RFC 7518, 3.4).

    The usual signature (SEQUENCE of two positive INTEGERs, short-form lengths: every P-256
    and P-384 signature) is read by slicing (issue 16: two per /token, a third of the
    instructions of `decode_dss_signature` and two int conversions); anything else goes to
    `decode_dss_signature`, which reads or refuses it."""
    width = (size_bits + 7) // 8
    end = len(signature)
    if 8 <= end < 130 and signature[0] == 0x30 and signature[1] == end - 2 and signature[2] == 0x02:
        r_end = 4 + signature[3]
        if r_end + 2 < end and signature[r_end] == 0x02 and r_end + 2 + signature[r_end + 1] == end:
            r = signature[4:r_end]
            s = signature[r_end + 2:]
            # Both positive and minimal (X.690 8.3.2): below 0x80, a leading zero only before
            # 0x80 or above (which it then keeps positive); a single zero byte is 0, no value.
            if (r and s and r[0] < 0x80 and s[0] < 0x80 and (r[0] or (len(r) > 1 and r[1] >= 0x80))
                    and (s[0] or (len(s) > 1 and s[1] >= 0x80))):
                r, s = r[1:] if r[0] == 0 else r, s[1:] if s[0] == 0 else s
                if len(r) <= width and len(s) <= width:
                    return r.rjust(width, b"\x00") + s.rjust(width, b"\x00")
    r_int, s_int = decode_dss_signature(signature)
    return r_int.to_bytes(width, "big") + s_int.to_bytes(width, "big")


def ecdsa_raw_to_der(signature: bytes) -> bytes:
    """r || s (PKCS#11, JWS) to DER ECDSA-Sig-Value (RFC 3279, section 2.2.3)."""
    half = len(signature) // 2
    return encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                int.from_bytes(signature[half:], "big"))
