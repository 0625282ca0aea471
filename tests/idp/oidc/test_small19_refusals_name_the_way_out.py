"""Refusals at /token and /authorize say what the agency should do next (review, small19).

A refresh token the provider does not know (expired and purged, rotated, revoked, never issued)
or one of another client was refused with "the refresh token is not valid", and prompt=none
without a signed-in citizen with "the citizen is not signed in": true, but neither told the
agency's developer the way out. Now the first says to start a new authorization request and why
the token may no longer work; the second to send the citizen to /authorize without prompt=none,
so they can sign in. Both refusals stay the same whoever's token it is (no oracle)."""

from __future__ import annotations

from tests.idp.conftest import csrf
from tests.idp.oidc.conftest import Flow, authorize_url, redirect_params, token_request, tokens_for


def test_an_unknown_refresh_token_says_to_start_a_new_authorization_request(client, register, citizen):
    agency = register(scope="openid profile offline_access")
    other = register(scope="openid profile offline_access")
    issued = tokens_for(client, agency, scope="openid profile offline_access")
    for presented, by in (("not-a-token-we-issued", agency), (issued["refresh_token"], other)):
        refused = token_request(client, by, {"grant_type": "refresh_token", "refresh_token": presented})
        assert refused.status_code == 400
        body = refused.get_json()
        assert body["error"] == "invalid_grant"
        description = body["error_description"]
        assert "start a new authorization request" in description, description
        for reason in ("expired", "rotated", "revoked"):
            assert reason in description, description
    assert token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": "x"}).get_json() \
        == token_request(client, other, {"grant_type": "refresh_token",
                                         "refresh_token": issued["refresh_token"]}).get_json()


def test_prompt_none_without_a_session_says_to_authorize_without_it(client, register, citizen):
    agency = register()
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    none = client.get(authorize_url(agency, Flow(state="s1"), prompt="none"))
    params = redirect_params(none, agency)
    assert params["error"] == "login_required"
    assert "/authorize without prompt=none" in params["error_description"], params
    assert "sign in" in params["error_description"], params
