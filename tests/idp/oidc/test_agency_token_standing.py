"""An agency's own access token stands on what the agency holds now, not when it was issued:
an operator who takes a scope away from an agency, or suspends it, ends the tokens already
issued at once, at introspection (RFC 7662 `active: false`) and at every API."""

from __future__ import annotations

import uuid

import pytest

from tests.idp.oidc.conftest import bearer
from tests.idp.oidc.test_agency_tokens import agency_token, basic, introspect

DOCUMENT = f"/api/documents/{uuid.uuid4()}"  # none such: a valid token gets 404, an invalid one 401


@pytest.fixture
def agency(register):
    return register(scope="openid profile documents:issue", security_profile="oidc",
                    grant_types=["authorization_code", "refresh_token", "client_credentials"])


def _withdraw(oidc_app, client_id: str, scope: str) -> None:
    """What an operator's edit of the agency's registration leaves: the scope gone."""
    from clients.registry.services import find_client
    from infra.db import get_db

    with get_db(oidc_app).transaction() as session:
        found = find_client(session, client_id)
        kept = [s for s in str(found.client_metadata["scope"]).split() if s != scope]
        found.client_metadata = {**found.client_metadata, "scope": " ".join(kept)}


def test_a_withdrawn_scope_ends_the_agencys_tokens_at_introspection(client, agency, oidc_app):
    token = agency_token(client, agency)
    assert introspect(client, agency, token)["active"] is True
    _withdraw(oidc_app, agency.client_id, "documents:issue")
    assert introspect(client, agency, token) == {"active": False}


def test_a_withdrawn_scope_ends_the_agencys_tokens_at_the_api(client, agency, oidc_app):
    token = agency_token(client, agency)
    assert client.get(DOCUMENT, headers=bearer(token)).status_code == 404
    _withdraw(oidc_app, agency.client_id, "documents:issue")
    refused = client.get(DOCUMENT, headers=bearer(token))
    assert refused.status_code in (401, 403)
    assert "documents:issue" in refused.get_json()["error_description"]


def test_a_token_with_one_scope_withdrawn_of_two_is_inactive(client, register, oidc_app):
    both = register(scope="openid documents:issue indicators:read", security_profile="oidc",
                    grant_types=["authorization_code", "client_credentials"])
    token = agency_token(client, both)
    seen = introspect(client, both, token)
    assert seen["active"] is True and set(seen["scope"].split()) == {"documents:issue", "indicators:read"}
    _withdraw(oidc_app, both.client_id, "indicators:read")
    assert introspect(client, both, token) == {"active": False}
    # The API it still holds refuses the token too: the agency asks for a new one.
    refused = client.get(DOCUMENT, headers=bearer(token))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_token"
    assert "new access token" in refused.get_json()["error_description"]
    fresh = agency_token(client, both)
    assert client.get(DOCUMENT, headers=bearer(fresh)).status_code == 404


def test_a_suspended_agencys_token_is_inactive_for_the_api_that_introspects_it(client, agency, oidc_app):
    """Suspension: the agency cannot introspect (it no longer authenticates) and its tokens
    are refused at the API (test_agency_tokens); introspecting with a suspended client's
    credentials is invalid_client, not an answer about the token."""
    from clients.registry.services import set_enabled
    from infra.db import get_db

    token = agency_token(client, agency)
    with get_db(oidc_app).transaction() as session:
        set_enabled(session, agency.client_id, enabled=False)
    answer = client.post("/introspect", data={"token": token}, headers=basic(agency))
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_client"
