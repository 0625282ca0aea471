"""The exact answers for inputs that once reached a server error (found by the fuzzers)."""

from __future__ import annotations

import pytest

from clients.registry.services import issue_initial_token
from tests.idp.conftest import post_json

METADATA = {"client_name": "Hacienda", "redirect_uris": ["https://h.example.gov/cb"]}


@pytest.fixture
def initial_token(fresh_app):
    from infra.db import get_db

    with get_db(fresh_app).transaction() as session:
        return issue_initial_token(session, uses=5)


def _error(response) -> tuple[int, str]:
    body = response.get_json()
    assert isinstance(body["error_description"], str) and body["error_description"]
    return response.status_code, body["error"]


@pytest.mark.parametrize("path", ["/token", "/introspect", "/revoke"])
def test_nul_in_a_form_field_is_400_not_a_database_error(client, path):
    response = client.post(path, data={"grant_type": "client_credentials", "token": "t\x00",
                                       "client_id": "a\x00b", "client_secret": "x"})
    assert _error(response) == (400, "invalid_request")


@pytest.mark.parametrize("url", ["/register/a%00b", "/api/verify/ABC%00D", "/userinfo?access_token=a%00",
                                 "/pki/ocsp/a%00"])
def test_nul_in_the_path_or_query_is_400(client, url):
    assert _error(client.get(url, headers={"Authorization": "Bearer x"})) == (400, "invalid_request")


def test_nul_in_a_page_query_is_a_400_page(client):
    response = client.get("/authorize?client_id=a%00&response_type=code&redirect_uri=x")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert client.get("/end-session?client_id=a%00").status_code == 400


@pytest.mark.parametrize("body, error", [
    ({"given_name": "Ana\x00"}, "invalid_request"),
    ({"x": {"y": ["ok", {"z\x00": 1}]}}, "invalid_request"),
])
def test_nul_in_a_json_body_is_400(client, body, error):
    assert _error(post_json(client, "/webauthn/registration/options", body)) == (400, error)


def test_deeply_nested_json_is_400(client):
    body = '{"a":' + "[" * 5_000 + "]" * 5_000 + "}"
    response = post_json(client, "/webauthn/authentication/options", body)
    assert _error(response) == (400, "invalid_request")
    assert "nested too deeply" in response.get_json()["error_description"]


def test_registration_metadata_with_nul_or_deep_nesting_is_400(client, initial_token):
    auth = {"Authorization": f"Bearer {initial_token}"}
    nul = client.post("/register", json={**METADATA, "client_name": "Ha\x00cienda"}, headers=auth)
    assert _error(nul) == (400, "invalid_client_metadata")
    deep = client.post("/register", data='{"a":' + "[" * 5_000 + "]" * 5_000 + "}",
                       content_type="application/json", headers=auth)
    assert _error(deep) == (400, "invalid_client_metadata")
    # Neither spent a use of the initial access token: five registrations still work.
    for _ in range(5):
        assert client.post("/register", json=METADATA, headers=auth).status_code == 201


def test_registration_checks_the_token_before_the_body(client, initial_token):
    """RFC 6750 section 3.1: a request without a valid token is 401, whatever its body."""
    created = client.post("/register", json=METADATA, headers={"Authorization": f"Bearer {initial_token}"})
    client_id = created.get_json()["client_id"]
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        assert _error(client.put(f"/register/{client_id}", data="not json", headers=headers)) == (401, "invalid_token")
        assert _error(client.post("/register", data="not json", headers=headers)) == (401, "invalid_token")


def test_a_multipart_part_without_a_name_is_not_a_500(client):
    """Found by schemathesis: a form-data part with no name reached the NUL check as None."""
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--{boundary}--\r\n").encode()
    response = client.post("/api/verify", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "empty_file"  # no "file" field: nothing to verify
