"""The `claims` request parameter (OIDC Core 1.0 section 5.5) is JSON, whose escapes allow a
lone surrogate ("\\ud800"), which is not text. An essential acr value written so, from a
signed-in citizen's browser, made /authorize answer 500 server_error on both backends (the
value went on into the sign-in step that asks for the level); now any lone surrogate in claims
is invalid_request, sent back to the agency's redirect URI with state and iss, as other
malformed claims are."""

from __future__ import annotations

import json

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url, redirect_params


@pytest.mark.parametrize("claims", [
    {"id_token": {"acr": {"essential": True, "values": ["\ud800"]}}},
    {"id_token": {"acr": {"essential": True, "value": "\udfff"}}},
    {"userinfo": {"\ud800": None}},
    {"userinfo": {"given_name": {"essential": True, "purpose": "a\udc00"}}},
])
@pytest.mark.parametrize("prompt", [None, "none"])
def test_a_lone_surrogate_in_claims_is_invalid_request(client, register, citizen, claims, prompt):
    agency = register()
    flow = Flow()
    response = client.get(authorize_url(agency, flow, claims=json.dumps(claims), prompt=prompt))
    answer = redirect_params(response, agency)
    assert answer["error"] == "invalid_request", answer
    assert "surrogate" in answer["error_description"]
    assert answer["state"] == flow.state and answer["iss"] == "http://localhost"
