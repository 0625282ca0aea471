"""The token endpoint's description in /openapi.json (the developer reference, /developers/api)
says what the endpoint really does: every grant it offers, and answers that match it."""

from __future__ import annotations

import jsonschema

from tests.idp.oidc.conftest import tokens_for
from tests.idp.oidc.test_agency_tokens import agency, basic  # noqa: F401 - the fixture

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
