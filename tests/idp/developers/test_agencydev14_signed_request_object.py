"""`require_signed_request_object` (RFC 9101's client metadata): a portal that registers it
true asks Cédula to refuse every authorization request of its client that is not a signed
request object, so that nobody can send a citizen to /authorize with parameters the portal
would have signed otherwise (its `acr_values`, `max_age`, `claims`...).

`POST /register` took it with 201 and dropped it without a word (review, agencydev14), as the
FAPI 2.0 conformance suite's registrations send it: a plain request for that client was then
served as any other. Now it is kept, returned and enforced at /authorize and at /par."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.idp.developers.conftest import initial  # noqa: F401 - the fixture
from tests.idp.oidc.conftest import Flow, authorize_url, citizen, oidc_app, redirect_params, register  # noqa: F401
from tests.idp.oidc.test_jar import request_claims, request_object

REFUSAL = ("this client must send its authorization request as a signed request object (the request "
           "parameter, RFC 9101), at the authorization endpoint or in the request it pushes to the pushed "
           "authorization request endpoint: its registration says require_signed_request_object true")
PORTAL = {"client_name": "Hacienda", "redirect_uris": ["https://hacienda.example.gov/cb"]}


@pytest.fixture
def strict(register):  # noqa: F811
    """A private_key_jwt portal whose registration asks for signed request objects only."""
    return register(token_endpoint_auth_method="private_key_jwt", require_signed_request_object=True)


def test_registration_keeps_require_signed_request_object_and_returns_it(client, initial):  # noqa: F811
    created = client.post("/register", json={**PORTAL, "require_signed_request_object": True}, headers=initial)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["require_signed_request_object"] is True


def test_registration_refuses_a_require_signed_request_object_that_is_not_a_boolean(client, initial):  # noqa: F811
    refused = client.post("/register", json={**PORTAL, "require_signed_request_object": "yes"}, headers=initial)
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "invalid_client_metadata",
                                  "error_description": "require_signed_request_object: must be true or false"}


def test_a_plain_authorization_request_of_such_a_client_is_refused(client, strict, citizen):  # noqa: F811
    flow = Flow()
    refused = redirect_params(client.get(authorize_url(strict, flow)), strict)
    assert refused["error"] == "invalid_request" and refused["error_description"] == REFUSAL
    assert refused["state"] == flow.state and "code" not in refused


def test_a_plain_pushed_request_of_such_a_client_is_refused(client, strict):
    flow = Flow()
    form, headers = strict.auth({"response_type": "code", "client_id": strict.client_id,
                                 "redirect_uri": strict.redirect_uri, "scope": "openid", "state": flow.state,
                                 "nonce": flow.nonce, "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                 "code_challenge_method": "S256"})
    refused = client.post("/par", data=form, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "invalid_request", "error_description": REFUSAL}


def test_a_signed_request_of_such_a_client_is_served(client, strict, citizen):  # noqa: F811
    flow = Flow()
    answer = client.get("/authorize?" + urlencode({"client_id": strict.client_id,
                                                   "request": request_object(strict, request_claims(strict, flow))}))
    assert answer.status_code == 200, answer.headers.get("Location")  # the consent page: not refused


def test_a_signed_pushed_request_of_such_a_client_is_served_by_its_request_uri(client, strict, citizen):  # noqa: F811
    flow = Flow()
    form, headers = strict.auth({"client_id": strict.client_id,
                                 "request": request_object(strict, request_claims(strict, flow))})
    pushed = client.post("/par", data=form, headers=headers)
    assert pushed.status_code == 201, pushed.get_json()
    answer = client.get("/authorize?" + urlencode({"client_id": strict.client_id,
                                                   "request_uri": pushed.get_json()["request_uri"]}))
    assert answer.status_code == 200, answer.headers.get("Location")


def test_a_client_that_did_not_ask_is_served_plain_requests(client, register, citizen):  # noqa: F811
    agency = register(token_endpoint_auth_method="private_key_jwt")
    assert client.get(authorize_url(agency, Flow())).status_code == 200
