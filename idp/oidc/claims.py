"""Scopes, claims and the `claims` request parameter (OIDC Core 1.0 sections 5.4 and 5.5).

Scope claims are released at the UserInfo endpoint (section 5.4: an access token is issued);
claims asked for with the `claims` parameter go where they were asked for (ID token or
UserInfo). `national_id` is released only to clients an operator granted the scope.

A grant's claims document is the request as the citizen allowed it: claims they did not allow
are removed, and `granted` lists every claim name allowed. Nothing outside `granted` is ever
released, whatever the scopes say.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from idp.assurance.levels import rank
from idp.oidc.errors import AuthorizationError
from infra.web.jsonapi import DuplicateMember, has_lone_surrogate, unique_members

SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("given_name", "family_name", "birthdate"),
    "email": ("email", "email_verified"),
    "national_id": ("national_id",),
}
# Claims about the citizen (what a consent page lists and UserInfo can return).
CITIZEN_CLAIMS = ("given_name", "family_name", "birthdate", "email", "email_verified", "national_id")
# Claims about the authentication event, only in the ID token.
SESSION_CLAIMS = ("acr", "amr", "auth_time", "sid")
SUPPORTED = ("sub", "iss", "aud", "exp", "iat", *SESSION_CLAIMS, "nonce", "at_hash", *CITIZEN_CLAIMS)
RESTRICTED = {"national_id": "national_id"}  # claim -> the scope the client must be granted
TARGETS = ("id_token", "userinfo")
GRANTED = "granted"  # member of a grant's claims document: the claim names the citizen allowed
# Member of a wallet sign-in grant's claims document (never released): the expiry and status
# reference of the PID its session presented (`SsoSession.pid`), kept at the exchange so that a
# refresh judges it once the session is gone (`idp.oidc.held.kept_pid`).
PID = "pid"
OFFLINE = "offline_access"  # the permission to keep access while the citizen is away


@dataclass(frozen=True)
class ClaimRequest:
    """One claim asked for with the `claims` parameter (OIDC Core 5.5.1)."""

    essential: bool = False
    value: Any = None
    values: tuple[Any, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.essential:
            body["essential"] = True
        if self.value is not None:
            body["value"] = self.value
        if self.values:
            body["values"] = list(self.values)
        return body


ClaimsRequest = dict[str, dict[str, ClaimRequest]]


def parse(raw: str | None) -> ClaimsRequest:
    """OIDC Core 5.5: the `claims` request parameter, a JSON object with id_token / userinfo."""
    if not raw:
        return {}
    try:
        document = json.loads(raw, object_pairs_hook=unique_members)
    except DuplicateMember as exc:
        raise AuthorizationError(f"claims names the member {exc.name!r} twice in one object; name "
                                 "each once (RFC 7493 section 2.3)") from None
    except (ValueError, RecursionError):
        raise AuthorizationError("claims is not valid JSON (OIDC Core 1.0 section 5.5)") from None
    if has_lone_surrogate(document):  # JSON's "\\ud800" escape: no text, no answer can carry it
        raise AuthorizationError("claims holds a lone surrogate (\\ud800 to \\udfff), which is not text")
    return _parsed(document)


def _parsed(document: Any) -> ClaimsRequest:
    """`parse` of a JSON value already decoded."""
    if not isinstance(document, dict):
        raise AuthorizationError("claims must be a JSON object with id_token and/or userinfo members")
    parsed: ClaimsRequest = {}
    for target in TARGETS:
        members = document.get(target)
        if members is None:
            continue
        if not isinstance(members, dict):
            raise AuthorizationError(f"claims.{target} must be a JSON object")
        requests: dict[str, ClaimRequest] = {}
        for name, spec in members.items():
            if name not in SUPPORTED:
                continue  # section 5.5: claims the OP does not understand are ignored
            if spec is None:
                requests[name] = ClaimRequest()
                continue
            if not isinstance(spec, dict):
                raise AuthorizationError(f"claims.{target}.{name} must be null or a JSON object")
            essential = spec.get("essential", False)
            values = spec.get("values", [])
            if not isinstance(essential, bool) or not isinstance(values, list):
                raise AuthorizationError(f"claims.{target}.{name}: essential must be a boolean and "
                                         "values an array")
            requests[name] = ClaimRequest(essential=essential, value=spec.get("value"),
                                          values=tuple(values))
        parsed[target] = requests
    return parsed


def restrict(request: ClaimsRequest, scopes: Iterable[str]) -> ClaimsRequest:
    """Drop restricted claims whose scope is not requested (and so not registered) too."""
    granted = set(scopes)
    return {target: {name: spec for name, spec in members.items() if allowed(name, granted)}
            for target, members in request.items()}


def dump(request: ClaimsRequest) -> dict[str, Any]:
    return {target: {name: spec.to_json() or None for name, spec in members.items()}
            for target, members in request.items()}


def load(document: Mapping[str, Any] | None) -> ClaimsRequest:
    """`parse` of a stored claims document (a grant's or a code's: JSON-decoded already, so
    read as it is, without encoding it again; issue 16)."""
    if not document:
        return {}
    if not _json_native(document):
        return parse(json.dumps(document))  # what JSON would make of it
    return _parsed(document)


def _json_native(value: Any) -> bool:
    """True if `value` is what `json.loads` could have returned (dicts with str keys, lists,
    str, int, float, bool, None): encoding and decoding it would give it back unchanged."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_native(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_native(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def allowed(name: str, client_scopes: Iterable[str]) -> bool:
    """A restricted claim goes only to clients whose registered scope includes its scope."""
    scope = RESTRICTED.get(name)
    return scope is None or scope in set(client_scopes)


