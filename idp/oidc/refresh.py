"""The refresh token grant (RFC 6749 section 6, OIDC Core 1.0 section 12) with rotation:
every use returns a new refresh token, and presenting a spent one revokes the whole grant
(OAuth 2.0 Security BCP, RFC 9700 section 4.14.2: refresh token reuse detection).

FAPI 2.0 clients (confidential, their tokens bound to a DPoP key) are not rotated (FAPI 2.0
Security Profile 5.3.2.1 item 10: a refresh whose answer was lost must succeed when retried
with the same token): their refresh token stays the same, its expiry moved on at each use.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry import Client
from idp.citizens.models import Citizen
from idp.oidc import fapi, held, resources, standing
from idp.oidc.errors import InvalidGrant
from idp.oidc.grants import GrantRecord, revoke_grant
from idp.oidc.held import LOWERED
from idp.oidc.models import Grant, RefreshToken
from idp.oidc.services import (
    Provider,
    TokenResponse,
    grant_active,
    id_token_release,
    log_id_token_release,
    mint,
    new_refresh_token,
    token_digest,
)
from infra.db import Database
from infra.indicators import tally
from infra.utc import as_utc


@dataclass(frozen=True, slots=True)
class _Presented:
    """The presented refresh token's columns that the grant needs."""

    id: int
    dpop_jkt: str | None
    used_at: datetime | None
    expires_at: datetime


# Built once: the presented token (only the columns used), its grant's row and its citizen.
_PRESENTED = (
    sa.select(RefreshToken.id.label("token_id"), RefreshToken.dpop_jkt.label("token_dpop_jkt"),
              RefreshToken.used_at.label("token_used_at"), RefreshToken.expires_at.label("token_expires_at"),
              *Grant.__table__.columns, Citizen)
    .join(Grant, Grant.id == RefreshToken.grant_id).join(Citizen, Citizen.id == Grant.citizen_id)
    .where(RefreshToken.token_hash == sa.bindparam("digest")))
_SPEND = (sa.update(RefreshToken).where(RefreshToken.id == sa.bindparam("token"), RefreshToken.used_at.is_(None))
          .values(used_at=sa.bindparam("now")).returning(RefreshToken.id)
          .execution_options(synchronize_session=False))
_EXTEND = (sa.update(RefreshToken).where(RefreshToken.id == sa.bindparam("token"))
           .values(expires_at=sa.bindparam("expires")).execution_options(synchronize_session=False))


def spend(session: Session, token_id: int, *, now: datetime) -> bool:
    """Mark the refresh token used, once: a compare-and-set that exactly one of any number of
    concurrent requests wins, on every backend (PostgreSQL re-checks the row after the
    winner's commit; SQLite serialises the writers). RETURNING tells who won without relying
    on the driver's rowcount."""
    won = session.connection().execute(_SPEND, {"token": token_id, "now": now}).first()
    return won is not None


def _narrowed(scopes: list[str], scope: str | None) -> list[str]:
    """RFC 6749 section 6: the requested scope may only narrow the grant's."""
    if scope is None:
        return scopes
    narrowed = list(dict.fromkeys(scope.split()))
    extra = [s for s in narrowed if s not in scopes]
    if extra:
        raise InvalidGrant(f"scope may only narrow the original grant; {' '.join(extra)} "
                           "was not granted", error="invalid_scope")
    if "openid" not in narrowed:
        raise InvalidGrant("scope must include openid", error="invalid_scope")
    return narrowed


