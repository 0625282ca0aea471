"""A `jti` holding a lone surrogate (JSON "\\ud800", valid JSON, not encodable as UTF-8) in a
DPoP proof or a client assertion is refused or accepted like any jti, never a 500: the replay
mark's digest encoded it as UTF-8 and raised UnicodeEncodeError."""

from __future__ import annotations

import json
import time

from joserfc import jws

from tests.idp.oidc.conftest import Agency
from tests.support.dpop import DpopKey

TOKEN = "http://localhost/token"
FORM = {"grant_type": "authorization_code", "code": "x" * 43, "code_verifier": "v" * 43}


def test_a_dpop_proof_with_a_surrogate_jti_is_not_a_500(client, register):
    agency: Agency = register()
    key = DpopKey()
    form, headers = agency.auth({**FORM, "redirect_uri": agency.redirect_uri})
    key.remember(client.post("/token", data=form, headers={**headers, "DPoP": key.proof("POST", TOKEN)}))
    response = client.post("/token", data=form, headers={**headers, "DPoP": key.proof("POST", TOKEN, jti="\ud800")})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_grant"  # the proof was fine; the code is made up
    again = client.post("/token", data=form, headers={**headers, "DPoP": key.proof("POST", TOKEN, jti="\ud800")})
    assert again.get_json()["error"] == "invalid_dpop_proof"  # and its jti is spent


def test_a_client_assertion_with_a_surrogate_jti_is_not_a_500(client, register):
    agency: Agency = register(token_endpoint_auth_method="private_key_jwt")
    form = {**FORM, "redirect_uri": agency.redirect_uri,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": _assertion(agency, jti="\ud800")}
    response = client.post("/token", data=form)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "invalid_grant"


def _assertion(agency: Agency, *, jti: str) -> str:
    """A client assertion whose payload JSON carries `jti` escaped (json.dumps), as a client could."""
    now = int(time.time())
    claims = {"iss": agency.client_id, "sub": agency.client_id, "aud": "http://localhost", "iat": now,
              "exp": now + 60, "jti": jti}
    return jws.serialize_compact({"alg": "ES256", "kid": "agency-key"}, json.dumps(claims).encode(), agency.key,
                                 algorithms=["ES256"])
