"""The UserInfo endpoint's answer (OIDC Core 1.0 section 5.3): `sub` plus the claims of the
access token's scopes and of `claims.userinfo`, restricted claims only for clients granted them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from idp.oidc import bearer
from idp.oidc import claims as claims_module
from idp.oidc.errors import InsufficientScope
from idp.oidc.services import Provider
from idp.store import EphemeralStore


def userinfo(session: Session, store: EphemeralStore, provider: Provider, *, access_token: str,
             now: int) -> dict[str, Any]:
    """OIDC Core 5.3.2: the claims about the citizen, for a valid access token with openid."""
    token = bearer.check(session, store, provider, access_token, now=now)
    scopes = token.scopes
    if "openid" not in scopes:
        raise InsufficientScope("the access token does not carry the openid scope")
    requested = claims_module.load(token.grant.claims)
    names = claims_module.userinfo_names(scopes=scopes, claims=requested)
    # The grant's scopes bound what was consented to; restricted claims need the scope granted.
    body: dict[str, Any] = {"sub": token.claims["sub"]}
    body.update(claims_module.release(citizen=token.citizen, names=names, client_scopes=token.grant.scopes))
    return body
