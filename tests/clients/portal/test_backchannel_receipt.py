"""The demo portal's back-channel logout endpoint as Cédula reaches it (OIDC Back-Channel
Logout 1.0 section 2.8): a valid logout token ends the portal's sessions of its `sid` and is
answered 200; an invalid one is 400 with a JSON error and ends nothing; neither answer may be
stored by a cache (`Cache-Control: no-store`). Only the validation was tested, not the endpoint."""

from __future__ import annotations

import time

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from clients.portal.component import get_portal
from clients.portal.logout_token import EVENT
from tests.clients.portal.test_pages import ISSUER, LOW, _signed_in
from tests.clients.portal.test_pages import portal as portal  # the fixture

KEY = ECKey.generate_key("P-256", parameters={"kid": "cedula-1"})


def _logout_token(sid: str) -> str:
    now = int(time.time())
    return jwt.encode({"alg": "ES256", "kid": "cedula-1", "typ": "logout+jwt"},
                      {"iss": ISSUER, "aud": "registro", "iat": now, "exp": now + 120, "jti": f"j{time.time_ns()}",
                       "events": {EVENT: {}}, "sid": sid}, KEY)


def test_a_logout_token_ends_the_session_and_neither_answer_is_stored(portal, monkeypatch):
    monkeypatch.setattr(get_portal(portal).keys, "_fetch", lambda: KeySet([KEY]))
    browser = portal.test_client()
    _signed_in(portal, browser, acr=LOW)
    refused = portal.test_client().post("/backchannel-logout", data={"logout_token": "not-a-jwt"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_request"
    assert refused.headers["Cache-Control"] == "no-store"
    assert "Rosa" in browser.get("/").get_data(as_text=True)  # still signed in
    ended = portal.test_client().post("/backchannel-logout", data={"logout_token": _logout_token("sid-1")})
    assert ended.status_code == 200 and ended.headers["Cache-Control"] == "no-store"
    assert "Rosa" not in browser.get("/").get_data(as_text=True)
