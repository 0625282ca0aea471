"""The names of the algorithms a client signs with (client assertions, request objects, DPoP
proofs) and that its keys' `alg` names. RFC 9864 section 2.2 registers `Ed25519` as the
fully-specified name of EdDSA with an Ed25519 key, the one algorithm Cédula's `EdDSA` stands
for (RFC 8037: Ed448 is not offered); jose and oauth4webapi (openid-client) sign with an
Ed25519 key under that name."""

from __future__ import annotations

from typing import Any

_FULLY_SPECIFIED = {"Ed25519": "EdDSA"}


def registered_name(alg: Any) -> Any:
    """`alg` of a JWS header as registered and advertised (`Ed25519` is `EdDSA`); any other
    value as it is, for the caller's own check to refuse."""
    return _FULLY_SPECIFIED.get(alg, alg) if isinstance(alg, str) else alg
