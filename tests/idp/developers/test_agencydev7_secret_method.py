"""A portal registered with a client secret (`client_secret_basic`, the default of RFC 7591
section 2 and of `cedula clients register`) set up with openid-client v6 as its README shows,
`discovery(issuer, clientId, clientSecret)`: the library then sends the secret in the body
(`client_secret_post`, its default whenever it is given a secret alone). Cédula refused it with
"this client authenticates with client_secret_basic, not client_secret_post": the method's
name, not where the secret goes nor how to ask for the other method, and the guide never said
which method a secret client gets nor that openid-client's default is another one. The refusal
now says how to send the credentials the registered way (or to register the other method), and
the guide says both."""

from __future__ import annotations

import pytest

from idp.developers.views import SOURCE
from tests.idp.oidc.conftest import oidc_app, registered_agency  # noqa: F401 - the fixture
from tests.support.basic_auth import basic_auth


def test_a_secret_in_the_body_of_a_basic_client_says_to_send_it_with_http_basic(oidc_app):  # noqa: F811
    agency = registered_agency(oidc_app)  # client_secret_basic, as the CLI and RFC 7591 default
    assert agency.metadata["token_endpoint_auth_method"] == "client_secret_basic"
    refused = oidc_app.test_client().post("/token", data={  # what openid-client sends by default
        "grant_type": "refresh_token", "refresh_token": "x",
        "client_id": agency.client_id, "client_secret": agency.secret})
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    description = refused.get_json()["error_description"]
    assert "client_secret_basic" in description and "client_secret_post" in description, description
    assert "Authorization header" in description and "RFC 6749 section 2.3.1" in description, description
    assert "token_endpoint_auth_method" in description, description  # or register the other one


def test_a_basic_header_for_a_post_client_says_to_send_the_secret_in_the_body(oidc_app):  # noqa: F811
    agency = registered_agency(oidc_app, token_endpoint_auth_method="client_secret_post")
    refused = oidc_app.test_client().post("/token", data={"grant_type": "refresh_token", "refresh_token": "x"},
                                          headers=basic_auth(agency.client_id, agency.secret))
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    assert refused.headers["WWW-Authenticate"].startswith("Basic")  # RFC 6749 section 5.2
    description = refused.get_json()["error_description"]
    assert "form body" in description and "client_secret" in description, description


@pytest.mark.parametrize("registered, expected", [
    ("private_key_jwt", "client_assertion"),
    ("none", "client_id alone"),
])
def test_another_method_says_how_to_authenticate_the_registered_way(oidc_app, registered, expected):  # noqa: F811
    agency = registered_agency(oidc_app, token_endpoint_auth_method=registered)
    refused = oidc_app.test_client().post("/token", data={
        "grant_type": "refresh_token", "refresh_token": "x", "client_id": agency.client_id,
        "client_secret": "a secret this client never had"})
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    assert expected in refused.get_json()["error_description"], refused.get_json()


def test_the_guide_says_which_secret_method_a_portal_gets_and_openid_clients_default():
    guide = SOURCE.read_text(encoding="utf-8")
    assert "client_secret_post" in guide
    assert "ClientSecretBasic" in guide  # the openid-client v6 call that sends the registered method
