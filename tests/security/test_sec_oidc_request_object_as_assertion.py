"""A request object is no client assertion (RFC 8725 section 3.12, cross-JWT confusion;
RFC 7523 section 3). A request object at /authorize (RFC 9101) travels through the browser:
its history, its extensions, the agency's and any proxy's logs see it. Untyped (or typed JWT),
with `sub` set to the client_id as some agencies' libraries write it, it has every claim of
a client assertion with the strict audience rule (iss, sub, aud the issuer, exp within five
minutes, jti), and the two jti records are kept apart: whoever read the URL authenticated as
the agency at /token, /introspect and /revoke with it, before or after the browser used it.
A JWT that carries authorization request parameters (response_type, redirect_uri) is
refused as a client assertion."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import pytest
from joserfc import jwt

from tests.idp.oidc.conftest import Flow, redirect_params
from tests.idp.oidc.test_jar import request_claims

ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def agency(register):
    return register(token_endpoint_auth_method="private_key_jwt")


def _request_object(agency, flow: Flow, typ: str | None) -> str:
    claims = request_claims(agency, flow, sub=agency.client_id, jti=secrets.token_urlsafe(12), exp=None)
    claims["exp"] = claims["iat"] + 60
    header = {"alg": "ES256", "kid": "agency-key", **({"typ": typ} if typ else {})}
    return jwt.encode(header, claims, agency.key, algorithms=["ES256"])


def _as_assertion(client, path: str, assertion: str, **form: str):
    return client.post(path, data={"client_assertion_type": ASSERTION, "client_assertion": assertion, **form})


@pytest.mark.parametrize("typ", [None, "JWT"])
def test_a_request_object_seen_in_the_browser_does_not_authenticate_the_agency(client, agency, citizen, typ):
    flow = Flow()
    seen = _request_object(agency, flow, typ)
    # It is a valid request object: /authorize takes it (the citizen's consent page).
    page = client.get("/authorize?" + urlencode({"client_id": agency.client_id, "request": seen}))
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    # Used again as a client assertion, at each endpoint that authenticates clients.
    for path, form in (("/token", {"grant_type": "refresh_token", "refresh_token": "x" * 43}),
                       ("/introspect", {"token": "x" * 43}),
                       ("/revoke", {"token": "x" * 43})):
        refused = _as_assertion(client, path, seen, **form)
        assert refused.status_code == 401, (path, refused.status_code, refused.get_data(as_text=True)[:300])
        assert refused.get_json()["error"] == "invalid_client"
        assert "request object" in refused.get_json()["error_description"]


def test_a_request_object_not_yet_used_does_not_authenticate_the_agency(client, agency, citizen):
    flow = Flow()
    seen = _request_object(agency, flow, None)
    refused = _as_assertion(client, "/introspect", seen, token="x" * 43)
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client", refused.get_json()
    # The agency's own request still goes through.
    page = client.get("/authorize?" + urlencode({"client_id": agency.client_id, "request": seen}))
    assert page.status_code == 200


def test_a_client_assertion_still_authenticates(client, agency, citizen):
    answer = _as_assertion(client, "/introspect", agency.assertion(), token="x" * 43)
    assert answer.status_code == 200 and answer.get_json() == {"active": False}, answer.get_json()


def test_the_code_of_a_request_object_is_still_exchanged(client, agency, citizen):
    from tests.idp.oidc.conftest import decide, exchange

    flow = Flow()
    page = client.get("/authorize?" + urlencode({"client_id": agency.client_id,
                                                 "request": _request_object(agency, flow, None)}))
    result = redirect_params(decide(client, page), agency)
    assert exchange(client, agency, result["code"], flow).status_code == 200
