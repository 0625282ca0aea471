"""A recovery with a recovery code resets the account's identity proofing to low (the code
proves possession of something the account had, not who the person is); the grants agencies
hold at a higher level end with it (reason `recovery_code`), so that no refresh token keeps
asserting a level of assurance (acr, and national_id, released at its level) that the account
no longer has. A desk recovery already ended every grant; grants at level low stay.

Before, an agency's refresh token went on minting ID tokens with the substantial acr of the
sign-in before the recovery, and UserInfo went on answering for it."""

from __future__ import annotations

from tests.idp.assurance.conftest import set_proofing
from tests.idp.conftest import csrf
from tests.idp.oidc.conftest import bearer, claims_of, token_request, tokens_for

SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"


def _recover(app, citizen) -> None:
    browser = app.test_client()
    token = csrf(browser, "/recover")
    response = browser.post("/recover", data={"csrf_token": token, "national_id": citizen.national_id,
                                              "code": citizen.codes[0]})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def _refresh(client, agency, body):
    return token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})


def test_a_recovery_code_ends_the_grants_above_the_level_left(client, register, citizen):
    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    set_proofing(client.application, citizen.citizen_id, "substantial")
    body = tokens_for(client, agency, scope="openid profile offline_access", acr_values=SUBSTANTIAL)
    assert claims_of(body["id_token"])["acr"] == SUBSTANTIAL

    _recover(client.application, citizen)

    refused = _refresh(client, agency, body)
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"] == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 401


def test_a_grant_at_level_low_outlives_the_recovery(client, register, citizen):
    agency = register(grant_types=["authorization_code", "refresh_token"], scope="openid profile offline_access")
    body = tokens_for(client, agency, scope="openid profile offline_access")
    low = claims_of(body["id_token"])["acr"]
    assert low != SUBSTANTIAL

    _recover(client.application, citizen)

    refreshed = _refresh(client, agency, body)
    assert refreshed.status_code == 200, refreshed.get_json()
    assert claims_of(refreshed.get_json()["id_token"])["acr"] == low
