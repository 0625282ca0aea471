"""The UserInfo endpoint's answer (OIDC Core 1.0 section 5.3): `sub` plus the claims of the
access token's scopes and of `claims.userinfo`, limited to what the citizen allowed the agency
(the grant's consented claims, cut down to the citizen's standing decision for the agency, which
may have narrowed since), restricted claims only for clients granted them. Every answer
is a release of personal data and is written to the citizen's data-sharing log (claim names,
never values) before it is given: the entry is committed through the group commit
(`infra.group_commit`, with the entries of concurrent requests) and `userinfo` returns only
once it is. The entry is written only while the consent is in force in the transaction that
commits it (`idp.consent.services.release_writes`): a withdrawal committed after the token was
checked (from a state kept per process) wins, and the request is answered invalid_token. HEAD
is refused (405, `idp.oidc.endpoints`): an answer without claims is no release to log. What the
token stands on is read in a read-only session (usually not at all: it is kept per process under
the cache generation, `idp.oidc.bearer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

from sqlalchemy.orm import Session

from idp.consent.errors import ConsentNotInForce
from idp.consent.services import release_writes
from idp.oidc import bearer
from idp.oidc import claims as claims_module
from idp.oidc.errors import InsufficientScope, InsufficientUserAuthentication, InvalidToken
from idp.oidc.services import Provider
from infra.group_commit import GroupCommit
from infra.store import EphemeralStore
from infra.utc import at_second
from infra.web.application import KeptJSON


@dataclass(frozen=True)
class Released:
    """UserInfo's answer, logged already, and the agency it went to."""

    body: Mapping[str, Any]  # shared between requests (`KeptJSON`): never changed
    client_id: str


def _check_level(provider: Provider, claims: Any, needed: str, *, what: str) -> None:
    """RFC 9470 section 3: refuse a token whose sign-in (its `acr`) is below `needed`."""
    from idp.assurance.levels import rank

    achieved = provider.settings.acr_levels.get(str(claims.get("acr", "")), "low")
    if rank(achieved) < rank(needed):
        raise InsufficientUserAuthentication(
            f"{what} is released only after a sign-in at level {needed}; ask again with acr_values",
            acr_values=provider.settings.acr_uris[needed])


def _release(token: bearer.AccessToken, scope: str) -> tuple[frozenset[str], Mapping[str, Any]]:
    """The claim names the token's scope and `claims.userinfo` ask for that the citizen
    allowed, and the values released for them. They follow from the grant, the citizen, the
    standing consent and the token's scope alone, so they are worked out once per state that
    `bearer.check` keeps (`TokenState.derived`), not on every request. `scope`: the token's."""
    derived = token.state.derived if token.state is not None else {}
    key = ("userinfo", scope)
    found = derived.get(key)
    if found is not None:
        return cast("tuple[frozenset[str], Mapping[str, Any]]", found)
    requested = claims_module.load(token.grant.claims)
    granted = claims_module.granted_names(token.grant.claims) & token.consent.claims
    # Restricted claims need their scope in this token's scope (a subset of the grant's): a
    # token narrowed at refresh (RFC 6749 section 6) or for an API no longer carries them, even
    # when the claims parameter asked for them (nor is a step-up asked for them).
    scopes = scope.split()
    names = [n for n in claims_module.userinfo_names(scopes=scopes, claims=requested)
             if n in granted and claims_module.allowed(n, scopes)]
    values = MappingProxyType(claims_module.release(citizen=token.citizen, names=names, client_scopes=scopes))
    found = derived[key] = (frozenset(names), values)
    return found


@dataclass(frozen=True)
class _Answer:
    """What UserInfo answers a token of one state, scope and subject: the names released, the
    JSON object (kept with its text, `KeptJSON`: written once, not on every request) and the
    names its log entry lists."""

    names: frozenset[str]
    body: KeptJSON
    logged: tuple[str, ...]


def _answer(token: bearer.AccessToken) -> _Answer:
    """`_release` and the answer's object, once per state (`TokenState.derived`), scope and
    subject; a token without the openid scope is refused first."""
    claims = token.claims
    scope = str(claims.get("scope", ""))
    sub = claims["sub"]
    derived = token.state.derived if token.state is not None else {}
    key = ("userinfo-answer", scope, sub)
    found = derived.get(key)
    if found is None:
        if "openid" not in scope.split():
            raise InsufficientScope("the access token does not carry the openid scope")
        names, values = _release(token, scope)
        body: dict[str, Any] = {"sub": sub}
        body.update(values)
        found = derived[key] = _Answer(names=names, body=KeptJSON(body), logged=tuple(body))
    return cast(_Answer, found)


def userinfo(session: Session, store: EphemeralStore, provider: Provider, group: GroupCommit, *,
             access_token: str, now: int, jkt: str | None = None) -> Released:
    """OIDC Core 5.3.2: the claims about the citizen, for a valid access token with openid.

    `session` is for reads; the release is logged through `group`, committed on return (no log
    entry, no data).
    """
    token = bearer.check(session, store, provider, access_token, now=now, jkt=jkt)
    answer = _answer(token)
    if "national_id" in answer.names:
        _check_level(provider, token.claims, provider.settings.national_id_level, what="national_id")
    moment = at_second(now)  # (the requests of one second share it, as the log's text of it)
    facts = token.facts or bearer.GrantFacts.of(token.grant, token.citizen)
    writes, _entry = release_writes(event="release.userinfo", citizen_id=facts.citizen_ref,
                                    client_id=facts.client_id, claims=answer.logged, now=moment,
                                    consent=token.consent)
    try:
        group.commit(writes)
    except ConsentNotInForce:
        # Withdrawn (or expired) after `bearer.check` read it in force, before the entry was
        # written: nothing was logged, nothing is given (as a withdrawal read in time answers).
        raise InvalidToken("the citizen withdrew this agency's access, or the consent expired") from None
    if len(writes) > 1:  # the consent's last use was noted too
        bearer.remember_use(provider, token, at=moment)
    return Released(body=answer.body, client_id=facts.client_id)
