"""Who may open /operator: operators at level high only; everyone else is stopped."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.assurance.conftest import add_device_key
from tests.idp.conftest import csrf, enrol, sign_in
from tests.idp.operator.conftest import all_formats_listed, grant_operator, set_proofing
from tests.support.authenticator import SoftwareAuthenticator
from tests.support.basic_auth import basic_auth

PAGES = ["/operator", "/operator/agencies", "/operator/agencies/new", "/operator/indicators",
         "/operator/keys", "/operator/people", "/operator/audit", "/operator/audit/export",
         "/operator/indicators/export", "/operator/initial-tokens", "/operator/forgery-reports"]


def test_not_signed_in_goes_to_login(client, oidc_app):
    response = client.get("/operator/agencies")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/operator/agencies")


@pytest.mark.parametrize("page", PAGES)
def test_a_citizen_without_the_role_is_refused_everywhere(client, oidc_app, page):
    enrol(client)
    response = client.get(page)
    assert response.status_code == 403, page
    assert "solo para el personal de operación" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_citizen_cannot_post_either(client, oidc_app):
    enrol(client)
    token = csrf(client, "/account")
    response = client.post("/operator/agencies/new", data={"csrf_token": token, "name": "Evil"})
    assert response.status_code == 403
    from clients.registry.services import list_clients
    from infra.db import get_db

    with get_db(oidc_app).read() as session:
        assert list_clients(session) == []


def test_an_agency_token_is_no_sign_in(client, oidc_app, register):
    """A bearer token (an agency's) opens nothing: the console wants a citizen's session."""
    agency = register(grant_types=["authorization_code", "client_credentials"],
                      scope="openid documents:issue indicators:read", security_profile="oidc")
    token = client.post("/token", data={"grant_type": "client_credentials"},
                        headers=basic_auth(agency.client_id, agency.secret)).get_json()
    response = client.get("/operator/agencies", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_forms_need_the_csrf_token(client, operator):
    response = client.post("/operator/agencies/new", data={"name": "No token"})
    assert response.status_code == 400


def test_an_operator_below_high_steps_up_or_is_refused(client, oidc_app, pki, metadata):
    metadata(all_formats_listed(pki))
    synced = SoftwareAuthenticator(backup_eligible=True, counter_step=1)
    person = enrol(client, synced)
    grant_operator(oidc_app, person.citizen_id)
    response = client.get("/operator")
    assert response.status_code == 403 and "nivel alto" in response.get_data(as_text=True)
    set_proofing(oidc_app, person.citizen_id, "high")
    device = add_device_key(client, pki)
    assert sign_in(client, synced).status_code == 200
    response = client.get("/operator/keys")
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {
        "reauth": ["1"], "next": ["/operator/keys"], "acr": ["high"]}
    assert sign_in(client, device).status_code == 200
    assert client.get("/operator/keys").status_code == 200


def test_a_revoked_operator_is_refused(client, oidc_app, operator):
    assert client.get("/operator").status_code == 200
    from datetime import UTC, datetime

    from idp.citizens.models import Citizen
    from idp.operator import services
    from idp.registrar.services import Actor
    from infra.db import get_db

    with get_db(oidc_app).transaction() as session:
        citizen = session.get(Citizen, __import__("uuid").UUID(operator.citizen_id))
        services.revoke(session, citizen=citizen, by=Actor.operator("tester"), now=datetime.now(UTC))
    assert client.get("/operator").status_code == 403