def refresh(database: Database, provider: Provider, *, client: Client, refresh_token: str | None,
            scope: str | None, now: int, jkt: str | None = None, resource: str | None = None) -> TokenResponse:
    """Exchange a refresh token for new tokens and a new refresh token (rotation). `jkt`: the
    key of the request's DPoP proof; a bound refresh token needs its own (RFC 9449 section 5)."""
    if not refresh_token:
        raise InvalidGrant("refresh_token is required", error="invalid_request")
    if "refresh_token" not in client.client_metadata.get("grant_types", []):
        raise InvalidGrant("this client is not registered for the refresh_token grant",
                           error="unauthorized_client")
    moment = datetime.fromtimestamp(now, UTC)
    rotated = not fapi.applies(client)
    refused: str | None = None
    with database.transaction() as session:
        row = session.execute(_PRESENTED, {"digest": token_digest(refresh_token)}).first()
        if row is None:
            raise InvalidGrant(NOT_VALID)
        token, grant, citizen = _Presented(row.token_id, row.token_dpop_jkt, row.token_used_at,
                                           row.token_expires_at), GrantRecord.of(row), row.Citizen
        if grant.client_id != client.client_id:
            raise InvalidGrant(NOT_VALID)  # the same words: do not reveal whose it is
        if token.dpop_jkt is not None and token.dpop_jkt != jkt:
            # Not spent, not revoked: whoever lacks the key cannot use it, nor burn it.
            raise InvalidGrant("the refresh token is bound to a DPoP key; send a DPoP proof signed with "
                               "that key (RFC 9449 section 5)")
        if token.used_at is not None:
            refused, reason = REUSED, "refresh_reuse"
        else:
            if not grant_active(grant, moment):
                raise InvalidGrant(GRANT_ENDED)
            if as_utc(token.expires_at) <= moment:
                raise InvalidGrant(EXPIRED)
            declared = standing.declared_now(session, client_id=client.client_id, read=client.client_metadata,
                                             scopes=grant.scopes)
            refused, reason, claims, scopes = standing.for_refresh(session, grant, citizen, now=moment,
                                                                   declared=declared)
            if refused is None:
                # The level the grant asserts, re-judged from what holds now (stored facts only).
                lowered = held.refused_refresh(session, grant, acr_uris=provider.settings.acr_uris,
                                               sessions=provider.sessions, now=now)
                if lowered is not None:
                    refused, reason = LOWERED[lowered], lowered
            if refused is None:
                access_scopes = _narrowed(scopes, scope)
                # RFC 8707 section 2.2: the resources of the authorization bound its refreshes
                # as they bound its code exchange (the one named, or one of several, never another).
                target = resources.audience(session, resource=resource, client_id=client.client_id,
                                            scopes=access_scopes, issuer=provider.settings.issuer,
                                            authorized=grant.resources or ())
                if rotated and not spend(session, token.id, now=moment):
                    # Lost the race to spend it: another request holds a copy of the token.
                    refused, reason = REUSED, "refresh_reuse"
        if refused is not None:
            # Revoke everything of the grant (the winner's new chain included, on reuse).
            revoke_grant(session, grant.id, reason=reason, now=moment)
        elif rotated:
            # RFC 6749 section 6: the new refresh token keeps the (still consented) scope.
            new_token = new_refresh_token(session, provider, grant=grant, scopes=scopes, now=moment,
                                          dpop_jkt=token.dpop_jkt)
        else:  # the same token, usable for as long as a new one would be
            new_token = refresh_token
            expires = min(moment + timedelta(seconds=provider.settings.refresh_token_seconds), as_utc(grant.expires_at))
            session.connection().execute(_EXTEND, {"token": token.id, "expires": expires})
        if refused is None:
            tally(session, "token.issued", agency=client.client_id, dimension="refresh_token", now=moment)
            # The ID token releases only what the citizen's standing decision still allows;
            # the release is logged in this transaction, with the rotation.
            current = replace_claims(grant, claims=claims, scopes=scopes)
            extra = id_token_release(provider.settings, current, citizen)
            log_id_token_release(session, grant=current, client=client, released=extra, consent=None,
                                 now=moment)
    if refused is not None:
        raise InvalidGrant(refused)
    # Signed after the commit: no transaction stays open while `keys/` signs.
    return mint(provider, client=client, grant=current, citizen=citizen,
                scopes=target.scopes if target else access_scopes, nonce=None, refresh_token=new_token, now=now,
                jkt=jkt, audience=target, extra=extra, logged=True)


# An unknown refresh token, or another client's: one sentence for both, naming the way out.
NOT_VALID = ("the refresh token is not valid: it may have expired, been rotated (a newer one was issued "
             "with the last refresh) or been revoked (the citizen withdrew consent or signed out); "
             "start a new authorization request to get new tokens")
# The owner's own token, past its use: what happened, and the same way out.
GRANT_ENDED = ("the grant of this refresh token was revoked (the citizen withdrew consent or signed out) or has "
               "expired; start a new authorization request to get new tokens")
EXPIRED = "the refresh token has expired; start a new authorization request to get new tokens"
REUSED = ("the refresh token was already used; every token of this grant is now revoked "
          "(refresh token reuse)")


def replace_claims(grant: GrantRecord, *, claims: dict[str, Any], scopes: list[str]) -> GrantRecord:
    """A copy of `grant` with narrowed claims and scopes (the row is left as it is)."""
    return replace(grant, claims=claims, scopes=scopes)
