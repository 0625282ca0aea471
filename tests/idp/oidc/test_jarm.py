"""JARM (response_mode query.jwt and jwt) and signed introspection responses (RFC 9701)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from keys import verify_jwt
from tests.idp.oidc.conftest import Agency, Flow, authorize_url, decide, exchange, tokens_for


def signed_response(client, response, agency: Agency) -> dict:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert location.startswith(agency.redirect_uri + "?")
    query = parse_qs(urlsplit(location).query)
    assert list(query) == ["response"]  # nothing outside the JWT
    with client.application.app_context():
        return dict(verify_jwt(query["response"][0], algorithms=["ES256"], audience=agency.client_id,
                               issuer="http://localhost").claims)


@pytest.mark.parametrize("mode", ["query.jwt", "jwt"])
def test_the_code_comes_signed(client, register, citizen, mode):
    agency = register()
    flow = Flow()
    page = client.get(authorize_url(agency, flow, response_mode=mode))
    claims = signed_response(client, decide(client, page), agency)
    assert claims["state"] == flow.state and claims["iss"] == "http://localhost"
    assert claims["aud"] == agency.client_id and claims["exp"] - claims["iat"] <= 300
    assert exchange(client, agency, claims["code"], flow).status_code == 200


def test_errors_come_signed_too(client, register, citizen):
    agency = register()
    flow = Flow()
    refused = signed_response(client, client.get(authorize_url(agency, flow, response_mode="query.jwt",
                                                               scope="openid admin")), agency)
    assert refused["error"] == "invalid_scope" and refused["state"] == flow.state and "code" not in refused
    page = client.get(authorize_url(agency, flow, response_mode="jwt"))
    denied = signed_response(client, decide(client, page, "deny"), agency)
    assert denied["error"] == "access_denied"


def test_signed_introspection(client, register, citizen):
    agency = register()
    token = tokens_for(client, agency)["access_token"]
    form, headers = agency.auth({"token": token})
    headers["Accept"] = "application/token-introspection+jwt"
    response = client.post("/introspect", data=form, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/token-introspection+jwt"
    with client.application.app_context():
        verified = verify_jwt(response.get_data(as_text=True), algorithms=["ES256"], audience=agency.client_id,
                              issuer="http://localhost", typ="token-introspection+jwt", require=("iat",))
    result = verified.claims["token_introspection"]
    assert result["active"] is True and result["client_id"] == agency.client_id
    form, headers = agency.auth({"token": token})
    assert client.post("/introspect", data=form, headers=headers).get_json()["active"] is True


def test_discovery_lists_jarm_and_signed_introspection(client):
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["response_modes_supported"] == ["query", "query.jwt", "jwt"]
    assert meta["authorization_signing_alg_values_supported"] == ["ES256"]
    assert meta["introspection_signing_alg_values_supported"] == ["ES256"]
