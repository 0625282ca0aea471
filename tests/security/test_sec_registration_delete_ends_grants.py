"""RFC 7592 section 2.3: deleting a client's registration invalidates its grants and the
tokens issued from them, not only the client's own credentials.

DELETE /register/{client_id} disabled the client and voided its secret and registration token,
but left every citizen's grant active: refused only while the client stayed disabled. Once an
operator enabled the client again (`cedula clients enable`, a new secret for the same client_id:
an agency coming back on board), the refresh tokens (offline_access) issued before the deletion,
perhaps the very ones whose leak made the agency delete it, gave access tokens and UserInfo
again, without the citizen signing in or the agency's new system ever being authorised.
"""

from __future__ import annotations

import sqlalchemy as sa

from clients.registry.services import issue_initial_token, rotate_secret, set_enabled
from idp.oidc.models import Grant
from infra.db import get_db
from tests.idp.oidc.conftest import Agency, bearer, token_request, tokens_for

REDIRECT = "https://hacienda.example.gov/cb"


def _registered(client, app) -> tuple[Agency, str]:
    with get_db(app).transaction() as session:
        initial = issue_initial_token(session, uses=1)
    created = client.post("/register", headers={"Authorization": f"Bearer {initial}"}, json={
        "client_name": "Hacienda", "redirect_uris": [REDIRECT],
        "scope": "openid profile offline_access", "grant_types": ["authorization_code", "refresh_token"]})
    assert created.status_code == 201, created.get_json()
    info = created.get_json()
    agency = Agency(info["client_id"], info["client_secret"], REDIRECT,
                    metadata={"token_endpoint_auth_method": "client_secret_basic"})
    return agency, info["registration_access_token"]


def test_a_deleted_registration_leaves_no_grant_to_come_back_to(client, oidc_app, citizen):
    agency, management = _registered(client, oidc_app)
    issued = tokens_for(client, agency, scope="openid profile offline_access")
    assert "refresh_token" in issued

    deleted = client.delete(f"/register/{agency.client_id}", headers={"Authorization": f"Bearer {management}"})
    assert deleted.status_code == 204
    with get_db(oidc_app).read() as session:
        reasons = session.scalars(sa.select(Grant.revoked_reason).where(Grant.client_id == agency.client_id)).all()
    assert reasons == ["client_deleted"]

    # An operator brings the client back: enabled again, with a new secret.
    with get_db(oidc_app).transaction() as session:
        client_row = set_enabled(session, agency.client_id, enabled=True)
        agency.secret = rotate_secret(session, client_row)

    refreshed = token_request(client, agency, {"grant_type": "refresh_token",
                                               "refresh_token": issued["refresh_token"]})
    assert refreshed.status_code == 400, refreshed.get_json()
    assert refreshed.get_json()["error"] == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(issued["access_token"])).status_code == 401
