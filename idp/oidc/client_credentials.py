"""The client credentials grant (RFC 6749 section 4.4) for agencies' own APIs calls.

Only a confidential client whose registration includes the `client_credentials` grant and a
scope offered through it (`documents:issue`, granted by an operator) gets a token. The token
is an RFC 9068 JWT access token whose subject is the client itself (section 2.2: `sub` is the
client_id when no resource owner is involved), for the documents API only (its `aud`), with
no refresh token (RFC 6749 section 4.4.3) and no ID token.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from clients.registry import Client, ClientNotFound, find_client
from idp.oidc import bearer, dpop, tokens
from idp.oidc.agency_audience import audience
from idp.oidc.errors import InsufficientScope, InvalidToken, OidcError
from idp.oidc.services import Provider
from infra.store import EphemeralStore

GRANT_TYPE = "client_credentials"
# Scopes an agency may hold without a citizen: each names an API of the provider.
SCOPES = ("documents:issue", "indicators:read")


@dataclass(frozen=True)
class ClientCredentialsResponse:
    """RFC 6749 section 4.4.3 / 5.1: no refresh token."""

    access_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"  # noqa: S105 - "DPoP" when bound (RFC 9449 section 5)
    # The members written without JSON escaping: a compact JWS.
    VERBATIM: ClassVar[frozenset[str]] = frozenset({"access_token"})

    def to_json(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "token_type": self.token_type,
                "expires_in": self.expires_in, "scope": self.scope}


def _offered(client: Client) -> list[str]:
    registered = str(client.client_metadata.get("scope", "")).split()
    return [scope for scope in SCOPES if scope in registered]


def grant(provider: Provider, *, client: Client, scope: str | None, now: int, jkt: str | None = None
          ) -> ClientCredentialsResponse:
    """RFC 6749 section 4.4.2: an access token for the authenticated `client` itself (bound to
    the DPoP key `jkt`, RFC 9449 section 6, when the request carried a proof)."""
    if client.client_metadata.get("token_endpoint_auth_method") == "none":
        raise OidcError("the client credentials grant is for confidential clients only",
                        error="unauthorized_client")
    offered = _offered(client)
    if not offered:
        raise OidcError("this client holds no scope that the client credentials grant gives "
                        f"({', '.join(SCOPES)}); an operator must grant it", error="invalid_scope")
    if scope is None or not scope.strip():
        scopes = offered
    else:
        scopes = list(dict.fromkeys(scope.split()))
        refused = [s for s in scopes if s not in offered]
        if refused:
            raise OidcError(f"scope {' '.join(refused)} cannot be granted to this client through "
                            f"client_credentials; it may ask for {' '.join(offered)}",
                            error="invalid_scope")
    settings = provider.settings
    claims = {
        "iss": settings.issuer,
        "sub": client.client_id,
        "aud": audience(provider),
        "client_id": client.client_id,
        "iat": now,
        "exp": now + settings.access_token_seconds,
        "jti": secrets.token_urlsafe(18),
        "scope": " ".join(scopes),
    }
    if jkt is not None:
        claims["cnf"] = {"jkt": jkt}
    token = provider.signer.sign(claims, alg=tokens.ACCESS_TOKEN_ALG, typ=tokens.ACCESS_TOKEN_TYP)
    return ClientCredentialsResponse(access_token=token, expires_in=settings.access_token_seconds,
                                     scope=" ".join(scopes), token_type="DPoP" if jkt else "Bearer")


@dataclass(frozen=True)
class AgencyToken:
    client: Client
    claims: Mapping[str, Any]

    @property
    def client_id(self) -> str:
        return self.client.client_id

    @property
    def scopes(self) -> list[str]:
        return str(self.claims.get("scope", "")).split()


def inspect(session: Session, store: EphemeralStore, provider: Provider, claims: Mapping[str, Any]) -> AgencyToken:
    """The state an agency's token depends on (its signature checked by `bearer.identify`):
    not revoked (RFC 7009), and its client still enabled, registered for this grant and
    holding every scope of the token."""
    if bearer.revoked(store, str(claims["jti"])):
        raise InvalidToken("the access token was revoked")
    try:
        client = find_client(session, str(claims["client_id"]))
    except ClientNotFound:
        raise InvalidToken("the client of this access token is no longer registered or is "
                           "disabled") from None
    if GRANT_TYPE not in client.client_metadata.get("grant_types", []):
        raise InvalidToken("the client of this access token may no longer use the client credentials grant")
    # A scope an operator took away since ends the token (not only at the API of that scope):
    # the agency asks for a new token, with what it holds now.
    withdrawn = [s for s in str(claims.get("scope", "")).split() if s not in _offered(client)]
    if withdrawn:
        raise InvalidToken(f"the client of this access token no longer holds scope {' '.join(withdrawn)}; "
                           "ask for a new access token with the scopes it holds")
    return AgencyToken(client=client, claims=claims)


def check(session: Session, store: EphemeralStore, provider: Provider, token: str, *,
          scope: str, jkt: str | None = None) -> AgencyToken:
    """RFC 9068 section 4 / RFC 6750 section 3.1: a valid client credentials token of an
    enabled client that still holds `scope`; InvalidToken or InsufficientScope otherwise.
    `jkt`: the key of the request's DPoP proof (None: presented as Bearer; RFC 9449 7.1)."""
    kind, claims = bearer.identify(provider, token)
    if kind != bearer.AGENCY:
        raise InvalidToken("the access token was not issued through the client credentials grant")
    dpop.confirm(claims, jkt=jkt)
    checked = inspect(session, store, provider, claims)
    if scope not in checked.scopes or scope not in _offered(checked.client):
        raise InsufficientScope(f"this API needs an access token with scope {scope}")
    return checked
