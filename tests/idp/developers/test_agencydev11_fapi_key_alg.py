"""A FAPI 2.0 portal (restricted scope) registering itself with an RSA key that names no `alg`
(as `crypto.subtle.exportKey` and `jose`'s exportJWK write it) and no
`token_endpoint_auth_signing_alg` was refused with "token_endpoint_auth_signing_alg: FAPI 2.0
clients sign with ES256 or PS256": a member it never sent, and no word that Cédula took RS256
from its key nor what to register. The refusal now says where the algorithm came from and what
to register; one the portal named itself is answered as before, with what it sent."""

from __future__ import annotations

from joserfc.jwk import OKPKey, RSAKey

from clients.registry.services import issue_initial_token
from infra.db import get_db


def _register(client, fresh_app, key, **metadata):
    with get_db(fresh_app).transaction() as session:
        token = issue_initial_token(session, uses=1, scopes=["documents:issue"])
    body = {"client_name": "Registro", "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["client_credentials"], "response_types": [], "scope": "documents:issue",
            "jwks": {"keys": [key.as_dict(private=False, kid="k1")]}, **metadata}
    answer = client.post("/register", json=body, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "invalid_client_metadata"
    return answer.get_json()["error_description"]


def test_an_rsa_key_without_alg_is_told_to_register_ps256(client, fresh_app):
    described = _register(client, fresh_app, RSAKey.generate_key(2048))
    assert described.startswith("token_endpoint_auth_signing_alg: FAPI 2.0 clients sign with ES256 or PS256")
    assert "RS256, taken from your keys" in described
    assert "register token_endpoint_auth_signing_alg PS256" in described


def test_an_ed25519_key_is_told_it_cannot_be_used(client, fresh_app):
    described = _register(client, fresh_app, OKPKey.generate_key("Ed25519"))
    assert "EdDSA, taken from your keys" in described


def test_an_algorithm_named_by_the_portal_is_answered_with_it(client, fresh_app):
    described = _register(client, fresh_app, RSAKey.generate_key(2048), token_endpoint_auth_signing_alg="RS256")
    assert described.startswith("token_endpoint_auth_signing_alg: FAPI 2.0 clients sign with ES256 or PS256")
    assert "got RS256" in described
