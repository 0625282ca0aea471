"""Checking the provider's own access tokens where they are presented (RFC 6750, RFC 9068
section 4): signature by a published key, `typ: at+jwt`, iss, aud, exp, then the state the JWT
cannot carry: a revoked token (`jti`) or a revoked or expired grant.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from idp.citizens.models import Citizen
from idp.oidc import tokens
from idp.oidc.errors import InvalidToken
from idp.oidc.models import Grant
from idp.oidc.services import Provider, grant_active
from infra.store import EphemeralStore

REVOKED_PREFIX = "oidc:at-revoked:"
# Built once: each check only binds the grant id.
_GRANT_AND_CITIZEN = (sa.select(Grant, Citizen).join(Citizen, Citizen.id == Grant.citizen_id)
                      .where(Grant.id == sa.bindparam("grant")))


@dataclass(frozen=True)
class AccessToken:
    claims: Mapping[str, Any]
    grant: Grant
    citizen: Citizen

    @property
    def scopes(self) -> list[str]:
        return str(self.claims.get("scope", "")).split()


def verify_signature(provider: Provider, token: str) -> Mapping[str, Any]:
    """RFC 9068 section 4: the JWT checks alone (no state); raises InvalidToken."""
    if not token or token.count(".") != 2 or len(token) > 8192:
        raise InvalidToken("the access token is not a JWT issued by this provider")
    claims = provider.signer.verify(token, algorithms=(tokens.ACCESS_TOKEN_ALG,),
                                    typ=tokens.ACCESS_TOKEN_TYP, audience=provider.settings.issuer)
    if claims.get("iss") != provider.settings.issuer:
        raise InvalidToken("the access token was not issued by this provider")
    for name in ("sub", "client_id", "jti", "exp", "grant"):
        if not claims.get(name):
            raise InvalidToken(f"the access token has no {name}")
    return claims


def revoked(store: EphemeralStore, jti: str) -> bool:
    return store.get(REVOKED_PREFIX + jti) is not None


def revoke(store: EphemeralStore, claims: Mapping[str, Any], *, now: int) -> None:
    """RFC 7009 section 2.1: remember the token's jti as revoked until it would expire."""
    ttl = int(claims["exp"]) - now + 60
    if ttl > 0:
        store.set(REVOKED_PREFIX + str(claims["jti"]), b"1", ttl)


def check(session: Session, store: EphemeralStore, provider: Provider, token: str, *,
          now: int) -> AccessToken:
    """A valid, unrevoked access token of an active grant, with its citizen (one query)."""
    claims = verify_signature(provider, token)
    if revoked(store, str(claims["jti"])):
        raise InvalidToken("the access token was revoked")
    try:
        grant_id = uuid.UUID(str(claims["grant"]))
    except ValueError:
        raise InvalidToken("the access token names no valid grant") from None
    row = session.execute(_GRANT_AND_CITIZEN, {"grant": grant_id}).first()
    if row is None:
        raise InvalidToken("the grant of this access token no longer exists")
    grant, citizen = row
    if grant.client_id != claims["client_id"] or not grant_active(grant, datetime.fromtimestamp(now, UTC)):
        raise InvalidToken("the grant of this access token was revoked or has expired")
    return AccessToken(claims=claims, grant=grant, citizen=citizen)
