"""JOSE primitives: JWS compact serialisation (RFC 7515), JWK (RFC 7517/7518), thumbprints
(RFC 7638). Only what the provider signs with: ES256 and RS256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from keys.algorithms import KeyAlgorithm, ecdsa_raw_to_der, load_public_key
from keys.errors import InvalidJwt


@dataclass(frozen=True)
class JwsAlgorithm:
    name: str
    kind: str  # "ec" or "rsa"
    hash: str
    curve_bits: int | None = None


JWS_ALGORITHMS = {
    "ES256": JwsAlgorithm("ES256", "ec", "sha256", 256),
    "RS256": JwsAlgorithm("RS256", "rsa", "sha256"),
}

# The key algorithm a new signing key gets for each JWS algorithm.
KEY_ALGORITHM_FOR = {"ES256": "EC-P256", "RS256": "RSA-2048"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515, section 2)."""
    if "=" in text or any(c in text for c in "+/ \n"):
        raise InvalidJwt("JWT segment is not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidJwt("JWT segment is not valid base64url") from None


def _int_b64(value: int, length: int | None = None) -> str:
    size = length or max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(size, "big"))


def public_jwk(spki_der: bytes, *, kid: str, alg: str) -> dict[str, str]:
    """The public JWK of a key (RFC 7518, sections 6.2 and 6.3)."""
    key = load_public_key(spki_der)
    if isinstance(key, ec.EllipticCurvePublicKey):
        numbers = key.public_numbers()
        width = (key.curve.key_size + 7) // 8
        return {"kty": "EC", "crv": f"P-{key.curve.key_size}",
                "x": _int_b64(numbers.x, width), "y": _int_b64(numbers.y, width),
                "kid": kid, "use": "sig", "alg": alg}
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"kty": "RSA", "n": _int_b64(numbers.n), "e": _int_b64(numbers.e),
                "kid": kid, "use": "sig", "alg": alg}
    raise InvalidJwt(f"no JWK form for {type(key).__name__}")


def thumbprint(spki_der: bytes) -> str:
    """The JWK SHA-256 thumbprint, used as kid (RFC 7638, section 3)."""
    jwk = public_jwk(spki_der, kid="", alg="")
    members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def key_matches(alg: str, key_algorithm: KeyAlgorithm) -> bool:
    spec = JWS_ALGORITHMS.get(alg)
    if spec is None or spec.kind != key_algorithm.kind:
        return False
    return spec.curve_bits is None or spec.curve_bits == key_algorithm.size


def encode_json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class CompactJws:
    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes


def parse_compact(token: str) -> CompactJws:
    """Split and decode a JWS compact serialisation (RFC 7515, section 7.1)."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise InvalidJwt("a JWT has three dot-separated parts")
    head, body, sig = token.split(".")
    try:
        header = json.loads(b64url_decode(head))
    except ValueError:
        raise InvalidJwt("the JWT header is not JSON") from None
    if not isinstance(header, dict):
        raise InvalidJwt("the JWT header is not a JSON object")
    if "crit" in header:
        raise InvalidJwt("the JWT has critical header parameters this verifier does not know")
    return CompactJws(header, b64url_decode(body), f"{head}.{body}".encode("ascii"),
                      b64url_decode(sig))


def verify_signature(alg: str, spki_der: bytes, signing_input: bytes, signature: bytes) -> bool:
    """Check a JWS signature (RFC 7518, sections 3.3 and 3.4)."""
    spec = JWS_ALGORITHMS[alg]
    key = load_public_key(spki_der)
    digest = {"sha256": hashes.SHA256}[spec.hash]()
    try:
        if spec.kind == "ec":
            width = ((spec.curve_bits or 256) + 7) // 8
            if len(signature) != 2 * width or not isinstance(key, ec.EllipticCurvePublicKey):
                return False
            key.verify(ecdsa_raw_to_der(signature), signing_input, ec.ECDSA(digest))
        else:
            if not isinstance(key, rsa.RSAPublicKey):
                return False
            key.verify(signature, signing_input, padding.PKCS1v15(), digest)
    except InvalidSignature:
        return False
    return True
