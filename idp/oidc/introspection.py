"""Token introspection (RFC 7662): is this access or refresh token active, and what it carries.

Only an authenticated client may ask (section 2.1: the endpoint "MUST also require some form of
authorization"): a public client, named by a client_id anyone may know, is `invalid_client`, or
whoever holds a stolen token could check it and read its subject without redeeming it. Only
the client a token was issued to learns anything about it; for every other client, and
for unknown, expired or revoked tokens, the answer is `{"active": false}` (RFC 7662 section 2.2).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from clients.registry import Client
from idp.citizens.models import Citizen
from idp.oidc import bearer, client_credentials, held, resources, standing
from idp.oidc.errors import InvalidClient, OidcError
from idp.oidc.models import Grant, RefreshToken
from idp.oidc.services import Provider, grant_active, token_digest
from idp.oidc.subjects import subject_for
from infra.store import EphemeralStore
from infra.utc import as_utc

INACTIVE: dict[str, Any] = {"active": False}


def _access(session: Session, store: EphemeralStore, provider: Provider, client: Client, token: str,
            now: int) -> dict[str, Any] | None:
    """A citizen's access token, or the client's own from the client credentials grant."""
    try:
        kind, claims = bearer.identify(provider, token)
        # Its client, or (RFC 8707) the agency API it is for, introspecting as its owner client.
        api = kind == bearer.RESOURCE and resources.owned_by(session, claims["aud"], client.client_id)
        if claims["client_id"] != client.client_id and not api:
            return None
        scope = claims.get("scope")
        if kind in (bearer.CITIZEN, bearer.RESOURCE):
            checked = bearer.check_claims(session, store, provider, claims, now=now)
            # Section 2.2: the scope it may still be used for, cut to what the citizen's standing
            # decision allows (as UserInfo releases and a refresh narrows, `standing.for_refresh`).
            if scope is not None:
                scope = " ".join(standing.narrowed(claims=checked.grant.claims, scopes=str(scope).split(),
                                                   allowed=checked.consent.claims)[1])
        else:
            client_credentials.inspect(session, store, provider, claims)
    except OidcError:
        return None
    # RFC 9449 section 6.2: a bound token shows its key's thumbprint and the DPoP type.
    body: dict[str, Any] = {"active": True, "token_type": "DPoP" if "cnf" in claims else "Bearer"}
    if scope is not None:
        body["scope"] = scope
    for name in ("client_id", "sub", "exp", "iat", "iss", "aud", "jti", "auth_time", "acr", "cnf"):
        if name in claims:
            body[name] = claims[name]
    return body


def _refresh(session: Session, store: EphemeralStore, provider: Provider, client: Client, token: str,
             now: int) -> dict[str, Any] | None:
    row = session.execute(
        sa.select(RefreshToken, Grant, Citizen).join(Grant, Grant.id == RefreshToken.grant_id)
        .join(Citizen, Citizen.id == Grant.citizen_id)
        .where(RefreshToken.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    refresh, grant, citizen = row
    moment = datetime.fromtimestamp(now, UTC)
    # As /token (`refresh.refresh`): a client no longer registered for the grant may not use it.
    if "refresh_token" not in client.client_metadata.get("grant_types", []):
        return None
    if (grant.client_id != client.client_id or refresh.used_at is not None
            or as_utc(refresh.expires_at) <= moment or not grant_active(grant, moment)):
        return None
    refused, _reason, _claims, scopes = standing.for_refresh(session, grant, citizen, now=moment,
                                                       declared=client.client_metadata)
    if refused is not None:  # what the token would be refused for at /token
        return None
    # As /token: the level the grant asserts no longer holds (the same rule, `held.refused_refresh`;
    # its withdrawal of a lapsed proofing is /token's to commit: this session commits nothing).
    if held.refused_refresh(session, grant, acr_uris=provider.settings.acr_uris, sessions=provider.sessions,
                            now=now, store=store) is not None:
        return None
    return {
        "active": True,
        "token_type": "refresh_token",
        "scope": " ".join(scopes),
        "client_id": client.client_id,
        "sub": subject_for(provider, client, str(grant.citizen_id)),
        "iss": provider.settings.issuer,
        "iat": int(as_utc(refresh.created_at).timestamp()),
        "exp": int(as_utc(refresh.expires_at).timestamp()),
    }


def check_caller(client: Client) -> None:
    """RFC 7662 section 2.1: a client that authenticated (not `none`, a public client)."""
    if client.client_metadata.get("token_endpoint_auth_method") == "none":
        raise InvalidClient("introspection is for clients that authenticate; a public client "
                            "(token_endpoint_auth_method none) may not introspect tokens")


def introspect(session: Session, store: EphemeralStore, provider: Provider, *, client: Client,
               token: str | None, hint: str | None, now: int) -> dict[str, Any]:
    """RFC 7662 section 2.1-2.2. `hint` only orders the look-ups (section 2.1)."""
    check_caller(client)
    if not token:
        raise OidcError("token is required (RFC 7662 section 2.1)")
    looks_like_jwt = token.count(".") == 2
    order = ("refresh", "access") if hint == "refresh_token" else ("access", "refresh")
    for kind in order:
        if kind == "access" and looks_like_jwt:
            found = _access(session, store, provider, client, token, now)
        elif kind == "refresh" and not looks_like_jwt and len(token) <= 512:
            found = _refresh(session, store, provider, client, token, now)
        else:
            found = None
        if found is not None:
            return found
    return dict(INACTIVE)


SIGNED_TYPE = "application/token-introspection+jwt"
SIGNED_TYP = "token-introspection+jwt"
SIGNED_ALG = "ES256"


def wants_signed(accept: str) -> bool:
    """RFC 9701 section 4: the client asks for a JWT with its Accept header, named with a
    quality above zero and at least that of JSON (RFC 9110 section 12.5.1: `application/json`,
    `application/*` or `*/*`); a wildcard alone asks for JSON."""
    signed = plain = 0.0
    for value, quality in parse_accept_header(accept, MIMEAccept):
        kind = value.lower()
        if kind == SIGNED_TYPE:
            signed = max(signed, quality)
        elif kind in ("application/json", "application/*", "*/*"):
            plain = max(plain, quality)
    return signed > 0 and signed >= plain


def signed(provider: Provider, *, client: Client, body: dict[str, Any], now: int) -> str:
    """RFC 9701 section 5: the answer as a JWT signed by the provider (through `keys/`), for
    the client that asked (`aud`), the introspection result under `token_introspection`."""
    claims = {"iss": provider.settings.issuer, "aud": client.client_id, "iat": now,
              "token_introspection": body}
    return provider.signer.sign(claims, alg=SIGNED_ALG, typ=SIGNED_TYP)
