"""Re-authentication (prompt=login, max_age, a step-up) asked by an agency for the citizen
signed in to the browser: if someone signs in there with another citizen's passkey, the
provider neither issues for that other citizen (OIDC Core 3.1.2.1: with id_token_hint, or a
`sub` asked for in `claims`, only that subject) nor silently replaces the browser's session
(which would sign the first citizen out of every other agency, back-channel logout, and sign
the other one in to them). The sign-in is refused and says what to do (Keycloak: "You are
already authenticated as a different user"); the first citizen's session stays as it was."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from tests.idp.conftest import another_citizen, sign_in
from tests.idp.logout.test_reauth import the_session
from tests.idp.oidc.conftest import Flow, authorize_url, claims_of, exchange, redirect_params, tokens_for


def _continue_path(location: str) -> str:
    return unquote(location.split("next=")[1].rsplit("&reauth=1", 1)[0])


@pytest.mark.parametrize("params", [{"prompt": "login"}, {"max_age": "0"}, {"prompt": "login", "hint": True},
                                    {"prompt": "login", "claims_sub": True}])
def test_another_citizens_passkey_at_reauthentication_is_refused(oidc_app, client, register, citizen, params):
    agency = register()
    id_token = tokens_for(client, agency)["id_token"]
    token_before, before = the_session(client)
    query = {k: v for k, v in params.items() if k not in ("hint", "claims_sub")}
    if params.get("hint"):
        query["id_token_hint"] = id_token
    if params.get("claims_sub"):
        query["claims"] = json.dumps({"id_token": {"sub": {"value": claims_of(id_token)["sub"]}}})
    flow = Flow()
    location = client.get(authorize_url(agency, flow, **query)).headers["Location"]
    assert location.startswith("/login?next=") and location.endswith("&reauth=1")

    _browser, other = another_citizen(oidc_app)
    refused = sign_in(client, other.key)
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["error"] == "account_mismatch"
    assert "cierre la sesión" in body["error_description"]
    # The first citizen's session is untouched: same sid, same cookie, same sign-in time.
    token_after, after = the_session(client)
    assert token_after == token_before and after.sid == before.sid and after.auth_time == before.auth_time
    assert after.citizen_id == citizen.citizen_id

    # The request still waits for the citizen's own passkey, then goes on for them.
    again = client.get(_continue_path(location))
    assert again.status_code == 302 and again.headers["Location"].startswith("/login?")
    assert sign_in(client, citizen.key).status_code == 200
    result = redirect_params(client.get(_continue_path(location)), agency)
    issued = claims_of(exchange(client, agency, result["code"], flow).get_json()["id_token"])
    assert issued["sub"] == claims_of(id_token)["sub"]


def test_the_refusal_is_said_in_english_too(oidc_app, client, register, citizen):
    tokens_for(client, register())
    _browser, other = another_citizen(oidc_app)
    client.set_cookie("lang", "en")
    refused = sign_in(client, other.key)
    assert refused.status_code == 409 and "sign out" in refused.get_json()["error_description"]
