"""The token endpoint's description in /openapi.json (the developer reference, /developers/api)
says what the endpoint really does: every grant it offers, and answers that match it."""

from __future__ import annotations

import jsonschema

from tests.idp.oidc.conftest import tokens_for
from tests.idp.oidc.test_agency_tokens import agency, basic  # noqa: F401 - the fixture
from tests.support.basic_auth import basic_auth

FORM = "application/x-www-form-urlencoded"


def _token_operation(client) -> tuple[dict, dict]:
    document = client.get("/openapi.json").get_json()
    return document["paths"]["/token"]["post"], document


def test_every_grant_the_provider_offers_is_described(client):
    operation, _document = _token_operation(client)
    described = operation["requestBody"]["content"][FORM]["schema"]["properties"]["grant_type"]["enum"]
    offered = client.get("/.well-known/openid-configuration").get_json()["grant_types_supported"]
    assert set(described) == set(offered)
    assert "429" in operation["responses"]  # too many failed client authentications


def test_token_answers_match_the_described_token_response(client, agency, citizen):  # noqa: F811
    _operation, document = _token_operation(client)
    schema = document["components"]["schemas"]["TokenResponse"]
    own = client.post("/token", data={"grant_type": "client_credentials"}, headers=basic(agency))
    assert own.status_code == 200, own.get_json()
    jsonschema.validate(own.get_json(), schema)  # client credentials: no ID token
    jsonschema.validate(tokens_for(client, agency, scope="openid profile"), schema)


def _throttled(client, agency, path: str):  # noqa: F811
    form = {"grant_type": "client_credentials"} if path == "/token" else {"token": "x"}
    if path == "/par":
        form = {"response_type": "code", "redirect_uri": agency.redirect_uri, "scope": "openid"}
    address = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(10):  # [oidc] client_auth_failures
        client.post(path, data=form, headers=basic_auth(agency.client_id, "guess"), environ_overrides=address)
    return client.post(path, data=form, headers=basic(agency), environ_overrides=address)


def test_every_endpoint_that_throttles_client_authentication_describes_its_429(client, agency):  # noqa: F811
    """Only /token described the 429 that /par, /introspect and /revoke answer as well (the
    guide says so: an address that keeps failing waits Retry-After seconds)."""
    document = client.get("/openapi.json").get_json()
    for path in ("/token", "/par", "/introspect", "/revoke"):
        refused = _throttled(client, agency, path)
        assert refused.status_code == 429, (path, refused.get_json())
        described = document["paths"][path]["post"]["responses"]["429"]
        jsonschema.validate(refused.get_json(), {**described["content"]["application/json"]["schema"],
                                                 "components": document["components"]})
        assert described["headers"]["Retry-After"]["required"] is True
        assert refused.headers["Retry-After"].isdigit()


def test_userinfo_by_get_and_by_post_describe_the_same_answers(client):
    """One handler answers both (OIDC Core 5.3.1); POST lacked the 403 insufficient_scope."""
    userinfo = client.get("/openapi.json").get_json()["paths"]["/userinfo"]
    assert set(userinfo["get"]["responses"]) == set(userinfo["post"]["responses"])


def test_the_signed_introspection_response_is_described(client, agency):  # noqa: F811
    """Discovery advertises introspection_signing_alg_values_supported (RFC 9701) and the
    endpoint answers `Accept: application/token-introspection+jwt` with a signed JWT, but the
    description of /introspect offered JSON only."""
    token = client.post("/token", data={"grant_type": "client_credentials"}, headers=basic(agency)).get_json()
    signed = client.post("/introspect", data={"token": token["access_token"]},
                         headers={**basic(agency), "Accept": "application/token-introspection+jwt"})
    assert signed.status_code == 200 and signed.mimetype == "application/token-introspection+jwt"
    described = client.get("/openapi.json").get_json()["paths"]["/introspect"]["post"]["responses"]["200"]
    assert signed.mimetype in described["content"]
