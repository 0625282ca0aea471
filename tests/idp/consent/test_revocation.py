"""Withdrawing an agency's access: refresh token fails, introspection says inactive, UserInfo
refuses, the agency's back-channel endpoint receives a valid logout token, consent is asked
again, and the log and a withdrawal receipt record it."""

from __future__ import annotations

import re

from joserfc import jwt
from joserfc.jwk import KeySet

from tests.idp.consent.conftest import csrf_from, log_of
from tests.idp.oidc.conftest import Flow, authorize_url, bearer, claims_of, token_request, tokens_for


def revoke(client, client_id: str):
    """Withdraw as the confirmation page does (its form posts the CSRF token of this browser)."""
    page = client.get("/account").get_data(as_text=True)
    return client.post("/account/agencies/revoke", data={"csrf_token": csrf_from(page), "client_id": client_id})


def test_revocation_ends_tokens_sessions_and_consent(client, register, citizen, listener, delivery):
    agency = register(scope="openid profile offline_access", backchannel_logout_uri=listener.uri,
                      backchannel_logout_session_required=True)
    body = tokens_for(client, agency, scope="openid profile offline_access")
    sid = claims_of(body["id_token"])["sid"]
    sub = claims_of(body["id_token"])["sub"]
    assert body["refresh_token"]

    page = client.get("/account/agencies")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f'data-client-id="{agency.client_id}"' in html
    response = revoke(client, agency.client_id)
    assert response.status_code == 303 and response.headers["Location"] == "/account/agencies?done=revoked"

    refreshed = token_request(client, agency, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.get_json()["error"] == "invalid_grant"
    for token in (body["access_token"], body["refresh_token"]):
        form, headers = agency.auth({"token": token})
        introspected = client.post("/introspect", data=form, headers=headers)
        assert introspected.get_json() == {"active": False}
    info = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert info.status_code == 401 and info.get_json()["error"] == "invalid_token"

    delivery.run_once()
    assert listener.arrived.wait(60)  # a cap: it has arrived when run_once() returns, or soon after
    keys = KeySet.import_key_set(client.get("/jwks.json").get_json())
    claims = dict(jwt.decode(listener.received[0], keys, algorithms=["ES256", "RS256"]).claims)
    assert claims["aud"] == agency.client_id and claims["iss"] == "http://localhost"
    assert claims["sid"] == sid and claims["sub"] == sub
    assert "http://schemas.openid.net/event/backchannel-logout" in claims["events"] and "nonce" not in claims
    assert jwt.decode(listener.received[0], keys).header["typ"] == "logout+jwt"

    # The next sign-in asks again; prompt=none cannot pass silently.
    assert client.get(authorize_url(agency, Flow(), scope="openid profile")).status_code == 200
    none = client.get(authorize_url(agency, Flow(), scope="openid profile", prompt="none"))
    assert "error=consent_required" in none.headers["Location"]
    assert 'data-client-id' not in client.get("/account/agencies").get_data(as_text=True)
    assert [e.event for e in log_of(client.application, citizen.citizen_id)][-1] == "consent.revoked"


def test_revocation_receipts_and_errors(client, register, citizen):
    from idp.consent.models import Consent
    from infra.db import get_db

    agency = register()
    tokens_for(client, agency)
    assert revoke(client, "no-such-agency").headers["Location"] == "/account/agencies?error=not_connected"
    without_csrf = client.post("/account/agencies/revoke", data={"client_id": agency.client_id})
    assert without_csrf.status_code == 400
    assert revoke(client, agency.client_id).status_code == 303
    with get_db(client.application).read() as session:
        consent = session.query(Consent).one()
    assert consent.revoked_at is not None and consent.withdrawal_receipt
    download = client.get(f"/account/agencies/receipts/{consent.id}?withdrawal=1")
    assert download.status_code == 200 and download.mimetype == "application/jwt"
    from idp.consent.receipts import verify_receipt

    keys = {k["kid"]: k for k in client.get("/audit/log-keys.json").get_json()["keys"]}
    receipt = verify_receipt(download.get_data(as_text=True), keys)
    assert receipt["consent_status"] == "withdrawn" and receipt["record_id"] == str(consent.id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", receipt["event"]["time"])
