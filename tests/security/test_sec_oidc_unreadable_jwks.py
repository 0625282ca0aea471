"""A JWK Set whose keys cannot be read ({"kty": "EC"} without crv, x, y; a point off its
curve) was accepted at registration (only kty and private members were checked). Every
request object of that client then made /authorize answer 500: the key parse failed with
invalid_client, which the authorization endpoint does not answer. Registration now refuses
keys without their public members, and a client whose keys still cannot be read (a point
off its curve, or stored before) gets invalid_request_object (a page)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.idp.oidc.conftest import Flow
from tests.idp.oidc.test_authorize_error_page import refusal_logged
from tests.idp.oidc.test_jar import request_claims, request_object
from tests.security.registration import METADATA, initial_token  # noqa: F401 - fixture

INCOMPLETE = [{"kty": "EC", "kid": "k"}, {"kty": "EC", "crv": "P-256", "x": "AA"}, {"kty": "RSA", "n": "AQAB"},
              {"kty": "OKP", "crv": "Ed25519"}, {"kty": "EC", "crv": "P-256", "x": 1, "y": 2}]


@pytest.mark.parametrize("key", INCOMPLETE)
def test_registration_refuses_keys_that_cannot_be_read(client, initial_token, key):  # noqa: F811
    response = client.post("/register", headers={"Authorization": f"Bearer {initial_token}"},
                           json={**METADATA, "token_endpoint_auth_method": "private_key_jwt",
                                 "jwks": {"keys": [key]}})
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["error"] == "invalid_client_metadata" and body["error_description"].startswith("jwks:")


@pytest.mark.parametrize("key", [{"kty": "EC", "kid": "agency-key"},
                                 {"kty": "EC", "kid": "agency-key", "crv": "P-256", "x": "AA", "y": "AA"}])
def test_a_client_with_unreadable_keys_gets_invalid_request_object(client, register, citizen, oidc_app, key, caplog):
    import sqlalchemy as sa

    from clients.registry.models import Client
    from infra.db import get_db

    agency = register(token_endpoint_auth_method="private_key_jwt")
    with get_db(oidc_app).transaction() as session:  # as registered before keys were read
        row = session.scalar(sa.select(Client).where(Client.client_id == agency.client_id))
        row.client_metadata = {**row.client_metadata, "jwks": {"keys": [key]}}
    token = request_object(agency, request_claims(agency, Flow()))
    page = client.get("/authorize?" + urlencode({"client_id": agency.client_id, "request": token}))
    assert page.status_code == 400 and "Location" not in page.headers
    assert "keys cannot be read" in refusal_logged(caplog)  # for the agency; the citizen reads plain words
