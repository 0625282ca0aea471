"""Checking the provider's own access tokens where they are presented (RFC 6750, RFC 9068
section 4): signature by a published key, `typ: at+jwt`, iss, aud, exp, then the state the JWT
cannot carry: a revoked token (`jti`), a revoked or expired grant, a disabled or deleted
client, a closed account, a withdrawn consent, an ended session (`idp.oidc.standing`).

Two kinds of access token exist: a citizen's (`aud` the issuer, naming its `grant`) and an
agency's own, from the client credentials grant (`aud` the documents API, `sub` the client;
`idp.oidc.client_credentials`). `identify` tells them apart for revocation and introspection.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry import ClientNotFound
from idp.citizens.models import Citizen
from idp.oidc import dpop, standing, tokens
from idp.oidc.agency_audience import audience as agency_audience
from idp.oidc.errors import InvalidToken
from idp.oidc.models import Grant
from idp.oidc.services import Provider
from infra.jose import JoseError, unverified
from infra.store import EphemeralStore
from infra.utc import as_utc, at_second

REVOKED_PREFIX = "oidc:at-revoked:"
# Built once: each check only binds the grant id.
_GRANT_AND_CITIZEN = (sa.select(Grant, Citizen).join(Citizen, Citizen.id == Grant.citizen_id)
                      .where(Grant.id == sa.bindparam("grant")))


@dataclass(frozen=True)
class GrantFacts:
    """What `check_claims` (and UserInfo's log entry) read of a grant and its citizen, taken from
    the rows once per state (plain values: no ORM attribute or UUID formatting per request)."""

    client_id: str
    # `grant_active`'s inputs: the grant is active while not revoked and before it expires.
    revoked: bool
    expires_at: datetime
    closed: bool  # `standing.account_closed`
    offline: bool  # `standing.offline` of the grant's scopes
    sid: str
    citizen_ref: str  # the citizen's id as text (the session's `citizen_id`)

    @classmethod
    def of(cls, grant: Grant, citizen: Citizen) -> GrantFacts:
        return cls(client_id=grant.client_id, revoked=grant.revoked_at is not None,
                   expires_at=as_utc(grant.expires_at), closed=standing.account_closed(citizen),
                   offline=standing.offline(grant.scopes), sid=grant.sid, citizen_ref=str(grant.citizen_id))


@dataclass(frozen=True)
class TokenState:
    """What a citizen's access token stands on, as read from the database: kept per process
    under the store's cache generation (`Provider.token_states`), so shared between threads
    and never changed (detached rows)."""

    grant: Grant
    citizen: Citizen
    consent: standing.StandingConsent
    # What is worked out from these rows alone, once per state (e.g. UserInfo's claims for a
    # scope, `idp.oidc.userinfo`): kept as long as the state is. Values are never changed.
    derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)
    facts: GrantFacts = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "facts", GrantFacts.of(self.grant, self.citizen))


@dataclass(frozen=True, init=False)
class AccessToken:
    """A checked access token and what it stands on. (`__init__`: the dataclass's, filling the
    instance dict at once, without the frozen dataclass's setattr per field: one per UserInfo
    and per protected request, issue 16.)"""

    claims: Mapping[str, Any]
    grant: Grant
    citizen: Citizen
    # The citizen's decision in force now: what this token may still release.
    consent: standing.StandingConsent
    # The cache generation the state was checked under (`remember_use`).
    generation: bytes = b""
    # The rows above as one state (with what was derived from them).
    state: TokenState | None = None
    # What the checks read of the grant and citizen (`GrantFacts`); None: not taken yet.
    facts: GrantFacts | None = None

    def __init__(self, claims: Mapping[str, Any], grant: Grant, citizen: Citizen, consent: standing.StandingConsent,
                 generation: bytes = b"", state: TokenState | None = None, facts: GrantFacts | None = None) -> None:
        self.__dict__.update(claims=claims, grant=grant, citizen=citizen, consent=consent, generation=generation,
                             state=state, facts=facts)

    @property
    def scopes(self) -> list[str]:
        return str(self.claims.get("scope", "")).split()


# What to send instead of a token that is not an access token (an ID token, a refresh token).
SEND_THE_ACCESS_TOKEN = ("send the access_token member of the token response, as 'Bearer <token>' (or "  # noqa: S105
                         "'DPoP <token>' with a DPoP proof)")
NOT_A_JWT = ("the access token is not a JWT issued by this provider (a refresh token is not one); "
             + SEND_THE_ACCESS_TOKEN)


def _signed_claims(provider: Provider, token: str) -> Mapping[str, Any]:
    """RFC 9068 section 4: the signature, `alg` and `typ` of an access token; a JWT of another
    type (an ID token sent in its place) is refused saying which token to send."""
    if not token or token.count(".") != 2 or len(token) > 8192:
        raise InvalidToken(NOT_A_JWT)
    try:
        return provider.signer.verify(token, algorithms=(tokens.ACCESS_TOKEN_ALG,), typ=tokens.ACCESS_TOKEN_TYP)
    except InvalidToken:
        try:
            typ = unverified(token).header.get("typ")
        except JoseError:
            typ = None
        if isinstance(typ, str) and typ.lower() not in (tokens.ACCESS_TOKEN_TYP, "application/at+jwt"):
            what = ", an ID token's" if typ.upper() == "JWT" else ""
            raise InvalidToken(f"this is not an access token: its typ is {typ!r}{what} (an access token's is "
                               f"'{tokens.ACCESS_TOKEN_TYP}', RFC 9068 section 2.1); {SEND_THE_ACCESS_TOKEN}") from None
        raise


def verify_signature(provider: Provider, token: str) -> Mapping[str, Any]:
    """RFC 9068 section 4: the JWT checks alone (no state); raises InvalidToken."""
    claims = _signed_claims(provider, token)
    if claims.get("iss") != provider.settings.issuer:
        raise InvalidToken("the access token was not issued by this provider")
    _for_the_issuer(provider, claims.get("aud"))
    for name in ("sub", "client_id", "jti", "exp", "grant"):
        if not claims.get(name):
            raise InvalidToken(f"the access token has no {name}")
    return claims


def _for_the_issuer(provider: Provider, aud: Any) -> None:
    """RFC 9068 section 4: `aud` names this provider (its UserInfo); a token for an agency API
    or for a registered API (RFC 8707) is refused saying which token to send instead."""
    issuer = provider.settings.issuer
    if aud == issuer or (isinstance(aud, list) and issuer in aud):
        return
    if aud == agency_audience(provider):
        raise InvalidToken("this is an agency's access token (client credentials grant), for the "
                           "documents and indicators APIs: /userinfo takes the access token of a "
                           "citizen's sign-in (authorization code grant), whose aud is the issuer")
    raise InvalidToken(f"this access token is for the API {aud!r} (aud), not for /userinfo: use the "
                       "access token of a citizen's sign-in (authorization code grant) asked for "
                       f"without resource, whose aud is the issuer {issuer!r}")


CITIZEN = "citizen"
AGENCY = "agency"
# A citizen's token for an agency's API (RFC 8707): `aud` the API's identifier.
RESOURCE = "resource"


def identify(provider: Provider, token: str) -> tuple[str, Mapping[str, Any]]:
    """The kind of a valid access token of this provider and its claims (no state checked)."""
    claims = _signed_claims(provider, token)
    if claims.get("iss") != provider.settings.issuer or not claims.get("jti") or not claims.get("client_id"):
        raise InvalidToken("the access token was not issued by this provider")
    aud = claims.get("aud")
    if aud == provider.settings.issuer and claims.get("grant") and claims.get("sub"):
        return CITIZEN, claims
    if aud == agency_audience(provider) and "grant" not in claims and claims.get("sub") == claims["client_id"]:
        return AGENCY, claims
    if isinstance(aud, str) and claims.get("grant") and claims.get("sub"):
        return RESOURCE, claims
    raise InvalidToken("the access token is not for a resource of this provider")


def revoked(store: EphemeralStore, jti: str) -> bool:
    return store.get(REVOKED_PREFIX + jti) is not None


def revoke(store: EphemeralStore, claims: Mapping[str, Any], *, now: int) -> None:
    """RFC 7009 section 2.1: remember the token's jti as revoked until it would expire."""
    ttl = int(claims["exp"]) - now + 60
    if ttl > 0:
        store.set(REVOKED_PREFIX + str(claims["jti"]), b"1", ttl)


def check(session: Session, store: EphemeralStore, provider: Provider, token: str, *,
          now: int, jkt: str | None = None) -> AccessToken:
    """A valid, unrevoked access token of an active grant that still stands, with its citizen
    and the citizen's standing consent: two store reads (revoked `jti`, the cache generation)
    and, unless this process holds the state under the current generation, two indexed
    queries; two store reads more for a grant without offline access. On a shared store
    (Redis) they are one round trip (`Provider.read_with_generation`), the session's reads
    included once this process has seen the grant's session. `jkt`: the key of the
    request's DPoP proof, None for Bearer; a DPoP-bound token needs its own key (RFC 9449
    section 7.1)."""
    claims = verify_signature(provider, token)
    dpop.confirm(claims, jkt=jkt)
    return check_claims(session, store, provider, claims, now=now)


@lru_cache(maxsize=1024)
def held(scope: str, registered: str) -> bool:
    """True when every scope of a token (`scope`) is one the client is registered for now
    (`registered`, its `scope` metadata); kept: the same few pairs come again and again."""
    return set(scope.split()) <= set(registered.split())


@lru_cache(maxsize=4096)
def _grant_id(text: str) -> uuid.UUID:
    """The grant id a token names (kept: the same few grants' tokens come again and again;
    text that is no UUID raises ValueError, and is not kept)."""
    return uuid.UUID(text)


def check_claims(session: Session, store: EphemeralStore, provider: Provider, claims: Mapping[str, Any], *,
                 now: int) -> AccessToken:
    """`check` for a token whose signature was verified already."""
    try:
        grant_id: uuid.UUID | None = _grant_id(str(claims["grant"]))
    except ValueError:
        grant_id = None
    sessions_store = store
    if store.shared:
        # The revoked mark, the cache generation and (when this process knows the grant's
        # session) the session's index and record: one round trip to the store, not four.
        sid = provider.grant_sids.get(grant_id) if grant_id is not None else None
        generation, (mark,), sessions_store = provider.read_with_generation(
            store, [REVOKED_PREFIX + str(claims["jti"])], sid=sid)
        if mark is not None:
            raise InvalidToken("the access token was revoked")
    elif revoked(store, str(claims["jti"])):
        raise InvalidToken("the access token was revoked")
    if grant_id is None:
        raise InvalidToken("the access token names no valid grant")
    if not store.shared:
        generation = provider.generation()
    state: TokenState | None = provider.token_states.get(grant_id, generation)
    if state is None:
        row = session.execute(_GRANT_AND_CITIZEN, {"grant": grant_id}).first()
        if row is None:
            raise InvalidToken("the grant of this access token no longer exists")
        grant, citizen = row
        consent = standing.newest_decision(session, citizen_id=grant.citizen_id, client_id=grant.client_id)
        if consent is not None:  # only what was found is kept: a new row would bump nothing
            session.expunge(grant)
            session.expunge(citizen)
            state = TokenState(grant=grant, citizen=citizen, consent=consent)
            provider.token_states.put(grant_id, state, generation)
        facts = state.facts if state is not None else GrantFacts.of(grant, citizen)
    else:
        grant, citizen, consent, facts = state.grant, state.citizen, state.consent, state.facts
    moment = at_second(now)
    # `grant_active`, on the values taken from the grant's row.
    if facts.client_id != claims["client_id"] or facts.revoked or not facts.expires_at > moment:
        raise InvalidToken("the grant of this access token was revoked or has expired")
    try:
        agency = provider.clients.find(session, facts.client_id, generation)
    except ClientNotFound:
        raise InvalidToken("the client of this access token is disabled or no longer registered") from None
    if not held(str(claims.get("scope", "")), str(agency.client_metadata.get("scope", ""))):
        # The token stands on what the portal holds now: a scope an operator took away (national_id)
        # ends the tokens that carry it (RFC 6750 section 3.1: invalid_token).
        raise InvalidToken("the client of this access token no longer holds every scope of the token; "
                           "ask for a new token with the scopes it holds")
    if facts.closed:
        raise InvalidToken("the citizen of this access token closed the account")
    if not facts.offline:
        if store.shared and provider.sessions is not None:
            provider.remember_sid(grant_id, facts.sid)
        if not standing.session_alive(sessions_store, provider.sessions, sid=facts.sid,
                                      citizen_id=facts.citizen_ref, now=float(now)):
            raise InvalidToken("the citizen signed out: the access token ended with the session")
    refused = standing.refusal(consent, moment, agency.client_metadata)
    if refused is not None:
        if refused == standing.OTHER_PURPOSE:
            raise InvalidToken(standing.PURPOSE_CHANGED)
        raise InvalidToken("the citizen withdrew this agency's access, or the consent expired")
    assert consent is not None  # (refusal said so)
    return AccessToken(claims=claims, grant=grant, citizen=citizen, consent=consent, generation=generation,
                       state=state, facts=facts)


def remember_use(provider: Provider, token: AccessToken, *, at: datetime) -> None:
    """The consent's last use was just written (`idp.consent.services.record_release`, a
    statement that bumps no generation): keep the state this process holds in step with it."""
    state = provider.token_states.get(token.grant.id, token.generation)
    if state is not None:
        provider.token_states.put(token.grant.id, replace(state, consent=replace(state.consent, last_used_at=at)),
                                  token.generation)
