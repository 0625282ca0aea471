"""Dynamic registration (RFC 7591) and client management (RFC 7592) over HTTP."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token
from infra.db import get_db

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}


@pytest.fixture
def initial_token(fresh_app):
    with get_db(fresh_app).transaction() as session:
        return issue_initial_token(session, uses=2)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_register_read_update_delete(client, initial_token):
    created = client.post("/register", json=METADATA, headers=bearer(initial_token))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["client_secret"] and body["registration_access_token"]
    assert body["registration_client_uri"] == f"http://localhost/register/{body['client_id']}"
    assert created.headers["Cache-Control"] == "no-store"
    management = bearer(body["registration_access_token"])
    path = f"/register/{body['client_id']}"

    read = client.get(path, headers=management)
    assert read.status_code == 200
    assert "client_secret" not in read.get_json()
    assert read.get_json()["redirect_uris"] == METADATA["redirect_uris"]
    management = bearer(read.get_json()["registration_access_token"])  # RFC 7592 section 3: the next one

    updated = client.put(path, headers=management,
                         json={**METADATA, "client_id": body["client_id"], "client_name": "Hacienda Pública"})
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["client_name"] == "Hacienda Pública"
    management = bearer(updated.get_json()["registration_access_token"])

    assert client.delete(path, headers=management).status_code == 204
    assert client.get(path, headers=management).status_code == 401


def test_registration_needs_a_valid_initial_token(client):
    missing = client.post("/register", json=METADATA)
    assert missing.status_code == 401
    assert missing.get_json()["error"] == "invalid_token"
    assert "Bearer" in missing.headers["WWW-Authenticate"]
    assert client.post("/register", json=METADATA, headers=bearer("nope")).status_code == 401


def test_bad_metadata_gets_the_rfc_7591_error(client, initial_token):
    response = client.post("/register", json={**METADATA, "redirect_uris": ["http://evil.example/cb"]},
                           headers=bearer(initial_token))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_redirect_uri"
    restricted = client.post("/register", json={**METADATA, "scope": "openid national_id"},
                             headers=bearer(initial_token))
    assert restricted.get_json()["error"] == "invalid_client_metadata"


@pytest.mark.parametrize("body,content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2]", "application/json"),
    (b"redirect_uris=x", "application/x-www-form-urlencoded"),
])
def test_malformed_bodies_are_400(client, initial_token, body, content_type):
    response = client.post("/register", data=body, content_type=content_type, headers=bearer(initial_token))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_client_metadata"


def test_management_with_another_clients_token_is_refused(client, initial_token):
    first = client.post("/register", json=METADATA, headers=bearer(initial_token)).get_json()
    second = client.post("/register", json=METADATA, headers=bearer(initial_token)).get_json()
    response = client.get(f"/register/{first['client_id']}", headers=bearer(second["registration_access_token"]))
    assert response.status_code == 401
    assert client.get("/register/unknown", headers=bearer(second["registration_access_token"])).status_code == 401


def test_restricted_scopes_cannot_be_added_by_update(client, initial_token):
    body = client.post("/register", json=METADATA, headers=bearer(initial_token)).get_json()
    response = client.put(f"/register/{body['client_id']}", headers=bearer(body["registration_access_token"]),
                          json={**METADATA, "scope": "openid national_id"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_client_metadata"


def test_each_client_information_response_carries_a_new_registration_token_and_the_old_one_dies(client, initial_token):
    """RFC 7592 section 3: registration_access_token is REQUIRED in the client information
    response (read and update answered without it). Only its hash is kept, so each answer
    brings a new one; a copy someone else took stops working at the client's next use."""
    body = client.post("/register", json=METADATA, headers=bearer(initial_token)).get_json()
    path, stolen = f"/register/{body['client_id']}", bearer(body["registration_access_token"])
    read = client.get(path, headers=stolen)
    assert read.status_code == 200
    fresh = read.get_json()["registration_access_token"]
    assert fresh and fresh != body["registration_access_token"]
    assert read.get_json()["registration_client_uri"] == f"http://localhost{path}"
    for replayed in (client.get(path, headers=stolen), client.put(path, headers=stolen, json=METADATA),
                     client.delete(path, headers=stolen)):
        assert replayed.status_code == 401 and replayed.get_json()["error"] == "invalid_token"
    updated = client.put(path, headers=bearer(fresh), json={**METADATA, "client_name": "Hacienda Pública"})
    assert updated.status_code == 200, updated.get_json()
    newer = updated.get_json()["registration_access_token"]
    assert newer != fresh and client.get(path, headers=bearer(fresh)).status_code == 401
    # A refused update keeps the token it presented (one transaction).
    refused = client.put(path, headers=bearer(newer), json={**METADATA, "redirect_uris": ["http://evil.example/cb"]})
    assert refused.status_code == 400
    assert client.get(path, headers=bearer(newer)).status_code == 200


def test_an_update_with_a_client_secret_that_is_not_the_current_one_is_refused(client, initial_token):
    """RFC 7592 section 2.2: a client_secret in the update must match the one currently issued."""
    body = client.post("/register", json=METADATA, headers=bearer(initial_token)).get_json()
    path = f"/register/{body['client_id']}"
    wrong = client.put(path, headers=bearer(body["registration_access_token"]),
                       json={**METADATA, "client_secret": "not-the-secret"})
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "invalid_client_metadata"
    right = client.put(path, headers=bearer(body["registration_access_token"]),
                       json={**METADATA, "client_secret": body["client_secret"]})
    assert right.status_code == 200, right.get_json()
