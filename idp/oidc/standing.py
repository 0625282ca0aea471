"""What a grant still stands on when it is used: every code, refresh token and access token
is checked against the citizen's decisions at the moment it is redeemed or presented, not
only at the moment it was issued (issue 14, "grants outlive the citizen's decisions").

A grant depends on:
- the citizen's account (closed: nothing of it works any more);
- the citizen's standing consent for the agency (`idp.consent`: the newest decision, neither
  withdrawn nor expired). What a grant releases is what it was granted *and* what that
  decision still allows: narrowing the consent narrows every older grant at its next use,
  withdrawing it (or letting it expire) ends them; offline access ends with `offline_access`;
- for a grant without offline access, the SSO session it came from: once the citizen signs
  out (or the session ends), its code no longer redeems and its access tokens stop working.
  A grant with offline access outlives the session by design (OIDC Core 1.0 section 11).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session

from clients.registry.localized import DEFAULT_FALLBACKS, localized
from clients.registry.models import Client
from idp.citizens.models import is_closed
from idp.consent.models import Consent
from idp.oidc import claims as claims_module
from idp.sessions import records
from idp.sessions.records import SessionPolicy
from infra.db import Database
from infra.invalidation import GenerationCache
from infra.store import EphemeralStore
from infra.utc import as_utc
from infra.web.i18n import catalog
from keys.jose import encode_json


@dataclass(frozen=True)
class StandingConsent:
    """The citizen's standing decision for one agency, as the release path needs it."""

    id: uuid.UUID
    claims: frozenset[str]
    purpose: str | None
    legal_basis: str
    law: str | None
    last_used_at: datetime | None
    expires_at: datetime | None = None
    declined: frozenset[str] = frozenset()


# Built once: the newest decision that is neither superseded nor withdrawn (index on
# citizen_id, client_id).
_STANDING = (
    sa.select(Consent.id, Consent.claims, Consent.purpose, Consent.legal_basis, Consent.law,
              Consent.last_used_at, Consent.expires_at, Consent.declined)
    .where(Consent.citizen_id == sa.bindparam("citizen"), Consent.client_id == sa.bindparam("client"),
           Consent.superseded_at.is_(None), Consent.revoked_at.is_(None))
    .order_by(Consent.given_at.desc()).limit(1))


def newest_decision(session: Session, *, citizen_id: str | uuid.UUID, client_id: str) -> StandingConsent | None:
    """The newest decision neither superseded nor withdrawn, expired or not (one indexed read)."""
    row = session.execute(_STANDING, {"citizen": uuid.UUID(str(citizen_id)), "client": client_id}).first()
    if row is None:
        return None
    return StandingConsent(id=row.id, claims=frozenset(row.claims or ()), purpose=row.purpose,
                           legal_basis=row.legal_basis, law=row.law,
                           last_used_at=as_utc(row.last_used_at),
                           expires_at=as_utc(row.expires_at), declined=frozenset(row.declined or ()))


def kept_decision(database: Database, cache: GenerationCache[tuple[str, str], StandingConsent], *,
                  citizen_id: str, client_id: str, generation: bytes) -> StandingConsent | None:
    """`newest_decision`, from what this process keeps under the cache generation (no database
    session at all when it has it); only decisions found are kept."""
    key = (str(citizen_id), client_id)
    found = cache.get(key, generation)
    if found is None:
        with database.read() as session:
            found = newest_decision(session, citizen_id=citizen_id, client_id=client_id)
        if found is not None:
            cache.put(key, found, generation)
    return found


#: Why a decision does not hold (`refusal`): there is none in force (never given, withdrawn or
#: expired), or it was given for another purpose than the agency declares now.
NO_CONSENT = "consent"
OTHER_PURPOSE = "purpose"


def refusal(consent: StandingConsent | None, now: datetime, metadata: Mapping[str, Any]) -> str | None:
    """None while `consent` (the newest decision, `newest_decision`) is in force at `now` and
    for a purpose the agency still declares (`metadata`, its metadata now: `for_purpose`); else
    why not, NO_CONSENT or OTHER_PURPOSE. The one check of every release (code exchange,
    refresh, UserInfo, /authorize, the documents API)."""
    if consent is None:
        return NO_CONSENT
    expires = consent.expires_at
    if expires is not None and not expires > now:
        return NO_CONSENT
    return None if for_purpose(consent.purpose, metadata) else OTHER_PURPOSE


