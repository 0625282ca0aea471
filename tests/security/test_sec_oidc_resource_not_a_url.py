"""A `resource` (RFC 8707) that is not a URL ("http://[", an unclosed IPv6 literal) is an
invalid_target sent back to the client, at /authorize and /par alike, not a 500: urlsplit
raised ValueError on it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.idp.oidc.conftest import Flow, authorize_url


@pytest.mark.parametrize("resource", ["http://[", "https://[zz]/api", "https://api.example:99999999/"])
def test_a_resource_that_is_not_a_url_is_invalid_target(client, register, resource):
    agency = register()
    response = client.get(authorize_url(agency, Flow(), resource=resource))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["error"] == ["invalid_target"]
    form, headers = agency.auth({"response_type": "code", "client_id": agency.client_id,
                                 "redirect_uri": agency.redirect_uri, "scope": "openid",
                                 "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                 "code_challenge_method": "S256", "resource": resource})
    pushed = client.post("/par", data=form, headers=headers)
    assert pushed.status_code == 400 and pushed.get_json()["error"] == "invalid_target", pushed.get_json()
