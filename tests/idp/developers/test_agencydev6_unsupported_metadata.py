"""Registration members the provider does not support: `userinfo_signed_response_alg` (and the
encryption members) sent to `POST /register` or `PUT /register/{id}` were accepted and silently
dropped, so a portal relying on a signed or encrypted answer read a plain one. OIDC Dynamic
Registration section 2 and RFC 7591 section 2 let a server replace or ignore values; Cédula
refuses these (400 invalid_client_metadata naming the member): discovery advertises no userinfo
signing nor any encryption algorithm."""

from __future__ import annotations

import pytest

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}
UNSUPPORTED = [("userinfo_signed_response_alg", "ES256"), ("userinfo_encrypted_response_alg", "RSA-OAEP-256"),
               ("userinfo_encrypted_response_enc", "A256GCM"), ("id_token_encrypted_response_alg", "ECDH-ES"),
               ("id_token_encrypted_response_enc", "A128CBC-HS256"), ("request_object_encryption_alg", "RSA-OAEP"),
               ("request_object_encryption_enc", "A256GCM"), ("authorization_encrypted_response_alg", "ECDH-ES"),
               ("authorization_encrypted_response_enc", "A256GCM"),
               ("introspection_encrypted_response_alg", "RSA-OAEP-256"),
               ("introspection_encrypted_response_enc", "A256GCM")]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("member", "value"), UNSUPPORTED)
def test_registration_refuses_a_member_the_provider_does_not_support(client, initial, member, value):
    refused = client.post("/register", json={**METADATA, member: value}, headers=initial)
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["error"] == "invalid_client_metadata"
    assert body["error_description"].startswith(f"{member}: ") and "not supported" in body["error_description"]


def test_an_update_refuses_it_too(client, initial):
    created = client.post("/register", json=METADATA, headers=initial)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    path = f"/register/{body['client_id']}"
    refused = client.put(path, headers=_bearer(body["registration_access_token"]),
                         json={**METADATA, "client_id": body["client_id"], "userinfo_signed_response_alg": "RS256"})
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "invalid_client_metadata"
    assert refused.get_json()["error_description"].startswith("userinfo_signed_response_alg: ")


def test_discovery_advertises_none_of_them(client):
    document = client.get("/.well-known/openid-configuration").get_json()
    assert not {key for key in document if key.startswith("userinfo_signing") or "encryption" in key}