def requested_citizen_claims(*, scopes: Iterable[str], claims: ClaimsRequest,
                             client_scopes: Iterable[str]) -> list[str]:
    """Every citizen claim this request may release (for the page that asks the citizen)."""
    client_scopes = set(client_scopes)
    names: dict[str, None] = {}
    for scope in scopes:
        for name in SCOPE_CLAIMS.get(scope, ()):
            names[name] = None
    for members in claims.values():
        for name in members:
            names[name] = None
    return [n for n in CITIZEN_CLAIMS if n in names and allowed(n, client_scopes)]


def essential_names(claims: ClaimsRequest) -> frozenset[str]:
    """OIDC Core 5.5.1: the citizen claims marked essential (the agency cannot work without)."""
    return frozenset(name for members in claims.values() for name, spec in members.items()
                     if spec.essential and name in CITIZEN_CLAIMS)


def granted_names(document: Mapping[str, Any] | None) -> frozenset[str]:
    """The claim names a grant's citizen allowed (empty when none are recorded)."""
    names = (document or {}).get(GRANTED)
    if not isinstance(names, list):
        return frozenset()
    return frozenset(name for name in names if isinstance(name, str))


def as_granted(*, claims: ClaimsRequest, scopes: Iterable[str],
               granted: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """The claims document and scopes of a grant: only what the citizen allowed.

    Scopes none of whose claims were allowed are dropped (RFC 6749 section 3.3: the token
    response then tells the client the narrower scope), and so is offline_access if refused.
    """
    allowed = set(granted)
    filtered = {target: {name: spec for name, spec in members.items()
                         if name not in CITIZEN_CLAIMS or name in allowed}
                for target, members in claims.items()}
    document = dump(filtered)
    document[GRANTED] = sorted(allowed)
    kept = []
    for scope in scopes:
        if scope == OFFLINE and OFFLINE not in allowed:
            continue
        members = [n for n in SCOPE_CLAIMS.get(scope, ()) if n != "sub"]
        if members and not any(name in allowed for name in members):
            continue
        kept.append(scope)
    return document, kept


def essential_acr(claims: ClaimsRequest) -> tuple[list[str], bool]:
    """The acr values asked for in the claims parameter and whether they are essential."""
    spec = claims.get("id_token", {}).get("acr")
    if spec is None:
        return [], False
    values = [spec.value] if spec.value is not None else [v for v in spec.values if isinstance(v, str)]
    return [v for v in values if isinstance(v, str)], spec.essential


def citizen_value(citizen: Any, name: str) -> Any:
    """The value of a citizen claim in its JSON form (OIDC Core 5.1: birthdate YYYY-MM-DD)."""
    if name == "email_verified":
        return bool(getattr(citizen, "email_verified", False))
    value = getattr(citizen, name, None)
    if isinstance(value, date):
        return value.isoformat()
    return value


def release(*, citizen: Any, names: Iterable[str], client_scopes: Iterable[str]) -> dict[str, Any]:
    """The claims with values, restricted ones only for clients granted them; empty ones left out."""
    client_scopes = list(client_scopes)
    released: dict[str, Any] = {}
    for name in names:
        if name in CITIZEN_CLAIMS and allowed(name, client_scopes):
            value = citizen_value(citizen, name)
            if value is not None and value != "":
                released[name] = value
    return released


def userinfo_names(*, scopes: Iterable[str], claims: ClaimsRequest) -> list[str]:
    """OIDC Core 5.4 and 5.5: the scope claims plus those asked for in claims.userinfo."""
    names: dict[str, None] = {}
    for scope in scopes:
        for name in SCOPE_CLAIMS.get(scope, ()):
            names[name] = None
    for name in claims.get("userinfo", {}):
        names[name] = None
    return list(names)


def at_level(names: Iterable[str], *, acr: str, acr_uris: Mapping[str, str], national_id_level: str) -> list[str]:
    """`names` without national_id when the sign-in (`acr`) is below `national_id_level`: what
    UserInfo refuses below that level (RFC 9470) no ID token carries either."""
    names = list(names)
    if "national_id" not in names:
        return names
    by_uri = {uri: level for level, uri in acr_uris.items()}
    if rank(by_uri.get(acr, "low")) >= rank(national_id_level):
        return names
    return [name for name in names if name != "national_id"]


def id_token_names(claims: ClaimsRequest) -> list[str]:
    """OIDC Core 5.5: citizen claims asked for in claims.id_token."""
    return [name for name in claims.get("id_token", {}) if name in CITIZEN_CLAIMS]
