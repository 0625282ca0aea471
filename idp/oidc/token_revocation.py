"""Token revocation (RFC 7009). Revoking a refresh token revokes its whole grant, with every
access token issued from it (section 2.1); revoking an access token (a citizen's, or an
agency's own from the client credentials grant) refuses that one token wherever it is
presented. Unknown tokens and tokens of other clients get the same 200 answer (section 2.2).

A public client's token bound to a DPoP key (RFC 9449 sections 5 and 6) is revoked only with a
proof of that key, as it is used only with one: the client authenticates with its client_id
alone, which anyone knows, so whoever took a copy of the token (worthless without the key)
would otherwise burn the citizen's grant with it (`key_holds`).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

import sqlalchemy as sa

from clients.registry import Client
from idp.oidc import bearer, dpop
from idp.oidc.errors import OidcError
from idp.oidc.grants import revoke_grant
from idp.oidc.models import Grant, RefreshToken
from idp.oidc.services import Provider, public, token_digest
from infra.db import Database
from infra.store import EphemeralStore

BOUND = ("this token is bound to a DPoP key (RFC 9449): revoke it with a DPoP proof signed with that key, "
         "for POST to the revocation endpoint, in the DPoP header (RFC 9449 section 4)")


def key_holds(bound: str | None, jkt: str | None) -> None:
    """A token bound to the key `bound` is revoked only with a proof of that key (`jkt`: the
    request's proof, None without one); DpopError otherwise, and nothing is revoked."""
    if bound is not None and (jkt is None or not hmac.compare_digest(bound, jkt)):
        raise dpop.DpopError(BOUND)


def _revoke_refresh(database: Database, client: Client, token: str, now: int, jkt: str | None) -> bool:
    with database.transaction() as session:
        row = session.execute(
            sa.select(Grant.id, Grant.client_id, RefreshToken.dpop_jkt)
            .join(RefreshToken, RefreshToken.grant_id == Grant.id)
            .where(RefreshToken.token_hash == token_digest(token))
        ).first()
        if row is None or row.client_id != client.client_id:
            return False
        key_holds(row.dpop_jkt, jkt)  # (only a public client's refresh tokens are bound)
        revoke_grant(session, row.id, reason="revocation", now=datetime.fromtimestamp(now, UTC))
        return True


def _revoke_access(store: EphemeralStore, provider: Provider, client: Client, token: str, now: int,
                   jkt: str | None) -> bool:
    try:
        _kind, claims = bearer.identify(provider, token)
    except OidcError:
        return False
    if claims.get("client_id") != client.client_id:
        return False
    if public(client):  # a confidential client's own authentication holds its tokens
        key_holds(dpop.bound_key(claims), jkt)
    bearer.revoke(store, claims, now=now)
    return True


def revoke(database: Database, store: EphemeralStore, provider: Provider, *, client: Client,
           token: str | None, hint: str | None, now: int, jkt: str | None = None) -> bool:
    """RFC 7009 section 2.1; True when something was revoked (the answer is 200 either way).
    `jkt`: the key of the request's DPoP proof (None: none sent), for a bound token."""
    if not token:
        raise OidcError("token is required (RFC 7009 section 2.1)")
    if token.count(".") == 2:
        return _revoke_access(store, provider, client, token, now, jkt)
    if len(token) > 512:
        return False
    return _revoke_refresh(database, client, token, now, jkt)
