"""The demo portal validates logout tokens as OIDC Back-Channel Logout 1.0 section 2.6 requires."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey

from clients.portal.logout_token import EVENT, LogoutTokenError, ProviderKeys, ReplayCache, validate_logout_token

ISSUER = "http://localhost:8000"
CLIENT = "registro-civil"
KEY = ECKey.generate_key("P-256", parameters={"kid": "k1"})


class StaticKeys(ProviderKeys):
    def __init__(self, key_set):
        super().__init__(lambda: "unused")
        self._key_set = key_set

    def _fetch(self):
        return self._key_set


def token(key=KEY, alg="ES256", typ="logout+jwt", **overrides):
    claims = {"iss": ISSUER, "aud": CLIENT, "iat": int(time.time()), "exp": int(time.time()) + 120,
              "jti": f"j{time.time_ns()}",
              "events": {EVENT: {}}, "sid": "s1", "sub": "u1"}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": alg, "kid": "k1", "typ": typ}, claims, key)


def validate(value):
    return validate_logout_token(value, keys=StaticKeys(KeySet([KEY])), issuer=ISSUER, client_id=CLIENT,
                                 replay=ReplayCache())


def test_a_valid_logout_token():
    result = validate(token())
    assert (result.sid, result.sub) == ("s1", "u1")


@pytest.mark.parametrize("overrides,message", [
    ({"iss": "http://evil"}, "iss"),
    ({"aud": "other-client"}, "aud"),
    ({"iat": int(time.time()) - 3600}, "iat"),
    ({"events": {"other": {}}}, "events"),
    ({"nonce": "n"}, "nonce"),
    ({"sid": None, "sub": None}, "neither sid nor sub"),
    ({"jti": None}, "jti"),
    ({"exp": None}, "exp"),
    ({"exp": "tomorrow"}, "exp"),
])
def test_broken_rules_are_refused(overrides, message):
    with pytest.raises(LogoutTokenError, match=message):
        validate(token(**overrides))


def test_an_expired_token_recent_by_its_iat_is_refused():
    """Section 2.6 step 3 validates `exp` as for an ID token (a required claim, section 2.4):
    an expired token, recent enough by its `iat`, was accepted (after a restart emptied the
    replay cache, a captured one ended the citizen's session again). The times are taken when
    the test runs, not when it is collected."""
    now = int(time.time())
    with pytest.raises(LogoutTokenError, match="exp"):
        validate(token(iat=now - 200, exp=now - 80))


def test_another_key_and_hs256_are_refused():
    other = ECKey.generate_key("P-256", parameters={"kid": "k1"})
    with pytest.raises(LogoutTokenError, match="signature"):
        validate(token(key=other))
    with pytest.raises(LogoutTokenError):
        validate(token(key=OctKey.generate_key(256), alg="HS256"))


def test_replay_is_refused():
    replay, keys = ReplayCache(), StaticKeys(KeySet([KEY]))
    value = token()
    validate_logout_token(value, keys=keys, issuer=ISSUER, client_id=CLIENT, replay=replay)
    with pytest.raises(LogoutTokenError, match="already used"):
        validate_logout_token(value, keys=keys, issuer=ISSUER, client_id=CLIENT, replay=replay)
