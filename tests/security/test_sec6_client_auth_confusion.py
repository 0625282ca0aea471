"""Token endpoint client authentication confusion (RFC 6749 section 2.3, OIDC Core 9): a client
registered for private_key_jwt is authenticated by its assertion only. Its client_id with a
secret (basic or post), or alone, is refused as the wrong method; a request mixing methods, or
naming another client in the body, is refused; and none of these refusals spends the code the
attempt carried (review 6 found these held)."""

from __future__ import annotations

from tests.idp.oidc.conftest import exchange, get_code
from tests.support.basic_auth import basic_auth

ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def test_a_private_key_jwt_client_is_authenticated_by_its_assertion_only(client, register, citizen):
    agency = register(token_endpoint_auth_method="private_key_jwt")
    other = register()
    code, flow = get_code(client, agency)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": agency.redirect_uri,
            "code_verifier": flow.verifier}
    signed = {**form, "client_assertion_type": ASSERTION}
    attempts = [
        (form, basic_auth(agency.client_id, "guessed"), 401, "not client_secret_basic"),
        ({**form, "client_id": agency.client_id, "client_secret": "guessed"}, {}, 401, "not client_secret_post"),
        ({**form, "client_id": agency.client_id}, {}, 401, "not none"),
        ({**signed, "client_assertion": agency.assertion()}, basic_auth(other.client_id, other.secret), 400,
         "one client authentication method"),
        ({**signed, "client_assertion": agency.assertion(), "client_secret": "x"}, {}, 400,
         "one client authentication method"),
        ({**signed, "client_assertion": agency.assertion(), "client_id": other.client_id}, {}, 401,
         "does not match the authenticated client"),
        ({**form, "client_id": agency.client_id}, basic_auth(other.client_id, other.secret), 401,
         "does not match the authenticated client"),
    ]
    for data, headers, status, reason in attempts:
        refused = client.post("/token", data=data, headers=headers)
        assert refused.status_code == status, (data, refused.get_json())
        assert reason in refused.get_json()["error_description"], refused.get_json()
        assert refused.get_json()["error"] == ("invalid_client" if status == 401 else "invalid_request")
    answer = exchange(client, agency, code, flow)
    assert answer.status_code == 200, answer.get_json()
