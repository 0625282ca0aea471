"""An API's server calling `/introspect` with the access token it was given as
`Authorization: Bearer <token>` (RFC 7662 section 2.1 lets a server protect introspection that
way; Cédula takes client authentication only), or a portal sending its secret as a bearer token
at `/token`, was told "client authentication is required (no credentials and no client_id)":
it had sent credentials, and was not told that the scheme is the mistake nor what to send. The
refusal (still `401 invalid_client`) now names the scheme it received and the methods Cédula
takes (RFC 6749 section 2.3)."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import (  # noqa: F401 - the fixtures
    citizen,
    oidc_app,
    register,
    tokens_for,
)


@pytest.mark.parametrize("scheme", ["Bearer", "DPoP", "Token"])
def test_introspection_with_a_bearer_token_says_to_authenticate_as_the_client(client, register, citizen,  # noqa: F811
                                                                             scheme):
    agency = register()
    token = tokens_for(client, agency)["access_token"]
    answer = client.post("/introspect", data={"token": token}, headers={"Authorization": f"{scheme} {token}"})
    assert answer.status_code == 401
    body = answer.get_json()
    assert body["error"] == "invalid_client"
    description = body["error_description"]
    assert f"{scheme} scheme" in description and "client_secret_basic" in description, body
    assert "private_key_jwt" in description and "no credentials" not in description, body


def test_the_token_endpoint_says_the_same(client):
    answer = client.post("/token", data={"grant_type": "client_credentials"},
                         headers={"Authorization": "Bearer the-client-secret"})
    assert answer.status_code == 401
    assert "Bearer scheme" in answer.get_json()["error_description"]


def test_no_authorization_header_is_still_told_credentials_are_missing(client):
    answer = client.post("/introspect", data={"token": "x"})
    assert answer.status_code == 401
    assert answer.get_json()["error_description"] == ("client authentication is required "
                                                      "(no credentials and no client_id)")
