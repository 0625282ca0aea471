"""A DPoP proof whose htu is not a URL at all ("http://[", an unclosed IPv6 literal) is an
invalid_dpop_proof (RFC 9449 section 4.3), not a 500: urlsplit raised ValueError on it, after
the signature (made with the attacker's own key) had verified."""

from __future__ import annotations

import pytest

from tests.idp.oidc.conftest import Agency
from tests.support.dpop import DpopKey

TOKEN = "http://localhost/token"


@pytest.mark.parametrize("htu", ["http://[", "http://[::1", "https://[zz]/token", "http://localhost:99999999/token"])
def test_a_proof_whose_htu_is_not_a_url_is_invalid_dpop_proof(client, register, htu):
    agency: Agency = register()
    key = DpopKey()
    form, headers = agency.auth({"grant_type": "authorization_code", "code": "x" * 43,
                                 "redirect_uri": agency.redirect_uri, "code_verifier": "v" * 43})
    for _ in range(2):  # the second time with the server's nonce
        headers["DPoP"] = key.proof("POST", htu)
        response = client.post("/token", data=form, headers=headers)
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        if response.get_json()["error"] != "use_dpop_nonce":
            break
        key.remember(response)
    assert response.get_json()["error"] == "invalid_dpop_proof"
