"""Two refusals at /token said what was wrong but not what to change: an unsupported grant type
(which ones are?) and a wrong client secret (which secret, sent how?)."""

from __future__ import annotations

from tests.idp.oidc.conftest import oidc_app, registered_agency  # noqa: F401 - the fixture
from tests.support.basic_auth import basic_auth


def test_an_unsupported_grant_type_names_the_ones_to_use(oidc_app):  # noqa: F811
    agency = registered_agency(oidc_app)
    client = oidc_app.test_client()
    refused = client.post(
        "/token",
        data={"grant_type": "password", "username": "a", "password": "b"},
        headers=basic_auth(agency.client_id, agency.secret),
    )
    assert refused.status_code == 400
    answer = refused.get_json()
    assert answer["error"] == "unsupported_grant_type"
    offered = client.get("/.well-known/openid-configuration").get_json()["grant_types_supported"]
    for grant in offered:
        assert grant in answer["error_description"], answer


def test_a_wrong_secret_says_which_secret_and_how_to_send_it(oidc_app):  # noqa: F811
    agency = registered_agency(oidc_app)
    refused = oidc_app.test_client().post(
        "/token", data={"grant_type": "client_credentials"}, headers=basic_auth(agency.client_id, "not-the-secret")
    )
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    description = refused.get_json()["error_description"]
    assert "registration" in description and "form-urlencoded" in description, description
