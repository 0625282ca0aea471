"""A client assertion or a DPoP proof refused for its time was told only "client_assertion has
expired", "client_assertion iat is in the future" or "the DPoP proof's iat is not within 60
seconds of now": nothing said by how much, nor that the usual cause of a proof made a moment ago
is the agency's server clock (openid-client signs both with the local clock). The answers now
say how many seconds off the value is by Cédula's clock and to check the server's clock (NTP)."""

from __future__ import annotations

import time

from tests.idp.oidc.conftest import oidc_app, register  # noqa: F401 - the fixtures
from tests.support.dpop import DpopKey

ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _token(client, assertion: str):
    return client.post("/token", data={"grant_type": "client_credentials", "client_assertion_type": ASSERTION,
                                       "client_assertion": assertion})


def _description(answer) -> str:
    assert answer.status_code == 401, answer.get_data(as_text=True)
    assert answer.get_json()["error"] == "invalid_client"
    return answer.get_json()["error_description"]


def test_an_expired_assertion_says_by_how_much_and_to_check_the_clock(oidc_app, register):  # noqa: F811
    agency = register(token_endpoint_auth_method="private_key_jwt")
    now = int(time.time())
    described = _description(_token(oidc_app.test_client(), agency.assertion(iat=now - 700, exp_in=-600)))
    assert described.startswith("client_assertion expired 6")  # 600 s ago, give or take the test's second
    assert "seconds ago by this server's clock" in described
    assert "check that your server's clock is right (NTP)" in described


def test_an_assertion_from_the_future_says_by_how_much_and_to_check_the_clock(oidc_app, register):  # noqa: F811
    agency = register(token_endpoint_auth_method="private_key_jwt")
    now = int(time.time())
    described = _description(_token(oidc_app.test_client(), agency.assertion(iat=now + 300, exp_in=330)))
    assert described.startswith("client_assertion iat is 30")
    assert "seconds ahead of this server's clock" in described
    assert "check that your server's clock is right (NTP)" in described


def _dpop_refusal(client, register, iat: int) -> str:  # noqa: F811
    agency = register(scope="openid profile documents:issue", security_profile="oidc",
                      grant_types=["authorization_code", "refresh_token", "client_credentials"],
                      dpop_bound_access_tokens=True)
    key = DpopKey()
    form, headers = agency.auth({"grant_type": "client_credentials"})
    first = client.post("/token", data=form, headers={**headers, "DPoP": key.proof("POST", "http://localhost/token")})
    key.nonce = first.headers.get("DPoP-Nonce")
    form, headers = agency.auth({"grant_type": "client_credentials"})
    refused = client.post("/token", data=form,
                          headers={**headers, "DPoP": key.proof("POST", "http://localhost/token", iat=iat)})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.get_json()["error"] == "invalid_dpop_proof"
    return refused.get_json()["error_description"]


def test_an_old_dpop_proof_says_by_how_much_and_to_check_the_clock(oidc_app, register):  # noqa: F811
    described = _dpop_refusal(oidc_app.test_client(), register, int(time.time()) - 400)
    assert described.startswith("the DPoP proof's iat is 40")
    assert "seconds behind this server's clock" in described and "at most 60" in described
    assert "check that your server's clock is right (NTP)" in described


def test_a_dpop_proof_from_the_future_says_by_how_much_and_to_check_the_clock(oidc_app, register):  # noqa: F811
    described = _dpop_refusal(oidc_app.test_client(), register, int(time.time()) + 400)
    assert described.startswith("the DPoP proof's iat is 40")
    assert "seconds ahead of this server's clock" in described
    assert "check that your server's clock is right (NTP)" in described


def test_the_guide_says_to_keep_the_clock_synchronised():
    from idp.developers.views import SOURCE

    assert "keep your server's clock synchronised with NTP" in SOURCE.read_text(encoding="utf-8")
