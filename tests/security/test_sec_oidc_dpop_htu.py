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


def _post_with_proof(client, agency: Agency, form: dict[str, str], key: DpopKey, htu: str):
    for _ in range(2):  # the second time with the server's nonce
        body, headers = agency.auth(form)
        headers["DPoP"] = key.proof("POST", htu)
        response = client.post("/token", data=body, headers=headers)
        if response.status_code != 400 or response.get_json()["error"] != "use_dpop_nonce":
            return response
        key.remember(response)
    return response


@pytest.mark.parametrize("htu", ["http://localhost:80/token", "http://localhost:/token", "HTTP://LOCALHOST/token",
                                 "http://localhost/%74oken", "http://localhost/./token", "http://localhost/x/../token"])
def test_an_htu_written_another_way_for_the_same_uri_is_the_same_uri(client, register, citizen, htu):
    """RFC 9449 section 4.3: the server normalises htu (RFC 3986 sections 6.2.2 and 6.2.3: the
    default port, percent-encoding of unreserved characters, dot segments) before comparing;
    a client whose library writes the port it connects to was refused."""
    from tests.idp.oidc.test_dpop import code_form

    agency: Agency = register()
    response = _post_with_proof(client, agency, code_form(client, agency), DpopKey(), htu)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["token_type"] == "DPoP"


@pytest.mark.parametrize("htu", ["http://localhost:8080/token", "https://localhost/token", "http://localhost/token/",
                                 "http://localhost/%2Ftoken", "http://localhost.evil/token", "http://localhost/TOKEN"])
def test_an_htu_for_another_uri_stays_refused(client, register, citizen, htu):
    from tests.idp.oidc.test_dpop import code_form

    agency: Agency = register()
    response = _post_with_proof(client, agency, code_form(client, agency), DpopKey(), htu)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_dpop_proof", response.get_json()
