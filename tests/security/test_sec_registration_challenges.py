"""RFC 6750 section 3.1 at /register (RFC 7591) and /register/{client_id} (RFC 7592): a request
without any token gets a bare Bearer challenge (no error code: it did not know it needed one);
a token that is refused gets error="invalid_token". The JSON body names the problem either way."""

from __future__ import annotations

from tests.security.registration import METADATA, initial_token  # noqa: F401 - fixture


def test_no_token_is_a_bare_challenge_and_a_bad_one_an_invalid_token(client, initial_token):  # noqa: F811
    created = client.post("/register", json=METADATA, headers={"Authorization": f"Bearer {initial_token}"})
    path = f"/register/{created.get_json()['client_id']}"
    for method, url in (("post", "/register"), ("get", path), ("put", path), ("delete", path)):
        missing = getattr(client, method)(url, json=METADATA)
        assert missing.status_code == 401 and missing.get_json()["error"] == "invalid_token"
        assert missing.headers["WWW-Authenticate"] == 'Bearer realm="cedula"', (method, url)
        refused = getattr(client, method)(url, json=METADATA, headers={"Authorization": "Bearer nope"})
        assert refused.status_code == 401
        assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"], (method, url)
    assert client.get(path).get_json()["error_description"] == "The registration access token is required."
