"""Grants never outlive the citizen's decisions (issue 14): every code, refresh token and access
token is judged at redemption by the state it depends on now - the session, the standing
consent, the account, the client - not by the state when it was issued."""

from __future__ import annotations

import re

import pytest

from tests.idp.conftest import csrf, sign_in
from tests.idp.oidc.conftest import Flow, bearer, claims_of, exchange, get_code, token_request, tokens_for

OFFLINE = "openid profile email offline_access"


def withdraw(client, agency) -> None:
    confirmation = f"/account/agencies/revoke?client_id={agency.client_id}"
    answer = client.post("/account/agencies/revoke", data={"csrf_token": csrf(client, confirmation),
                                                           "client_id": agency.client_id})
    assert answer.status_code == 303 and answer.headers["Location"] == "/account/agencies?done=revoked"


def sign_out(client) -> None:
    assert client.post("/logout", data={"csrf_token": csrf(client, "/account")}).status_code == 303


def refused_grant(response, description: str) -> None:
    assert response.status_code == 400, response.get_json()
    assert response.get_json() == {"error": "invalid_grant", "error_description": description}


def introspect(client, agency, token: str):
    form, headers = agency.auth({"token": token})
    return client.post("/introspect", data=form, headers=headers)


def grants_of(app, agency) -> int:
    import sqlalchemy as sa

    from idp.oidc.models import Grant
    from infra.db import get_db

    with get_db(app).read() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Grant).where(Grant.client_id == agency.client_id))


def test_a_code_issued_before_the_consent_was_withdrawn_does_not_redeem(client, register, citizen):
    agency = register(scope=OFFLINE)
    code, flow = get_code(client, agency, scope=OFFLINE)
    withdraw(client, agency)
    refused_grant(exchange(client, agency, code, flow),
                  "the citizen withdrew this agency's access (or the consent expired) after this code was issued")
    assert grants_of(client.application, agency) == 0


def test_a_code_issued_before_sign_out_does_not_redeem(client, register, citizen):
    agency = register(scope=OFFLINE)
    code, flow = get_code(client, agency, scope=OFFLINE)
    sign_out(client)
    refused_grant(exchange(client, agency, code, flow),
                  "the citizen signed out (or the session ended) after this code was issued; start a new "
                  "authorization request")
    assert grants_of(client.application, agency) == 0


def test_a_code_issued_before_a_new_sign_in_replaced_the_session_does_not_redeem(client, register, citizen):
    agency = register()
    code, flow = get_code(client, agency)
    sign_out(client)
    assert sign_in(client, citizen.key).status_code == 200  # the same citizen, a new session
    assert exchange(client, agency, code, flow).get_json()["error"] == "invalid_grant"


def test_a_code_issued_before_the_account_was_closed_does_not_redeem(client, register, citizen):
    agency = register()
    code, flow = get_code(client, agency)
    html = client.get("/account/close").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/account/close", data={"csrf_token": token, "confirm": "close"}).status_code == 200
    assert exchange(client, agency, code, flow).get_json()["error"] == "invalid_grant"
    assert grants_of(client.application, agency) == 0


def narrow(client, agency, *, untick: set[str]) -> None:
    """The citizen answers the consent page again (prompt=consent), unticking some claims."""
    flow = Flow()
    from tests.idp.oidc.conftest import authorize_url

    page = client.get(authorize_url(agency, flow, scope=OFFLINE, prompt="consent"))
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    interaction = re.search(r'name="interaction" value="([^"]+)"', html).group(1)
    ticked = [c for c in re.findall(r'name="claim" value="([^"]+)" checked', html) if c not in untick]
    answer = client.post("/authorize/decision", data={"csrf_token": token, "interaction": interaction,
                                                      "decision": "allow", "claim": ticked})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]


