"""`default_acr_values` (OpenID Connect Dynamic Client Registration 1.0, section 2): a portal
that registers the level its sign-ins need, as discovery's `acr_values_supported` invites, and
then sends no `acr_values`. The member was accepted with `201` and silently dropped: not in the
answer, not applied, so every sign-in of that portal came back at whatever level the citizen
had (low), and a portal that trusted its registration and did not check `acr` let a citizen of
level low in. It is now kept, returned and applied to every authorization request that asks
for no level itself (`acr_values` or an `acr` claim)."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token
from infra.db import get_db
from tests.idp.oidc.conftest import Flow, authorize_url, citizen, oidc_app, redirect_params, register  # noqa: F401

SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
LOW = "http://eidas.europa.eu/LoA/low"


@pytest.fixture
def initial(oidc_app):  # noqa: F811
    with get_db(oidc_app).transaction() as session:
        return {"Authorization": "Bearer " + issue_initial_token(session, uses=3)}


def test_a_registration_keeps_and_returns_default_acr_values(client, initial):
    created = client.post("/register", headers=initial, json={
        "client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"],
        "default_acr_values": [SUBSTANTIAL]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["default_acr_values"] == [SUBSTANTIAL]


@pytest.mark.parametrize("value", ["http://eidas.europa.eu/LoA/substantial", [], [3], ["a b"]])
def test_a_malformed_default_acr_values_is_refused_naming_it(client, initial, value):
    refused = client.post("/register", headers=initial, json={
        "client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"], "default_acr_values": value})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_client_metadata"
    assert refused.get_json()["error_description"].startswith("default_acr_values"), refused.get_json()


def test_a_request_without_a_level_asks_for_the_registered_one(client, register, citizen):  # noqa: F811
    agency = register(default_acr_values=[SUBSTANTIAL])
    # The citizen signed in with a passkey at level low: substantial is not met, and the portal hears so.
    result = redirect_params(client.get(authorize_url(agency, Flow())), agency)
    assert result.get("error") == "unmet_authentication_requirements", result


def test_a_level_in_the_request_replaces_the_default(client, register, citizen):  # noqa: F811
    agency = register(default_acr_values=[SUBSTANTIAL])
    response = client.get(authorize_url(agency, Flow(), acr_values=LOW))
    assert response.status_code == 200 or "code=" in response.headers.get("Location", ""), response.headers


def test_a_default_above_the_portals_level_is_refused_like_acr_values(client, register, citizen, oidc_app):  # noqa: F811
    # Registration refuses such a default now (test_agencydev8_default_level_above_allowed.py);
    # one stored before that rule is still refused at each authorization.
    from clients.registry.models import Client

    agency = register(default_acr_values=[SUBSTANTIAL])
    with get_db(oidc_app).transaction() as session:
        row = session.query(Client).filter_by(client_id=agency.client_id).one()
        row.client_metadata = {**row.client_metadata, "default_acr_values": ["http://eidas.europa.eu/LoA/high"]}
    result = redirect_params(client.get(authorize_url(agency, Flow())), agency)
    assert result["error"] == "invalid_request" and "substantial at most" in result["error_description"], result


def test_the_guide_says_how_to_register_a_default_level():
    from idp.developers.views import SOURCE

    assert '"default_acr_values": ["http://eidas.europa.eu/LoA/substantial"]' in SOURCE.read_text(encoding="utf-8")