def for_purpose(purpose: str | None, metadata: Mapping[str, Any]) -> bool:
    """True while the agency still declares the purpose the decision was given for where
    citizens read it: the purpose a page shows in one of the provider's languages (as the
    consent page showed and kept it, `clients.registry.localized.localized`), or none when it
    shows none. An agency that declares another purpose (RFC 7592 lets it replace its
    metadata) must ask the citizen again: a consent is for an agency *and* a purpose. A text
    no page shows (under a language tag of no page, or untagged beside a variant for every
    language) answers nothing: kept there, the old purpose would stand for the new one."""
    plain = metadata.get("purpose")
    if not _tagged_purpose(metadata):
        # The usual case: the one untagged text every page shows (or none).
        return purpose == ((plain[:500] or None) if isinstance(plain, str) else None)
    return purpose in {(localized(metadata, "purpose", language) or "")[:500] or None
                       for language in _page_languages()}


_TAG = "purpose#"


def _tagged_purpose(metadata: Mapping[str, Any]) -> bool:
    """True when a member's name starts with `purpose#` (a language's variant). Asked on every
    release (UserInfo, /token, /authorize): the names are looked through at once, in C (one join,
    one search), and only a text holding `purpose#` somewhere is looked at name by name (issue 16:
    a generator over the dozen names was ~2% of a UserInfo request's Python calls)."""
    try:
        if _TAG not in "\n".join(metadata):
            return False
    except TypeError:  # a name that is not text (never in stored metadata): name by name
        pass
    return any(isinstance(key, str) and key.startswith(_TAG) for key in metadata)


def _page_languages() -> Sequence[str]:
    """The languages the provider's pages speak (the catalog's; its defaults outside an app)."""
    return catalog().languages if has_app_context() else DEFAULT_FALLBACKS


PURPOSE_CHANGED = ("the agency now declares another purpose than the one the citizen agreed to; sign "
                   "the citizen in again")


def account_closed(citizen: Any) -> bool:
    return is_closed(citizen)


