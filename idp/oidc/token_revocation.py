"""Token revocation (RFC 7009). Revoking a refresh token revokes its whole grant, with every
access token issued from it (section 2.1); revoking an access token (a citizen's, or an
agency's own from the client credentials grant) refuses that one token wherever it is
presented. Unknown tokens and tokens of other clients get the same 200 answer (section 2.2).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from clients.registry import Client
from idp.oidc import bearer
from idp.oidc.errors import OidcError
from idp.oidc.grants import revoke_grant
from idp.oidc.models import Grant, RefreshToken
from idp.oidc.services import Provider, token_digest
from infra.db import Database
from infra.store import EphemeralStore


def _revoke_refresh(database: Database, client: Client, token: str, now: int) -> bool:
    with database.transaction() as session:
        row = session.execute(
            sa.select(Grant.id, Grant.client_id).join(RefreshToken, RefreshToken.grant_id == Grant.id)
            .where(RefreshToken.token_hash == token_digest(token))
        ).first()
        if row is None or row.client_id != client.client_id:
            return False
        revoke_grant(session, row.id, reason="revocation", now=datetime.fromtimestamp(now, UTC))
        return True


def _revoke_access(store: EphemeralStore, provider: Provider, client: Client, token: str, now: int) -> bool:
    try:
        _kind, claims = bearer.identify(provider, token)
    except OidcError:
        return False
    if claims.get("client_id") != client.client_id:
        return False
    bearer.revoke(store, claims, now=now)
    return True


def revoke(database: Database, store: EphemeralStore, provider: Provider, *, client: Client,
           token: str | None, hint: str | None, now: int) -> bool:
    """RFC 7009 section 2.1; True when something was revoked (the answer is 200 either way)."""
    if not token:
        raise OidcError("token is required (RFC 7009 section 2.1)")
    if token.count(".") == 2:
        return _revoke_access(store, provider, client, token, now)
    if len(token) > 512:
        return False
    return _revoke_refresh(database, client, token, now)
