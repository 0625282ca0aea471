"""Validating logout tokens, as a relying party must (OIDC Back-Channel Logout 1.0, section 2.6)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from infra.jose import unverified

EVENT = "http://schemas.openid.net/event/backchannel-logout"
ALGORITHMS = ("ES256", "RS256")


class LogoutTokenError(ValueError):
    """The logout token is not valid; the message says which rule it broke."""


@dataclass(frozen=True)
class LogoutRequest:
    sid: str | None
    sub: str | None
    jti: str


class ProviderKeys:
    """The provider's JWKS, fetched once and again only for an unknown key id."""

    def __init__(self, jwks_uri: Callable[[], str]) -> None:
        self.jwks_uri = jwks_uri
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._fetched = 0.0

    def _fetch(self) -> KeySet:
        response = requests.get(self.jwks_uri(), timeout=5)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())

    def keys(self, kid: str | None) -> KeySet:
        with self._lock:
            known = self._keys is not None and (kid is None or any(k.kid == kid for k in self._keys.keys))
            # Refetch for an unknown kid, at most every 10 seconds (no fetch storms).
            if not known and time.time() - self._fetched > 10:
                self._keys = self._fetch()
                self._fetched = time.time()
            if self._keys is None:
                raise LogoutTokenError("the provider's keys are not available")
            return self._keys


class ReplayCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}

    def first_use(self, jti: str, ttl: float = 600) -> bool:
        now = time.time()
        with self._lock:
            self._seen = {k: exp for k, exp in self._seen.items() if exp > now}
            if jti in self._seen:
                return False
            self._seen[jti] = now + ttl
            return True


def _kid(token: str) -> str | None:
    try:
        kid = unverified(token).header.get("kid")  # which of the provider's keys to check it with
    except JoseError:
        raise LogoutTokenError("not a compact JWS") from None
    return kid if isinstance(kid, str) else None


def validate_logout_token(token: str, *, keys: ProviderKeys, issuer: str, client_id: str,
                          replay: ReplayCache, max_age: int = 300, leeway: int = 30) -> LogoutRequest:
    """Section 2.6, steps 1 to 8, in order (`leeway`: seconds of clock skew allowed on `exp`)."""
    try:
        decoded = jwt.decode(token, keys.keys(_kid(token)), algorithms=list(ALGORITHMS))
    except (JoseError, ValueError) as exc:
        raise LogoutTokenError(f"signature or format not valid: {exc}") from None
    if decoded.header.get("typ") not in (None, "logout+jwt", "JWT"):
        raise LogoutTokenError(f"unexpected typ {decoded.header.get('typ')!r}")
    claims: dict[str, Any] = decoded.claims
    if claims.get("iss") != issuer:
        raise LogoutTokenError(f"iss is {claims.get('iss')!r}, expected {issuer!r}")
    audience = claims.get("aud")
    if client_id not in ([audience] if isinstance(audience, str) else (audience or [])):
        raise LogoutTokenError("aud does not name this portal")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or abs(time.time() - iat) > max_age:
        raise LogoutTokenError("iat is missing or too far from now")
    exp = claims.get("exp")  # required (section 2.4), validated as in an ID token (step 3)
    if isinstance(exp, bool) or not isinstance(exp, int | float) or exp + leeway < time.time():
        raise LogoutTokenError("exp is missing or in the past")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(EVENT), dict):
        raise LogoutTokenError("events does not contain the back-channel logout event")
    if "nonce" in claims:
        raise LogoutTokenError("a logout token must not contain a nonce")
    sid, sub = claims.get("sid"), claims.get("sub")
    if not sid and not sub:
        raise LogoutTokenError("neither sid nor sub is present")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise LogoutTokenError("jti is missing")
    if not replay.first_use(jti):
        raise LogoutTokenError("this logout token was already used")
    return LogoutRequest(sid=sid, sub=sub, jti=jti)
