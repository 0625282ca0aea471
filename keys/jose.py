"""JOSE for the provider's own keys: JWK (RFC 7517/7518) and thumbprints (RFC 7638) of keys in
custody, and the algorithms the provider signs with (ES256 and RS256). Parsing and checking
JWS is `infra.jose`'s (joserfc), for every package."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from infra.jose import b64url
from keys.algorithms import KeyAlgorithm, load_public_key
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
        rsa_numbers = key.public_numbers()
        return {"kty": "RSA", "n": _int_b64(rsa_numbers.n), "e": _int_b64(rsa_numbers.e),
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


# json.dumps with these options makes an encoder per call; one, made once, encodes the same.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# What `_COMPACT.encode` runs (the C encoder, when the interpreter has it), made once instead of
# per call, without the circular-reference bookkeeping (claims and headers are trees: a cycle
# would end in RecursionError instead of ValueError): the same text, a fifth cheaper (issue 16).
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ENCODE = (_C_ENCODER(None, _COMPACT.default, json.encoder.encode_basestring, None, ":", ",",
                      False, False, True) if _C_ENCODER is not None else None)


def encode_json(value: dict[str, Any]) -> bytes:
    """Compact JSON, UTF-8 (as `json.dumps(value, separators=(",", ":"), ensure_ascii=False)`)."""
    if _ENCODE is None:
        return _COMPACT.encode(value).encode()
    return "".join(_ENCODE(value, 0)).encode()