def narrowed(*, claims: Mapping[str, Any], scopes: Iterable[str],
             allowed: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
    """A grant's claims document and scopes cut down to what the standing consent allows."""
    granted = claims_module.granted_names(claims) & allowed
    return claims_module.as_granted(claims=claims_module.load(claims), scopes=list(scopes), granted=granted)


@dataclass(frozen=True)
class NarrowedGrant:
    """`narrowed` of a code's grant, with the citizen claims its ID token asks for and may carry
    (what `idp.oidc.services.id_token_release` reads of the narrowed document)."""

    claims: dict[str, Any]  # shared by the grants of equal codes: read, never changed
    scopes: tuple[str, ...]
    id_token_names: tuple[str, ...]


# (a code's claims document as compact JSON, its scopes, the consent's claims) -> `narrowed_code`.
_NARROWED: dict[tuple[bytes, tuple[str, ...], frozenset[str]], NarrowedGrant] = {}
NARROWED_KEPT = 10_000


def narrowed_code(*, claims: dict[str, Any], scopes: Iterable[str], allowed: frozenset[str]) -> NarrowedGrant:
    """`narrowed` for a redeemed code's claims document (decoded JSON, so its JSON text is
    exactly what it holds), made once per distinct document, scopes and consent: the same
    codes are redeemed again and again (issue 16). The names are those `id_token_release`
    reads: asked for in claims.id_token and granted."""
    # The document's compact JSON (`keys.jose.encode_json`, its C encoder made once): the same
    # document, the same text; a cheaper key than `json.dumps`, which makes an encoder per call.
    key = (encode_json(claims), tuple(scopes), allowed)
    found = _NARROWED.get(key)
    if found is None:
        document, kept = narrowed(claims=claims, scopes=key[1], allowed=allowed)
        granted = claims_module.granted_names(document)
        names = tuple(n for n in claims_module.id_token_names(claims_module.load(document)) if n in granted)
        found = NarrowedGrant(claims=document, scopes=tuple(kept), id_token_names=names)
        if len(_NARROWED) >= NARROWED_KEPT:
            _NARROWED.clear()
        _NARROWED[key] = found
    return found


@lru_cache(maxsize=1024)
def held_scopes(registered: str) -> frozenset[str]:
    """The scopes of an agency's registered `scope` metadata (kept: the same few texts)."""
    return frozenset(registered.split())


def offline(scopes: Iterable[str]) -> bool:
    return claims_module.OFFLINE in set(scopes)


def session_alive(store: EphemeralStore, policy: SessionPolicy | None, *, sid: str, citizen_id: str,
                  now: float) -> bool:
    """True while the SSO session `sid` of this citizen lives (two store reads)."""
    if policy is None:
        return True
    session = records.by_sid(store, policy, sid, now)
    return session is not None and session.citizen_id == str(citizen_id)


def session_pid(store: EphemeralStore, policy: SessionPolicy | None, *, sid: str, citizen_id: str,
                now: float) -> str | None:
    """The PID a wallet sign-in's session `sid` of this citizen presented (`SsoSession.pid`);
    None without one, or once the session ended (two store reads)."""
    if policy is None:
        return None
    session = records.by_sid(store, policy, sid, now)
    return session.pid if session is not None and session.citizen_id == str(citizen_id) else None


def for_refresh(session: Session, grant: Any, citizen: Any, *, now: datetime,
                declared: Mapping[str, Any]) -> tuple[str | None, str, dict[str, Any], list[str]]:
    """What a refresh token of `grant` may still do: (refusal or None, the reason to revoke the
    grant for, the claims and scopes it may still use). `declared`: the agency's metadata now."""
    if account_closed(citizen):
        return "the citizen's account is closed", "account_closed", {}, []
    consent = newest_decision(session, citizen_id=grant.citizen_id, client_id=grant.client_id)
    refused = refusal(consent, now, declared)
    if refused is not None:
        if refused == OTHER_PURPOSE:
            return PURPOSE_CHANGED, "consent", {}, []
        return ("the citizen withdrew this agency's access, or the consent expired; sign the citizen in "
                "again", "consent", {}, [])
    assert consent is not None  # (refusal said so)
    claims, scopes = narrowed(claims=grant.claims, scopes=grant.scopes, allowed=consent.claims)
    # ... and what the agency holds now: a scope an operator took away (national_id) is no
    # longer refreshed, its claims no longer released (RFC 6749 section 6: never broader).
    registered = held_scopes(str(declared.get("scope", "")))
    held = [scope for scope in scopes if scope in registered]
    if offline(scopes) and not offline(held):
        return ("this portal no longer holds offline_access (an operator took it away); ask the operator, "
                "or sign the citizen in again without it", "consent", {}, [])
    scopes = held
    if not offline(scopes):
        return ("the citizen no longer allows this agency offline access; sign the citizen in again",
                "consent", {}, [])
    return None, "", claims, scopes


# Scopes an operator grants (claim -> scope: `claims.RESTRICTED`): what the agency holds of them
# is read in the transaction that releases them (`declared_now`, `restricted_still_held`).
_RESTRICTED_SCOPES = frozenset(claims_module.RESTRICTED.values())
_METADATA = sa.select(Client.client_metadata).where(Client.client_id == sa.bindparam("client"),
                                                    Client.enabled.is_(True))


def _restricted(scopes: Iterable[str]) -> bool:
    return not _RESTRICTED_SCOPES.isdisjoint(scopes)


def declared_now(session: Session, *, client_id: str, read: Mapping[str, Any],
                 scopes: Iterable[str]) -> Mapping[str, Any]:
    """The agency's metadata to judge a grant of `scopes` by: `read` (the row read before the
    transaction, perhaps cached), or, when the grant carries a scope an operator grants
    (national_id), the row as it is in `session` now: a scope taken away while the request ran
    is not released by it (no time of check before the time of use). Gone: no scope held."""
    if not _restricted(scopes):
        return read
    current = session.scalar(_METADATA, {"client": client_id})
    return current if isinstance(current, Mapping) else {}


def restricted_still_held(database: Database, grant: Any) -> bool:
    """For a grant just committed (a code exchange, whose writes may go through the group
    commit): False when it carries a scope an operator grants that the agency no longer holds,
    or a claim of one that the citizen's standing decision no longer allows, read after the
    commit: a change committed before this read, while the exchange judged what it had read
    before, is seen here (one committed after finds the grant, and narrows it at its next use)."""
    if not _restricted(grant.scopes):
        return True
    with database.read() as session:
        declared = declared_now(session, client_id=grant.client_id, read={}, scopes=grant.scopes)
        consent = newest_decision(session, citizen_id=grant.citizen_id, client_id=grant.client_id)
    held = held_scopes(str(declared.get("scope", "")))
    granted = claims_module.granted_names(grant.claims)
    for claim, scope in claims_module.RESTRICTED.items():
        if scope in grant.scopes and scope not in held:
            return False
        if claim in granted and (consent is None or claim not in consent.claims):
            return False
    return True
