"""The tokens the provider mints: ID tokens (OIDC Core 1.0 section 2) and JWT access tokens
(RFC 9068). Both are signed by `keys/` through a `TokenSigner`; nothing here touches key material.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from infra.jose import b64url

ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105 - RFC 9068 section 2.1, a media type
ID_TOKEN_TYP = "JWT"  # noqa: S105 - a media type
ID_TOKEN_ALGS = ("ES256", "RS256")
ACCESS_TOKEN_ALG = "ES256"  # noqa: S105 - an algorithm name


class TokenSigner(Protocol):
    """What the provider needs from `keys/`: sign with the current key, verify its own tokens."""

    def sign(self, claims: Mapping[str, Any], *, alg: str, typ: str) -> str: ...

    def verify(self, token: str, *, algorithms: Collection[str], typ: str,
               audience: str | None = None) -> Mapping[str, Any]:
        """The claims of a token this provider signed; raises `InvalidToken` (idp.oidc.errors)."""
        ...


def at_hash(access_token: str, alg: str) -> str:
    """OIDC Core 3.1.3.6: left half of the hash (the alg's hash, SHA-256 for ES256/RS256), base64url."""
    if alg not in ID_TOKEN_ALGS:
        raise ValueError(f"no at_hash rule for {alg!r}")
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[: len(digest) // 2])


@dataclass(frozen=True, init=False)
class Authentication:
    """The sign-in behind a grant: what ID tokens say about it. (`__init__`: the dataclass's,
    with the fields put into the instance's dict at once, not one frozen `object.__setattr__`
    each: issue 16.)"""

    auth_time: int
    acr: str
    amr: tuple[str, ...]
    sid: str

    def __init__(self, auth_time: int, acr: str, amr: tuple[str, ...], sid: str) -> None:
        self.__dict__.update(auth_time=auth_time, acr=acr, amr=amr, sid=sid)


def id_token_claims(*, issuer: str, subject: str, client_id: str, now: int, lifetime: int,
                    authentication: Authentication, nonce: str | None, access_token: str | None,
                    alg: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """OIDC Core 1.0 section 2 (and 3.1.3.6 at_hash, Front-/Back-Channel Logout `sid`)."""
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": client_id,
        "exp": now + lifetime,
        "iat": now,
        "auth_time": authentication.auth_time,
        "acr": authentication.acr,
        "amr": list(authentication.amr),
        "sid": authentication.sid,
    }
    if nonce is not None:
        claims["nonce"] = nonce
    if access_token is not None:
        claims["at_hash"] = at_hash(access_token, alg)
    for name, value in (extra or {}).items():
        claims.setdefault(name, value)
    return claims


def access_token_claims(*, issuer: str, subject: str, client_id: str, now: int, lifetime: int,
                        scopes: Collection[str], grant_id: str | None,
                        authentication: Authentication | None, audience: str | None = None) -> dict[str, Any]:
    """RFC 9068 section 2.2: iss, exp, aud, sub, client_id, iat, jti (+ scope, auth_time, acr).

    The audience is the provider itself (its UserInfo endpoint is the only resource server);
    `grant` names the grant so that a revoked grant's tokens are refused before they expire.
    """
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience or issuer,  # RFC 8707: the resource asked for, else the provider itself
        "client_id": client_id,
        "iat": now,
        "exp": now + lifetime,
        "jti": b64url(secrets.token_bytes(18)),  # secrets.token_urlsafe(18), without its two Python calls
        "scope": " ".join(scopes),
    }
    if authentication is not None:
        claims["auth_time"] = authentication.auth_time
        claims["acr"] = authentication.acr
    if grant_id is not None:
        claims["grant"] = grant_id
    return claims
