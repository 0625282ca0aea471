"""A client assertion whose `sub` (the client it names, read before anything is checked) holds
a lone surrogate (JSON "\\ud800") is invalid_client, not a 500: it reached the client lookup
and the failure throttle's keys, which cannot encode it. Nothing needs signing for this."""

from __future__ import annotations

import base64
import json

import pytest


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("path", ["/token", "/introspect", "/revoke", "/par"])
def test_an_assertion_naming_a_client_id_with_a_lone_surrogate_is_invalid_client(client, oidc_app, path):
    assertion = _b64({"alg": "ES256", "kid": "k"}) + "." + _b64({"iss": "a\ud800", "sub": "a\ud800"}) + ".c2ln"
    response = client.post(path, data={
        "grant_type": "client_credentials", "token": "x",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion})
    assert response.status_code in (400, 401), response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_client"
