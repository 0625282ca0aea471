"""A registrar's recovery hands the account to the person whose document was checked: the
passkeys someone else held end, their sessions end, and so must what agencies were given in
those sessions. A refresh token (offline_access) outlives a session by design: an agency's
app on the other person's phone kept reading the account for up to `[oidc] grant_seconds`."""

from __future__ import annotations

from tests.idp.conftest import csrf, dui, enrol
from tests.idp.oidc.conftest import bearer, token_request, tokens_for
from tests.idp.registrar.test_registrar import FUTURE, registrar  # noqa: F401  (fixture)
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.civil_register import in_register

OFFLINE = "openid profile offline_access"


def test_a_recovery_at_the_desk_ends_the_agencies_tokens(client, oidc_app, registrar, register):  # noqa: F811
    agency = register(scope=OFFLINE)
    phone = oidc_app.test_client()  # who held the account's passkey
    held = enrol(phone, SoftwareAuthenticator(), national_id=dui(22222222), email="eva@example.sv")
    tokens = tokens_for(phone, agency, scope=OFFLINE)
    assert phone.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
    in_register(oidc_app, held.citizen_id)
    response = client.post(f"/registrar/citizens/{held.citizen_id}/recovery", data={
        "csrf_token": csrf(client, "/registrar"), "document_type": "passport",
        "document_number": "A1234567", "document_expiry": FUTURE})
    assert response.status_code == 200
    refreshed = token_request(phone, agency, {"grant_type": "refresh_token",
                                              "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 400, refreshed.get_json()
    assert refreshed.get_json()["error"] == "invalid_grant"
    assert phone.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
