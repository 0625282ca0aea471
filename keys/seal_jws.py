"""JWS signed with an agency's electronic-seal key, certificate chain in `x5c` (RFC 7515, 4.1.6).

What a credential or a status list signed by an agency needs: the same key and certificate
that seal its PDFs, so a verifier trusts both through the same document PKI root. The key
stays in custody (software store or HSM); only the signature leaves it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from keys.algorithms import KeyAlgorithm, algorithm_of_public_key, ecdsa_der_to_raw
from keys.errors import InvalidRequest
from keys.jose import b64url, encode_json
from keys.service import KeyService, get_service

_SET_HERE = {"alg", "x5c", "kid", "jwk", "jku", "x5u", "crit", "b64"}


@dataclass(frozen=True)
class SealJws:
    """A compact JWS and the serial of the seal certificate that signed it."""

    token: str
    serial: str
    alg: str


def jws_algorithm(algorithm: KeyAlgorithm) -> str:
    """The JWS `alg` for a seal key (RFC 7518, 3.1): ES256/ES384 or RS256."""
    if algorithm.kind == "ec":
        return f"ES{algorithm.size}"
    return "RS256"


def sign_with_seal(app_or_service: Any, *, client_id: str, header: Mapping[str, Any],
                   payload: Mapping[str, Any]) -> SealJws:
    """`payload` as a compact JWS signed by the agency's current seal key, `x5c` = seal
    certificate and issuing CA (the root, the trust anchor, is left out: RFC 5280, 6.1)."""
    service: KeyService = get_service(app_or_service)
    clash = _SET_HERE & set(header)
    if clash:
        raise InvalidRequest(f"header may not set {', '.join(sorted(clash))}; they are set here")
    issued = service.pki.current_seal(client_id=client_id, now=service.now())
    algorithm = algorithm_of_public_key(issued.certificate.public_key.dump())
    alg = jws_algorithm(algorithm)
    chain = [issued.certificate, *issued.chain[:-1]]
    protected = {"alg": alg, **header,
                 "x5c": [base64.b64encode(c.dump()).decode("ascii") for c in chain]}
    signing_input = f"{b64url(encode_json(protected))}.{b64url(encode_json(dict(payload)))}"
    signature = service.custody.sign(issued.key, signing_input.encode("ascii"),
                                     hash_name=algorithm.hash if algorithm.kind == "ec" else "sha256")
    if algorithm.kind == "ec":
        signature = ecdsa_der_to_raw(signature, algorithm.size)
    return SealJws(f"{signing_input}.{b64url(signature)}", issued.serial, alg)


def root_certificate_der(app_or_service: Any) -> bytes:
    """The document PKI root (DER): the trust anchor of sealed PDFs and of agency JWS."""
    return bytes(get_service(app_or_service).pki.material().root.certificate.dump())


__all__ = ["SealJws", "jws_algorithm", "root_certificate_der", "sign_with_seal"]
