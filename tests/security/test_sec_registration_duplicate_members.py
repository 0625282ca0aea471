"""Client registration (RFC 7591 section 3.1) and update (RFC 7592 section 2.2) read the
metadata as one JSON object: a member named twice is refused (400 invalid_client_metadata),
as the provider's other JSON APIs refuse it (`infra.web.jsonapi`), instead of being read as its
last value. A registration vetted by one reader of the bytes (a gateway, the agency's review,
a log) as the first value, `redirect_uris: ["https://portal.example.gov/cb"]`, was registered
with the second one, an attacker's redirect URI."""

from __future__ import annotations

from clients.registry.services import issue_initial_token
from infra.db import get_db

VETTED = '"redirect_uris": ["https://hacienda.example.gov/cb"]'
SMUGGLED = '"redirect_uris": ["https://attacker.example/cb"]'


def _initial_token(app) -> dict[str, str]:
    with get_db(app).transaction() as session:
        return {"Authorization": f"Bearer {issue_initial_token(session, uses=1)}"}


def _post(client, path, body: str, headers, method="post"):
    return getattr(client, method)(path, data=body, content_type="application/json", headers=headers)


def test_a_member_named_twice_is_refused_at_registration(client, fresh_app):
    body = '{"client_name": "Hacienda", ' + VETTED + ", " + SMUGGLED + "}"
    response = _post(client, "/register", body, _initial_token(fresh_app))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_client_metadata"
    assert "redirect_uris" in response.get_json()["error_description"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_member_named_twice_in_a_nested_object_is_refused(client, fresh_app):
    key = '{"kty": "EC", "crv": "P-256", "x": "a", "x": "b", "y": "c"}'
    body = ('{"client_name": "Hacienda", ' + VETTED + ', "token_endpoint_auth_method": "private_key_jwt", '
            '"jwks": {"keys": [' + key + "]}}")
    response = _post(client, "/register", body, _initial_token(fresh_app))
    assert response.status_code == 400, response.get_json()
    assert "'x'" in response.get_json()["error_description"]


def test_a_member_named_twice_is_refused_at_update_and_the_metadata_stays(client, fresh_app):
    created = _post(client, "/register", '{"client_name": "Hacienda", ' + VETTED + "}", _initial_token(fresh_app))
    assert created.status_code == 201, created.get_json()
    info = created.get_json()
    management = {"Authorization": f"Bearer {info['registration_access_token']}"}
    path = f"/register/{info['client_id']}"
    response = _post(client, path, '{"client_name": "Hacienda", ' + VETTED + ", " + SMUGGLED + "}", management,
                     method="put")
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "invalid_client_metadata"
    # Refused: the token presented still works, and the redirect URIs are as registered.
    read = client.get(path, headers=management)
    assert read.status_code == 200, read.get_json()
    assert read.get_json()["redirect_uris"] == ["https://hacienda.example.gov/cb"]


def test_the_same_name_in_two_objects_is_not_a_duplicate(client, fresh_app):
    body = ('{"client_name": "Hacienda", ' + VETTED + ', "token_endpoint_auth_method": "private_key_jwt", '
            '"jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "kid": "1"}, '
            '{"kty": "EC", "crv": "P-256", "x": "c", "y": "d", "kid": "2"}]}}')
    response = _post(client, "/register", body, _initial_token(fresh_app))
    assert response.status_code == 201, response.get_json()
