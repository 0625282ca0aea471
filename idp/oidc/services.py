"""The provider's operations, free of Flask: issue a code, exchange it for tokens.

Views parse HTTP and call these; these raise only `idp.oidc.errors.OidcError` subclasses.
Each operation that writes does so in one transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clients.registry import Client, freeze_sector
from idp.citizens.models import Citizen
from idp.consent.services import record_release, release_writes, use_due
from idp.oidc import claims as claims_module
from idp.oidc import codes, fapi, held, pkce, resources, standing, subjects, tokens
from idp.oidc.assurance import Assurance
from idp.oidc.browser_clients import KnownOrigins
from idp.oidc.client_auth import AssertionPolicy
from idp.oidc.client_cache import ClientCache
from idp.oidc.client_keys import RemoteKeySets
from idp.oidc.dpop import DpopError, DpopPolicy
from idp.oidc.errors import InvalidGrant
from idp.oidc.grants import GrantRecord, revoke_grant
from idp.oidc.models import INSERT_GRANT, INSERT_REFRESH_TOKEN, Grant
from idp.oidc.request import AuthorizationRequest
from idp.oidc.settings import OidcSettings
from idp.oidc.sign_in_counts import sign_in_counts
from idp.oidc.token_response import TokenResponse
from idp.sessions import records
from idp.sessions.records import SessionPolicy
from idp.webauthn.encoding import passkey_mark
from infra.db import Database
from infra.group_commit import GroupCommit, Write
from infra.indicators import Increment, add_up
from infra.invalidation import GENERATION_KEY, NO_GENERATION, GenerationCache, Invalidation
from infra.store import EphemeralStore, TakeGuard
from infra.store.prefetched import Prefetched
from infra.utc import as_utc, at_second

# Bound on `Provider.grant_sids` and `Provider.session_refs` (hints: cleared when full).
HINTS_KEPT = 100_000


@dataclass(frozen=True)
class Provider:
    """What every operation needs, built once at start (no per-request key or settings work)."""

    settings: OidcSettings
    signer: tokens.TokenSigner
    pairwise_key: bytes
    remote_keys: RemoteKeySets
    # Clients read for client authentication, kept `client_cache_seconds` (see client_cache).
    clients: ClientCache = field(default_factory=lambda: ClientCache(seconds=0))
    # The SSO sessions' rules: grants without offline access live only as long as their session.
    sessions: SessionPolicy | None = None
    # What access tokens stand on, kept per process under the store's cache generation
    # (`idp.oidc.bearer`, `infra.invalidation`); None: read for every request.
    invalidation: Invalidation | None = None
    token_states: GenerationCache[uuid.UUID, Any] = field(
        default_factory=lambda: GenerationCache(seconds=0))
    # (citizen, client) -> standing decision, and the assurance of SSO sign-ins, at /authorize.
    decisions: GenerationCache[tuple[str, str], Any] = field(
        default_factory=lambda: GenerationCache(seconds=0))
    sign_in_levels: GenerationCache[tuple[str, str | None, tuple[str, ...], str | None], Any] = field(
        default_factory=lambda: GenerationCache(seconds=0))
    # Citizens this process saw given a grant (committed): their next grant is not their
    # first, so /token need not ask the database (`_count_sign_in`). Only ever true; bounded.
    granted_citizens: set[uuid.UUID] = field(default_factory=set)
    # Citizens read at /token (detached rows), under the cache generation like `token_states`.
    citizens: GenerationCache[uuid.UUID, Any] = field(default_factory=lambda: GenerationCache(seconds=0))
    # grant id -> the SSO session (`sid`) it lives with, for grants that do (a grant's sid never
    # changes): a hint that lets a check read the session's index with its other store reads.
    grant_sids: dict[uuid.UUID, str] = field(default_factory=dict)
    # sid -> the key of its session's record as last seen (it changes when the session is
    # re-authenticated): a hint, so that the record is read with the session's index.
    session_refs: dict[str, str] = field(default_factory=dict)
    # endpoint -> its AssertionPolicy (`assertion_policy`); a handful of endpoints.
    policies: dict[str, AssertionPolicy] = field(default_factory=dict, init=False, compare=False, repr=False)
    # the browser origins of the enabled clients (`browser_clients`: CORS preflights of /token, /revoke)
    browser_origins: KnownOrigins = field(default_factory=KnownOrigins, init=False, compare=False, repr=False)

    def generation(self) -> bytes:
        """The cache generation now (one store read), or NO_GENERATION without caches."""
        return self.invalidation.generation() if self.invalidation is not None else NO_GENERATION

    def read_with_generation(self, store: EphemeralStore, keys: list[str], *,
                             sid: str | None = None) -> tuple[bytes, list[bytes | None], EphemeralStore]:
        """The cache generation (as `generation`) and the values of `keys` in `store`, read
        together: one round trip on a networked store instead of one per key. With `sid`, the
        SSO session's index and (when this process saw it before) its record are read in the
        same round trip, and the store returned answers them from what was read
        (`infra.store.prefetched`) for the session checks (`idp.sessions.records.by_sid`); a
        record key that is no longer the session's (the session was re-authenticated since)
        is simply not asked for. A store that cannot be read raises StoreError."""
        if not self.reads_together(store):
            return self.generation(), store.get_many(keys), store
        asked = [GENERATION_KEY, *keys]
        if sid is not None:
            asked.append(records.BY_SID + sid)
            ref = self.session_refs.get(sid)
            if ref is not None:
                asked.append(records.RECORD + ref)
        values = store.get_many(asked)
        reader = store
        if sid is not None:
            reader = Prefetched(store, dict(zip(asked[len(keys) + 1:], values[len(keys) + 1:], strict=True)))
            current = values[len(keys) + 1]
            if current is not None:
                self._remember(self.session_refs, sid, current.decode())
        # `Invalidation.generation`: no generation yet is "0".
        return values[0] or b"0", values[1:len(keys) + 1], reader

    def reads_together(self, store: EphemeralStore) -> bool:
        """True when the cache generation is kept in `store`, a networked store: it can be
        read with other keys of it in one round trip."""
        invalidation = self.invalidation
        return invalidation is not None and invalidation.store is store and store.shared

    def session_read(self, store: EphemeralStore, sid: str, index: bytes | None,
                     record: bytes | None) -> EphemeralStore:
        """`store`, answering the SSO session `sid`'s index and record from the values read
        already (`index`, and `record`: the record the index named), as `read_with_generation`
        hands the session checks."""
        values = {records.BY_SID + sid: index}
        if index is not None:
            ref = index.decode()
            values[records.RECORD + ref] = record
            self._remember(self.session_refs, sid, ref)
        return Prefetched(store, values)

    def remember_sid(self, grant_id: uuid.UUID, sid: str) -> None:
        """`grant_sids`, bounded."""
        if grant_id not in self.grant_sids:
            self._remember(self.grant_sids, grant_id, sid)

    @staticmethod
    def _remember(kept: dict[Any, str], key: Any, value: str) -> None:
        if len(kept) >= HINTS_KEPT and key not in kept:
            kept.clear()
        kept[key] = value

    @property
    def dpop_policy(self) -> DpopPolicy:
        """RFC 9449 section 4.3 and 8: how proofs are judged."""
        return DpopPolicy(seconds=self.settings.dpop_proof_seconds, leeway=self.settings.leeway_seconds,
                          require_nonce=self.settings.dpop_require_nonce,
                          nonce_seconds=self.settings.dpop_nonce_seconds)

    def assertion_policy(self, endpoint: str) -> AssertionPolicy:
        """RFC 7523 section 3: the assertion's aud is the issuer (strict, the default), or for
        clients on the legacy rule also the token endpoint or the endpoint it is sent to.
        Built once per endpoint (the settings do not change while the process runs)."""
        policy = self.policies.get(endpoint)
        if policy is None:
            policy = self.policies[endpoint] = self._assertion_policy(endpoint)
        return policy

    def _assertion_policy(self, endpoint: str) -> AssertionPolicy:
        return AssertionPolicy(
            audiences=frozenset({self.settings.issuer, self.settings.token_endpoint, endpoint}),
            max_seconds=self.settings.assertion_max_seconds,
            leeway=self.settings.leeway_seconds,
            remote_keys=self.remote_keys,
            issuer=self.settings.issuer,
        )


@dataclass(frozen=True)
class SignIn:
    """The SSO session behind an authorization: who, when, how strongly."""

    citizen_id: str
    sid: str
    auth_time: int
    assurance: Assurance
    credential_id: str | None = None  # the passkey the session was last checked with (base64url)


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(str(value))


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch


def uuid_text(value: uuid.UUID, given: str) -> str:
    """`str(value)` for `value = uuid.UUID(given)`: `given` itself when it is that text already
    (the lowercase hyphenated form: a code's ids are), without `UUID.__str__`'s formatting
    (issue 16: four per /token)."""
    return given if _CANONICAL_UUID(given) else str(value)


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def issue_code(store: EphemeralStore, provider: Provider, *, request: AuthorizationRequest,
               sign_in: SignIn, granted: Collection[str], now: float) -> str:
    """RFC 6749 section 4.1.2: a code for the citizen's decision to allow this request.

    `granted`: the claim names (and offline_access) the citizen allowed; the grant carries
    exactly those, so the ID token and UserInfo release nothing else. `now`: time.time(), not
    rounded (a withdrawal is ordered against it: `codes.settled`).
    """
    claims, scopes = claims_module.as_granted(claims=claims_module.load(request.claims),
                                              scopes=request.scopes, granted=granted)
    grant = codes.CodeGrant(
        grant_id=str(uuid.uuid4()), client_id=request.client_id, redirect_uri=request.redirect_uri,
        code_challenge=request.code_challenge, citizen_id=sign_in.citizen_id,
        scopes=scopes, claims=claims, nonce=request.nonce, sid=sign_in.sid,
        auth_time=sign_in.auth_time, acr=sign_in.assurance.acr, amr=list(sign_in.assurance.amr),
        issued_at=now, dpop_jkt=request.dpop_jkt, resources=list(request.resources),
        passkey=passkey_mark(sign_in.credential_id) if sign_in.credential_id else None)
    ttl = fapi.code_seconds(fapi=request.fapi, configured=provider.settings.code_seconds)
    return codes.issue(store, grant, ttl=ttl)


def grant_active(grant: Grant | GrantRecord, now: datetime) -> bool:
    return grant.revoked_at is None and as_utc(grant.expires_at) > now


def public(client: Client) -> bool:
    """RFC 6749 section 2.1: a client without credentials."""
    return client.client_metadata.get("token_endpoint_auth_method") == "none"


def wants_refresh(client: Client, scopes: Iterable[str]) -> bool:
    return "offline_access" in scopes and "refresh_token" in client.client_metadata.get("grant_types", [])


def refresh_token_write(provider: Provider, *, grant: Grant | GrantRecord, scopes: list[str], now: datetime,
                        dpop_jkt: str | None = None) -> tuple[str, Write]:
    """A new refresh token and the INSERT (built once, `INSERT_REFRESH_TOKEN`) that stores its
    digest; `dpop_jkt`: the DPoP key a public client's token is bound to (RFC 9449 section 5)."""
    token = secrets.token_urlsafe(32)
    expires = min(now + timedelta(seconds=provider.settings.refresh_token_seconds), as_utc(grant.expires_at))
    return token, Write(INSERT_REFRESH_TOKEN, {
        "grant_id": grant.id, "token_hash": token_digest(token), "scopes": scopes, "created_at": now,
        "expires_at": expires, "used_at": None, "dpop_jkt": dpop_jkt})


def new_refresh_token(session: Session, provider: Provider, *, grant: Grant | GrantRecord, scopes: list[str],
                      now: datetime, dpop_jkt: str | None = None) -> str:
    """`refresh_token_write`, written in the caller's transaction."""
    token, write = refresh_token_write(provider, grant=grant, scopes=scopes, now=now, dpop_jkt=dpop_jkt)
    session.connection().execute(write.statement, write.values)
    return token


def id_token_release(settings: OidcSettings, grant: Grant | GrantRecord, citizen: Citizen) -> dict[str, Any]:
    """The claims (besides `sub`) the ID token of `grant` releases: those requested for the ID
    token that the grant carries (OIDC Core 5.4, 5.5), national_id only from a sign-in at its level."""
    requested = claims_module.load(grant.claims)
    granted = claims_module.granted_names(grant.claims)
    names = [n for n in claims_module.id_token_names(requested) if n in granted]
    return claims_module.release(citizen=citizen, names=_at_level(settings, names, grant.acr),
                                 client_scopes=grant.scopes)


def _at_level(settings: OidcSettings, names: Iterable[str], acr: str) -> list[str]:
    return claims_module.at_level(names, acr=acr, acr_uris=settings.acr_uris,
                                  national_id_level=settings.national_id_level)


def log_id_token_release(session: Session, *, grant: Grant | GrantRecord, client: Client, released: Iterable[str],
                         consent: Any, now: datetime) -> None:
    """The data-sharing log's entry for an ID token, in the transaction that makes the grant or
    rotates its refresh token: it commits with them, before anything is signed or sent (no log
    entry, no tokens), and saves the token endpoint a transaction of its own."""
    record_release(session, event="release.id_token", citizen_id=grant.citizen_id, client_id=client.client_id,
                   claims=("sub", *released), now=now, consent=consent)


@dataclass(frozen=True, init=False)
class _KnownClient:
    """What a code exchange reads of its client, read once: each read of a mapped attribute
    of the (cached, detached) `Client` is a Python call (issue 16: about 2.6k instructions,
    eleven per /token). (`__init__`: the dataclass's, filling the instance dict at once.)"""

    client_id: str
    metadata: Mapping[str, Any]
    subject_type: str

    def __init__(self, client_id: str, metadata: Mapping[str, Any], subject_type: str) -> None:
        self.__dict__.update(client_id=client_id, metadata=metadata, subject_type=subject_type)

    @classmethod
    def of(cls, client: Client) -> _KnownClient:
        metadata = client.client_metadata
        return cls(client.client_id, metadata, subjects.subject_type(client, metadata))


def mint(provider: Provider, *, client: Client, grant: Grant | GrantRecord, citizen: Citizen, scopes: list[str],
         nonce: str | None, refresh_token: str | None, now: int, sector: str | None = None,
         jkt: str | None = None, audience: resources.Audience | None = None,
         extra: dict[str, Any] | None = None, logged: bool = False,
         texts: tuple[str, str] | None = None, known: _KnownClient | None = None,
         auth_time: int | None = None) -> TokenResponse:
    """Sign the access token (RFC 9068; bound to the DPoP key `jkt`, RFC 9449 section 6) and
    the ID token (OIDC Core 2) for a grant (`extra`: its released claims, when the caller
    computed them to log the release; `logged`: the release is in the log already; `texts`:
    `str()` of the grant's citizen_id and id, when the caller has them; `known`: what the
    caller read of the client already; `auth_time`: the grant's, in seconds, when the caller
    has it)."""
    settings = provider.settings
    if known is None:
        known = _KnownClient.of(client)
    client_id = known.client_id
    citizen_id, grant_id = texts if texts is not None else (str(grant.citizen_id), str(grant.id))
    subject = subjects.subject_for(provider, client, citizen_id, sector=sector, kind=known.subject_type)
    authentication = tokens.Authentication(
        auth_time=int(as_utc(grant.auth_time).timestamp()) if auth_time is None else auth_time,
        acr=grant.acr, amr=tuple(grant.amr),
        sid=subjects.session_id(key=provider.pairwise_key, client_id=client_id, sid=grant.sid))
    access_claims = tokens.access_token_claims(
        issuer=settings.issuer, subject=subject, client_id=client_id, now=now,
        lifetime=settings.access_token_seconds, scopes=scopes, grant_id=grant_id,
        authentication=authentication, audience=audience.identifier if audience else None)
    if jkt is not None:
        access_claims["cnf"] = {"jkt": jkt}
    access_token = provider.signer.sign(access_claims, alg=tokens.ACCESS_TOKEN_ALG, typ=tokens.ACCESS_TOKEN_TYP)
    alg = known.metadata.get("id_token_signed_response_alg", "ES256")
    extra = id_token_release(settings, grant, citizen) if extra is None else extra
    id_claims = tokens.id_token_claims(
        issuer=settings.issuer, subject=subject, client_id=client_id, now=now,
        lifetime=settings.id_token_seconds, authentication=authentication, nonce=nonce,
        access_token=access_token, alg=alg, extra=extra)
    id_token = provider.signer.sign(id_claims, alg=alg, typ=tokens.ID_TOKEN_TYP)
    return TokenResponse(access_token=access_token, expires_in=settings.access_token_seconds,
                         scope=" ".join(scopes), id_token=id_token, refresh_token=refresh_token,
                         token_type="DPoP" if jkt is not None else "Bearer",
                         citizen_id=citizen_id, client_id=client_id,
                         released=("sub", *extra), logged=logged)


_EARLIER_GRANT = (sa.select(Grant.id).where(Grant.citizen_id == sa.bindparam("citizen"),
                                           Grant.id != sa.bindparam("grant")).limit(1))
GRANTED_CITIZENS_KEPT = 100_000


def _granted(provider: Provider, citizen_id: uuid.UUID) -> None:
    """Remember, after the commit, that the citizen has a grant (see `Provider.granted_citizens`)."""
    if len(provider.granted_citizens) >= GRANTED_CITIZENS_KEPT:
        provider.granted_citizens.clear()
    provider.granted_citizens.add(citizen_id)


@dataclass(frozen=True, init=False)
class _Exchange:
    """What a code exchange writes (in order: the grant, its refresh token, the log entry of
    the release) and counts, with what it then signs. (`__init__`: the dataclass's, filling
    the instance dict at once.)"""

    grant: GrantRecord
    writes: list[Write]
    counts: list[Increment]
    refresh: str | None
    released: dict[str, Any]

    def __init__(self, grant: GrantRecord, writes: list[Write], counts: list[Increment], refresh: str | None,
                 released: dict[str, Any]) -> None:
        self.__dict__.update(grant=grant, writes=writes, counts=counts, refresh=refresh, released=released)


def _exchange_writes(provider: Provider, *, client: Client, granted: codes.CodeGrant, citizen: Citizen,
                     consent: Any, jkt: str | None, first: bool, moment: datetime, citizen_text: str,
                     known: _KnownClient, pid: str | None = None) -> _Exchange:
    """The grant a redeemed code becomes (narrowed to the citizen's standing decision) and its
    writes: plain appends, for the request's transaction or the group commit (`citizen_text`:
    `str(citizen.id)`)."""
    # The code's claims document is decoded JSON (`codes.redeem`): narrowed once per distinct one.
    # ... and to the scopes the agency still holds (one an operator took away since the code
    # was issued, national_id, is not granted: RFC 6749 section 3.3).
    kept_scopes = standing.held_scopes(str(known.metadata.get("scope", "")))
    narrowed = standing.narrowed_code(claims=granted.claims, scopes=[s for s in granted.scopes if s in kept_scopes],
                                      allowed=consent.claims)
    scopes = list(narrowed.scopes)
    client_id = known.client_id
    grant = GrantRecord(
        id=uuid.UUID(granted.grant_id), citizen_id=citizen.id, client_id=client_id,
        scopes=scopes, claims=held.with_pid(narrowed.claims, pid), sid=granted.sid,
        auth_time=datetime.fromtimestamp(granted.auth_time, UTC), acr=granted.acr, amr=granted.amr,
        created_at=moment, expires_at=moment + timedelta(seconds=provider.settings.grant_seconds),
        resources=list(granted.resources) or None, passkey=granted.passkey)
    writes = [Write(INSERT_GRANT, grant.row())]
    refresh = None
    if wants_refresh(client, scopes):
        refresh, write = refresh_token_write(provider, grant=grant, scopes=scopes, now=moment,
                                             dpop_jkt=jkt if public(client) else None)
        writes.append(write)
    # `id_token_release(settings, grant, citizen)`, with the names `narrowed_code` read once.
    released = claims_module.release(citizen=citizen, names=_at_level(provider.settings, narrowed.id_token_names,
                                                                     grant.acr), client_scopes=scopes)
    # The data-sharing log's entry: it commits with the grant, before anything is signed or
    # sent (no log entry, no tokens).
    logged, _appended = release_writes(event="release.id_token", citizen_id=citizen_text,
                                       client_id=client_id, claims=("sub", *released), now=moment,
                                       consent=consent)
    counts = sign_in_counts(client_id=client_id, grant=grant, first=first, now=moment,
                            acr_uris=provider.settings.acr_uris)
    return _Exchange(grant=grant, writes=writes + logged, counts=counts, refresh=refresh, released=released)


def _check_standing(citizen: Citizen | None, consent: Any, moment: datetime, metadata: Mapping[str, Any]) -> None:
    """The state a code depends on, now (not when it was issued): the citizen's account and
    the citizen's decision for this agency (withdrawn or expired since, or given for another
    purpose than the agency declares now, it wins)."""
    if citizen is None or standing.account_closed(citizen):
        raise InvalidGrant("the citizen of this authorization no longer has an account")
    refused = standing.refusal(consent, moment, metadata)
    if refused is not None:
        if refused == standing.OTHER_PURPOSE:
            raise InvalidGrant(standing.PURPOSE_CHANGED)
        raise InvalidGrant("the citizen withdrew this agency's access (or the consent expired) after "
                           "this code was issued")


# What a code not found under the key of the request's values may be (they are not told apart:
# the key is all the store knows).
CODE_NOT_FOUND = ("the authorization code is not valid for this request: it has expired, was already used, "
                  "or was issued to another client, for another redirect_uri or for another code_challenge "
                  "(code_verifier)")


def exchange_code(database: Database, store: EphemeralStore, provider: Provider, *, client: Client,
                  code: str | None, redirect_uri: str | None, code_verifier: str | None,
                  now: int, jkt: str | None = None, resource: str | None = None,
                  group: GroupCommit | None = None, guard: TakeGuard | None = None) -> TokenResponse:
    """RFC 6749 section 4.1.3 with RFC 7636 section 4.6: redeem a code, once; `jkt` the key of
    the request's DPoP proof (RFC 9449 section 10: it must be the code's `dpop_jkt`, if any).

    The grant, its refresh token and the log entry commit in one transaction before anything
    is signed: through `group` (the group commit) when every read is kept per process and
    nothing is fixed for the first time, else in a transaction of the request's own. `guard`:
    the code is taken only if it holds (else `infra.store.GuardRefused`, nothing taken)."""
    if not code:
        raise InvalidGrant("code is required", error="invalid_request")
    if not redirect_uri:
        # invalid_grant, as a code_verifier that is missing (and as before: a wrong redirect_uri is).
        raise InvalidGrant("redirect_uri is required: the one of the authorization request (RFC 6749 "
                           "section 4.1.3)")
    # A missing or malformed code_verifier is refused as such; a well-formed one is part of the
    # key the code is found under (`codes.redeem`), with the client and the redirect URI: a
    # request that lacks any of them takes nothing (a leaked code cannot be burnt).
    challenge = pkce.challenge_of(code_verifier)
    known = _KnownClient.of(client)
    client_id = known.client_id
    settings = provider.settings
    # On a networked store with sessions, the code is taken (and its replay mark left) with the
    # cache generation and its SSO session's index and record: one round trip.
    if resource is not None:
        # RFC 8707 section 2.2: a target refused (invalid_target) is an error of this request, not
        # of the code: decided before the code is taken, so the corrected request still redeems it.
        resources.check_code_target(database, codes.peek(store, code, client_id=client_id, redirect_uri=redirect_uri,
                                                         challenge=challenge, jkt=jkt),
                                    resource=resource, client_id=client_id, issuer=settings.issuer,
                                    held=standing.held_scopes(str(known.metadata.get("scope", ""))))
    together = provider.sessions is not None and provider.reads_together(store)
    if together:
        redemption = codes.redeem(store, code, client_id=client_id, redirect_uri=redirect_uri, challenge=challenge,
                                  replay_ttl=settings.code_replay_seconds, read=[GENERATION_KEY], jkt=jkt,
                                  session_chain=(records.BY_SID, records.RECORD), guard=guard,
                                  targeted=resource is not None)
    else:
        redemption = codes.redeem(store, code, client_id=client_id, redirect_uri=redirect_uri, challenge=challenge,
                                  replay_ttl=settings.code_replay_seconds, guard=guard, jkt=jkt,
                                  targeted=resource is not None)
    moment = at_second(now)
    if redemption.replayed_grant_id is not None:
        with database.transaction() as session:
            revoke_grant(session, redemption.replayed_grant_id, reason="code_reuse", now=moment)
        raise InvalidGrant("the authorization code was already used; the tokens issued for it "
                           "are revoked (RFC 6749 section 4.1.2)")
    granted = redemption.grant
    # Found under its key, the code is this client's, for this redirect URI, verifier and DPoP key
    # (a proof of another key, or none, found nothing and took nothing: `codes.redeem`).
    if redemption.bound or (granted is not None and granted.dpop_jkt not in (None, jkt)):
        raise DpopError("the authorization code is bound to another DPoP key (dpop_jkt, RFC 9449 section 10)")
    if granted is None:
        if redemption.several:
            # RFC 8707 section 2.2: no default among the APIs the citizen allowed (which one the
            # token is for is the agency's to say); the code is not taken (`codes.redeem`).
            raise resources.InvalidTarget(resources.SEVERAL_AUTHORIZED)
        raise InvalidGrant(CODE_NOT_FOUND)
    # The state the code depends on, now (not when it was issued): the sign-in it came from ...
    sessions_store = store
    if together:
        # Read with the code (before the rows, `infra.invalidation`); "0" when there is none yet.
        generation_read, index, record = redemption.read
        generation = generation_read or b"0"
        sessions_store = provider.session_read(store, granted.sid, index, record)
    elif store.shared and provider.sessions is not None:
        # ... read with the cache generation (one round trip; read before the rows,
        # `infra.invalidation`).
        generation, _none, sessions_store = provider.read_with_generation(store, [], sid=granted.sid)
    else:
        generation = b""
    if not standing.session_alive(sessions_store, provider.sessions, sid=granted.sid,
                                  citizen_id=granted.citizen_id, now=float(now)):
        raise InvalidGrant("the citizen signed out (or the session ended) after this code was issued; "
                           "start a new authorization request")
    citizen_id = uuid.UUID(granted.citizen_id)
    # ... its passkey's model, reported since? and a wallet sign-in's PID, for the grant to keep.
    pid = held.at_exchange(database, provider.settings.acr_uris, provider.sessions, sessions_store, granted, now=now)
    citizen_text = uuid_text(citizen_id, granted.citizen_id)
    if sessions_store is store:
        generation = provider.generation()  # read before the rows (`infra.invalidation`)
    kept = provider.citizens.get(citizen_id, generation)
    decision_key = (citizen_text, client_id)
    consent = provider.decisions.get(decision_key, generation)
    fixed = sector = client.sector
    if (group is not None and kept is not None and consent is not None and sector is not None
            and citizen_id in provider.granted_citizens
            and subjects.recorded(client, sector, citizen_id, kind=known.subject_type)):
        # Everything to read is kept and nothing is fixed for the first time: the grant, its
        # refresh token and the log entry are plain appends, committed together with those of
        # concurrent requests (`infra.group_commit`), each request waiting for it.
        citizen = kept
        _check_standing(citizen, consent, moment, known.metadata)
        exchange = _exchange_writes(provider, client=client, granted=granted, citizen=citizen, consent=consent, jkt=jkt,
                                    first=False, moment=moment, citizen_text=citizen_text, known=known, pid=pid)
        if not granted.resources and (resource is None or resource == settings.issuer):
            target = None  # the usual token, for the provider itself (what `resources.audience` says)
        else:
            with database.lazy_read() as reader:  # a registered resource is read
                target = resources.audience(reader, resource=resource, client_id=client_id,
                                            scopes=exchange.grant.scopes, issuer=settings.issuer,
                                            authorized=list(granted.resources))
        group.commit(exchange.writes)
        # The counts, once the grant committed: within a second, added up with those of other
        # requests (`infra.deferred_counts`), not an UPSERT in every request's transaction.
        group.count_soon(exchange.counts)
    else:
        with database.transaction() as session:
            citizen = kept if kept is not None else session.get(Citizen, citizen_id)
            # ... and the citizen's decision for this agency: withdrawn or narrowed since, it
            # wins (kept per process under the generation, as at /authorize: a change bumps it).
            if consent is None and citizen is not None:
                consent = standing.newest_decision(session, citizen_id=citizen_id, client_id=client_id)
                if consent is not None:
                    provider.decisions.put(decision_key, consent, generation)
            _check_standing(citizen, consent, moment, known.metadata)
            assert citizen is not None and consent is not None  # checked just above
            sector = freeze_sector(session, client)  # OIDC Core 8.1: fixed from the first grant on
            subjects.record(session, provider, client=client, sector=sector, citizen_id=citizen.id)
            first = (citizen.id not in provider.granted_citizens and session.execute(
                _EARLIER_GRANT, {"citizen": citizen.id, "grant": uuid.UUID(granted.grant_id)}).first() is None)
            exchange = _exchange_writes(provider, client=client, granted=granted, citizen=citizen,
                                        consent=consent, jkt=jkt, first=first, moment=moment,
                                        citizen_text=citizen_text, known=known, pid=pid)
            target = resources.audience(session, resource=resource, client_id=client_id,
                                        scopes=exchange.grant.scopes, issuer=settings.issuer,
                                        authorized=list(granted.resources))
            # Table statements built once, no unit of work, on the transaction's one connection:
            # the grant, its refresh token, the log entry, then the counts. One transaction.
            connection = session.connection()
            for write in exchange.writes:
                connection.execute(write.statement, write.values)
            add_up(connection, exchange.counts)
    grant, refresh, extra = exchange.grant, exchange.refresh, exchange.released
    _granted(provider, citizen_id)  # the citizen's id (`citizen.id` is a mapped attribute's read: issue 16)
    if use_due(consent.last_used_at, moment):  # noted by the release above (a cache-neutral write)
        provider.decisions.put(decision_key, replace(consent, last_used_at=moment), generation)
    if kept is None:  # detached by the commit: shared read-only from now on
        provider.citizens.put(citizen_id, citizen, generation)
    if fixed is None:
        provider.clients.forget(client_id)  # its sector is fixed now: read it again
    # Signed after the commit: no transaction stays open while `keys/` signs.
    response = mint(provider, client=client, grant=grant, citizen=citizen,
                    scopes=target.scopes if target else grant.scopes, nonce=granted.nonce, refresh_token=refresh,
                    now=now, sector=sector, jkt=jkt, audience=target, extra=extra, logged=True,
                    texts=(citizen_text, uuid_text(grant.id, granted.grant_id)), known=known,
                    auth_time=int(granted.auth_time))
    # The session again (a sign-out since the check above: its logout may not see the grant).
    settled = codes.settled(store, granted, settings.acr_levels,
                            session_key=None if provider.sessions is None else records.BY_SID + granted.sid)
    if settled is None and not standing.restricted_still_held(database, grant):
        settled = codes.WITHDRAWN  # an operator took national_id away (or the citizen the claim) meanwhile
    if settled is not None:
        # Presented again, withdrawn or lowered meanwhile (perhaps before the grant could be seen): nothing may live.
        reason, refused = codes.refusal(settled)
        with database.transaction() as session:
            revoke_grant(session, granted.grant_id, reason=reason, now=moment)
        raise InvalidGrant(refused)
    return response
