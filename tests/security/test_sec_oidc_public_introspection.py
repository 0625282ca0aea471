"""Introspection (RFC 7662 section 2.1: "the endpoint MUST also require some form of
authorization") is for authenticated clients: a public client, named only by its client_id
that anyone may know, is `invalid_client`, so a stolen refresh token cannot be checked (and
its subject and scopes read) without being redeemed. Revocation (RFC 7009 section 2.1) stays
open to public clients, for their own tokens only: a client never revokes another's."""

from __future__ import annotations

from tests.idp.oidc.conftest import tokens_for


def _public(register, **extra):
    return register(token_endpoint_auth_method="none", grant_types=["authorization_code", "refresh_token"],
                    scope="openid profile offline_access", **extra)


def _introspect(client, agency, token: str):
    form, headers = agency.auth({"token": token})
    return client.post("/introspect", data=form, headers=headers)


def test_a_public_client_may_not_introspect_even_its_own_tokens(client, register, citizen):
    agency = _public(register)
    body = tokens_for(client, agency, scope="openid offline_access")
    for token in (body["access_token"], body["refresh_token"]):
        response = _introspect(client, agency, token)
        assert response.status_code == 401, response.get_json()
        assert response.get_json()["error"] == "invalid_client"
        assert "public client" in response.get_json()["error_description"]
        assert response.headers["Cache-Control"] == "no-store"
    # Nothing was spent: the refresh token still works for its client.
    refreshed = client.post("/token", data={"grant_type": "refresh_token", "client_id": agency.client_id,
                                            "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.get_json()


def test_a_public_client_revokes_only_its_own_tokens(client, register, citizen):
    mine = _public(register)
    other = _public(register, redirect_uris=["https://other.example.gov/cb"])
    confidential = register(scope="openid profile offline_access", redirect_uris=["https://third.example.gov/cb"])
    body = tokens_for(client, mine, scope="openid offline_access")
    foreign = tokens_for(client, confidential, scope="openid offline_access")
    for token in (body["refresh_token"], body["access_token"], foreign["refresh_token"], foreign["access_token"]):
        response = client.post("/revoke", data={"client_id": other.client_id, "token": token})
        assert response.status_code == 200 and response.get_data() == b""
    # The other public client revoked nothing.
    assert client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).status_code == 200
    form, headers = confidential.auth({"token": foreign["refresh_token"]})
    assert client.post("/introspect", data=form, headers=headers).get_json()["active"] is True
    # Its own client does.
    assert client.post("/revoke", data={"client_id": mine.client_id, "token": body["refresh_token"]}).status_code == 200
    again = client.post("/token", data={"grant_type": "refresh_token", "client_id": mine.client_id,
                                        "refresh_token": body["refresh_token"]})
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_discovery_does_not_offer_none_for_introspection(client):
    document = client.get("/.well-known/openid-configuration").get_json()
    assert "none" not in document["introspection_endpoint_auth_methods_supported"]
    assert "none" in document["revocation_endpoint_auth_methods_supported"]
