"""Registration metadata holding a lone surrogate (JSON "\\ud800": valid JSON, not text that
UTF-8 can carry) is a 400 invalid_client_metadata. It was stored, and every page that names
the agency (its consent page, the citizen's sessions and consents) failed to encode: a 500
that a registering party could plant in citizens' account pages."""

from __future__ import annotations

import json

import pytest

from tests.security.registration import METADATA, initial_token  # noqa: F401 - fixture


@pytest.mark.parametrize("extra", [{"client_name": "Ha\ud800cienda"}, {"contacts": ["a\udfff@h.example.gov"]},
                                   {"client_name#es": "\udbff"}, {"x-\ud800": "unknown metadata too"}])
def test_metadata_with_a_lone_surrogate_is_invalid(client, initial_token, extra):  # noqa: F811 - the fixture
    auth = {"Authorization": f"Bearer {initial_token}"}
    response = client.post("/register", data=json.dumps({**METADATA, **extra}), content_type="application/json",
                           headers=auth)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_client_metadata"
    assert client.post("/register", json=METADATA, headers=auth).status_code == 201

