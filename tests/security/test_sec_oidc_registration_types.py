"""Registration metadata of the wrong JSON type is a 400 invalid_client_metadata, never a 500:
an array of URIs holding objects or arrays (post_logout_redirect_uris: [{}]) reached a set
built of its entries and raised TypeError (unhashable)."""

from __future__ import annotations

import pytest

from tests.security.registration import METADATA, initial_token  # noqa: F401 - fixture


@pytest.mark.parametrize("entries", [[{}], [[]], [{"a": 1}, "https://h.example.gov/out"]])
def test_post_logout_redirect_uris_that_are_not_strings_are_invalid_metadata(client, initial_token, entries):  # noqa: F811 - the fixture
    auth = {"Authorization": f"Bearer {initial_token}"}
    response = client.post("/register", json={**METADATA, "post_logout_redirect_uris": entries}, headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_client_metadata"
    # The use of the initial access token was given back: it still registers a client.
    assert client.post("/register", json=METADATA, headers=auth).status_code == 201