def test_narrowing_the_consent_reaches_older_refresh_and_access_tokens(client, register, citizen):
    agency = register(scope=OFFLINE)
    old = tokens_for(client, agency, scope=OFFLINE)
    before = client.get("/userinfo", headers=bearer(old["access_token"])).get_json()
    assert before["email"] == "ana@example.sv" and before["given_name"] == "Ana María"
    narrow(client, agency, untick={"email", "email_verified"})
    # The older access token now releases only what the standing decision allows ...
    after = client.get("/userinfo", headers=bearer(old["access_token"])).get_json()
    assert "email" not in after and "email_verified" not in after and after["given_name"] == "Ana María"
    # ... and so does the older refresh token, in its scope, its ID token and its access token.
    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": old["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()
    body = refreshed.get_json()
    assert body["scope"].split() == ["openid", "profile", "offline_access"]
    assert "email" not in claims_of(body["id_token"])
    assert "email" not in client.get("/userinfo", headers=bearer(body["access_token"])).get_json()


def test_withdrawing_offline_access_ends_older_refresh_tokens(client, register, citizen):
    agency = register(scope=OFFLINE)
    old = tokens_for(client, agency, scope=OFFLINE)
    seen = introspect(client, agency, old["refresh_token"])
    assert seen.get_json()["active"] is True
    narrow(client, agency, untick={"offline_access"})
    seen = introspect(client, agency, old["refresh_token"])
    assert seen.get_json() == {"active": False}  # what /token would refuse, introspection says
    again = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": old["refresh_token"]})
    refused_grant(again, "the citizen no longer allows this agency offline access; sign the citizen in again")


def test_withdrawing_the_consent_ends_every_older_token(client, register, citizen):
    agency = register(scope=OFFLINE)
    old = tokens_for(client, agency, scope=OFFLINE)
    withdraw(client, agency)
    assert client.get("/userinfo", headers=bearer(old["access_token"])).status_code == 401
    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": old["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"


def test_an_online_grant_ends_with_its_session_an_offline_one_does_not(client, register, citizen):
    online = register(client_name="En línea")
    offline = register(client_name="Sin conexión", scope=OFFLINE)
    online_tokens = tokens_for(client, online)
    offline_tokens = tokens_for(client, offline, scope=OFFLINE)
    sign_out(client)
    gone = client.get("/userinfo", headers=bearer(online_tokens["access_token"]))
    assert gone.status_code == 401 and gone.get_json() == {
        "error": "invalid_token",
        "error_description": "the citizen signed out: the access token ended with the session"}
    assert client.get("/userinfo", headers=bearer(offline_tokens["access_token"])).status_code == 200
    refreshed = token_request(client, offline, {"grant_type": "refresh_token",
                                                "refresh_token": offline_tokens["refresh_token"]})
    assert refreshed.status_code == 200


@pytest.mark.parametrize("how", ["disabled", "deleted"])
def test_a_disabled_or_deleted_clients_access_tokens_stop_working(client, register, citizen, oidc_app, how):
    from clients.registry.services import delete_client, find_client, set_enabled
    from infra.db import get_db

    agency = register(scope=OFFLINE)
    issued = tokens_for(client, agency, scope=OFFLINE)
    assert client.get("/userinfo", headers=bearer(issued["access_token"])).status_code == 200
    with get_db(oidc_app).transaction() as session:
        if how == "disabled":
            set_enabled(session, agency.client_id, enabled=False)
        else:
            delete_client(session, find_client(session, agency.client_id))
    answer = client.get("/userinfo", headers=bearer(issued["access_token"]))
    assert answer.status_code == 401 and answer.get_json()["error_description"] == \
        "the client of this access token is disabled or no longer registered"
    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert refreshed.status_code == 401


def test_a_consent_decision_made_before_the_code_still_applies(client, register, citizen):
    """The checks do not get in the way of the ordinary flow: a standing consent, a live session."""
    agency = register(scope=OFFLINE)
    tokens_for(client, agency, scope=OFFLINE)
    code, flow = get_code(client, agency, scope=OFFLINE)  # no page: the decision stands
    assert exchange(client, agency, code, flow).status_code == 200
